package dev.rewind.debug.ui.views;

import java.math.BigInteger;
import java.util.List;
import java.util.function.IntConsumer;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Event;

import dev.rewind.debug.core.model.RecordingQueries;

/**
 * The value of a variable over the whole recording as a step plot: x is the icount from the
 * recording's start to its end, y the value (unsigned, little-endian as the table shows it)
 * between its smallest and largest; a dot marks each change, the selected one larger, in the
 * selection colour. A click picks the change nearest the pointer (within a few pixels) and tells
 * the view, which selects its row and moves the replay there, as a double-click on the row does.
 */
final class ValueHistoryPlot {

    private static final int LEFT = 90, RIGHT = 12, TOP = 10, BOTTOM = 22, PICK = 6;

    private final Canvas canvas;
    private final IntConsumer picked;
    private RecordingQueries.History history;
    private double[] values = new double[0];
    private double initial;
    private double min;
    private double max;
    private int selected = -1;

    ValueHistoryPlot(Composite parent, IntConsumer picked) {
        this.picked = picked;
        canvas = new Canvas(parent, SWT.DOUBLE_BUFFERED);
        canvas.addListener(SWT.Paint, e -> paint(e.gc));
        canvas.addListener(SWT.Resize, e -> canvas.redraw());
        canvas.addListener(SWT.MouseDown, this::click);
    }

    Canvas canvas() {
        return canvas;
    }

    /** Shows {@code h} (null: nothing). */
    void show(RecordingQueries.History h) {
        history = h;
        selected = -1;
        if (h != null) {
            List<RecordingQueries.Change> cs = h.changes();
            values = new double[cs.size()];
            initial = number(h.initial());
            min = initial;
            max = initial;
            for (int i = 0; i < values.length; i++) {
                values[i] = number(cs.get(i).after());
                min = Math.min(min, values[i]);
                max = Math.max(max, values[i]);
            }
        }
        canvas.redraw();
    }

    /** Marks change {@code index} (-1: none). */
    void select(int index) {
        selected = index;
        canvas.redraw();
    }

    /** Where change {@code index} is drawn, in the canvas's coordinates (for tests and clicks). */
    Point pointOf(int index) {
        Rectangle r = canvas.getClientArea();
        return new Point(x(history.changes().get(index).icount(), r), y(values[index], r));
    }

    /** "0x..." as an unsigned number; "?" (a device register's unknown old value) as 0. */
    private static double number(String hex) {
        if (hex == null || !hex.startsWith("0x")) {
            return 0;
        }
        return new BigInteger(hex.substring(2), 16).doubleValue();
    }

    private int x(long icount, Rectangle r) {
        long from = history.from();
        long span = Math.max(1, history.to() - from);
        int w = Math.max(1, r.width - LEFT - RIGHT);
        return LEFT + (int) Math.round((double) (icount - from) / span * w);
    }

    private int y(double v, Rectangle r) {
        int h = Math.max(1, r.height - TOP - BOTTOM);
        if (max == min) {
            return TOP + h / 2;
        }
        return TOP + h - (int) Math.round((v - min) / (max - min) * h);
    }

    private void paint(GC gc) {
        Rectangle r = canvas.getClientArea();
        gc.setBackground(canvas.getDisplay().getSystemColor(SWT.COLOR_LIST_BACKGROUND));
        gc.fillRectangle(r);
        Color fg = canvas.getDisplay().getSystemColor(SWT.COLOR_WIDGET_FOREGROUND);
        Color axis = canvas.getDisplay().getSystemColor(SWT.COLOR_WIDGET_NORMAL_SHADOW);
        gc.setForeground(axis);
        gc.drawRectangle(LEFT, TOP, Math.max(1, r.width - LEFT - RIGHT), Math.max(1, r.height - TOP - BOTTOM));
        if (history == null) {
            return;
        }
        gc.setForeground(fg);
        int bottom = r.height - BOTTOM;
        gc.drawText(label(max), 4, TOP - 2, true);
        gc.drawText(label(min), 4, bottom - gc.getFontMetrics().getHeight() + 2, true);
        gc.drawText("icount " + history.from(), LEFT, bottom + 3, true);
        String end = "icount " + history.to();
        gc.drawText(end, r.width - RIGHT - gc.textExtent(end).x, bottom + 3, true);
        gc.setForeground(canvas.getDisplay().getSystemColor(SWT.COLOR_LIST_SELECTION));
        gc.setLineWidth(2);
        int px = x(history.from(), r);
        int py = y(initial, r);
        List<RecordingQueries.Change> cs = history.changes();
        for (int i = 0; i < values.length; i++) {
            int nx = x(cs.get(i).icount(), r);
            int ny = y(values[i], r);
            gc.drawLine(px, py, nx, py);
            gc.drawLine(nx, py, nx, ny);
            px = nx;
            py = ny;
        }
        gc.drawLine(px, py, x(history.to(), r), py);
        gc.setLineWidth(1);
        gc.setBackground(fg);
        for (int i = 0; i < values.length; i++) {
            int nx = x(cs.get(i).icount(), r);
            int ny = y(values[i], r);
            gc.fillOval(nx - 2, ny - 2, 5, 5);
        }
        if (selected >= 0 && selected < values.length) {
            Point p = pointOf(selected);
            gc.setBackground(canvas.getDisplay().getSystemColor(SWT.COLOR_RED));
            gc.fillOval(p.x - 4, p.y - 4, 9, 9);
        }
    }

    private static String label(double v) {
        return v < 1e15 ? String.format("%,d", (long) v) : String.format("%.3g", v);
    }

    private void click(Event e) {
        if (history == null || values.length == 0) {
            return;
        }
        int best = -1;
        int bestDistance = Integer.MAX_VALUE;
        for (int i = 0; i < values.length; i++) {
            Point p = pointOf(i);
            int d = Math.abs(p.x - e.x) + Math.abs(p.y - e.y) / 4; // steps are tall: x decides
            if (d < bestDistance) {
                bestDistance = d;
                best = i;
            }
        }
        if (best >= 0 && Math.abs(pointOf(best).x - e.x) <= PICK) {
            select(best);
            picked.accept(best);
        }
    }
}
