package dev.rewind.debug.ui.views;

import java.util.EnumMap;
import java.util.Map;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Display;

import dev.rewind.debug.core.model.HartState;
import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.debug.core.model.TimelineLanes;
import dev.rewind.replay.query.QueryEvent;

/**
 * Draws the Timeline: title, an overview strip of the whole history with the visible stretch,
 * the axis of the visible range with snapshots, the event lanes, and the current position
 * across all of them. Paints only what a fetch folded into columns: no scan of the recording.
 */
final class TimelinePainter {

    static final int LEFT = 150;
    static final int RIGHT = 24;
    static final int LANE_HEIGHT = 26;
    private static final int OVERVIEW_Y = 34;
    private static final int AXIS_Y = 66;
    private static final int LANES_Y = 96;

    private final Display display;
    private final Map<QueryEvent.Kind, Color> kindColors = new EnumMap<>(QueryEvent.Kind.class);
    private final Color bookmark;
    private final Color laneBackground;
    private final Color window;

    TimelinePainter(Display display) {
        this.display = display;
        kindColors.put(QueryEvent.Kind.EXCEPTION, new Color(display, 230, 120, 0));
        kindColors.put(QueryEvent.Kind.INTERRUPT, new Color(display, 140, 40, 200));
        kindColors.put(QueryEvent.Kind.TRAP_RETURN, new Color(display, 150, 150, 150));
        kindColors.put(QueryEvent.Kind.UART_OUT, new Color(display, 0, 140, 60));
        kindColors.put(QueryEvent.Kind.UART_IN, new Color(display, 0, 110, 200));
        kindColors.put(QueryEvent.Kind.DISK_REQUEST, new Color(display, 150, 90, 20));
        kindColors.put(QueryEvent.Kind.DISK_DONE, new Color(display, 210, 170, 30));
        kindColors.put(QueryEvent.Kind.BREAKPOINT, new Color(display, 220, 0, 0));
        bookmark = new Color(display, 0, 90, 200);
        laneBackground = new Color(display, 244, 244, 248);
        window = new Color(display, 200, 215, 240);
    }

    void dispose() {
        kindColors.values().forEach(Color::dispose);
        bookmark.dispose();
        laneBackground.dispose();
        window.dispose();
    }

    static int laneTop(int lane) {
        return LANES_Y + lane * (LANE_HEIGHT + 4);
    }

    /** The lane whose row holds y, or -1. */
    int laneAt(int y) {
        for (int l = 0; l < TimelineLanes.Lane.values().length; l++) {
            if (y >= laneTop(l) && y < laneTop(l) + LANE_HEIGHT) {
                return l;
            }
        }
        return -1;
    }

    void paint(GC gc, Rectangle area, TimelineView view) {
        Color fg = display.getSystemColor(SWT.COLOR_LIST_FOREGROUND);
        gc.setBackground(display.getSystemColor(SWT.COLOR_LIST_BACKGROUND));
        gc.fillRectangle(area);
        gc.setForeground(fg);
        ReplayTarget t = view.target();
        if (t == null) {
            gc.drawText("No Rewind replay selected: launch a Replay and select it in the Debug view.", RIGHT, RIGHT, true);
            return;
        }
        HartState s = t.state();
        long from = view.visibleFrom();
        long to = view.visibleTo();
        String title = t.getName() + (t.isTerminated() ? "  (terminated)" : "");
        if (s != null) {
            title += String.format("   icount %,d of %,d", s.icount(), t.endIcount());
        }
        title += String.format("   showing %,d - %,d", from, to);
        gc.drawText(title, 8, 6, true);
        overview(gc, area, t, from, to, s);
        axis(gc, area, view, t, from, to);
        lanes(gc, area, view);
        if (s != null && s.icount() >= from && s.icount() <= to) {
            int x = view.xOf(s.icount());
            Color blue = display.getSystemColor(SWT.COLOR_BLUE);
            gc.setForeground(blue);
            gc.setBackground(blue);
            gc.setLineWidth(2);
            gc.drawLine(x, AXIS_Y - 10, x, laneTop(TimelineLanes.Lane.values().length) - 4);
            gc.setLineWidth(1);
            gc.fillPolygon(new int[] {x - 6, AXIS_Y - 18, x + 6, AXIS_Y - 18, x, AXIS_Y - 10});
        }
        gc.setForeground(display.getSystemColor(SWT.COLOR_DARK_GRAY));
        String status = view.status();
        String help = "wheel: zoom   drag: pan   hover: details   click: go there   blue: current position";
        gc.drawText(status != null ? status + "     " + help : help, 8, area.height - 20, true);
    }

    /** The whole history in one strip, the visible stretch highlighted. */
    private void overview(GC gc, Rectangle area, ReplayTarget t, long from, long to, HartState s) {
        int w = area.width - LEFT - RIGHT;
        long start = t.startIcount();
        long span = Math.max(1, t.endIcount() - start);
        int x0 = LEFT + (int) ((from - start) / (double) span * w);
        int x1 = LEFT + (int) Math.ceil((to - start) / (double) span * w);
        gc.setBackground(window);
        gc.fillRectangle(x0, OVERVIEW_Y - 5, Math.max(2, x1 - x0), 10);
        gc.setForeground(display.getSystemColor(SWT.COLOR_DARK_GRAY));
        gc.drawLine(LEFT, OVERVIEW_Y, LEFT + w, OVERVIEW_Y);
        gc.drawText("whole recording", 8, OVERVIEW_Y - 8, true);
        if (s != null) {
            int x = LEFT + (int) ((s.icount() - start) / (double) span * w);
            gc.setForeground(display.getSystemColor(SWT.COLOR_BLUE));
            gc.drawLine(x, OVERVIEW_Y - 6, x, OVERVIEW_Y + 6);
        }
    }

    /** The visible range: its ends, and the snapshots in it. */
    private void axis(GC gc, Rectangle area, TimelineView view, ReplayTarget t, long from, long to) {
        int right = area.width - RIGHT;
        gc.setForeground(display.getSystemColor(SWT.COLOR_DARK_GRAY));
        gc.setLineWidth(3);
        gc.drawLine(LEFT, AXIS_Y, right, AXIS_Y);
        gc.setLineWidth(1);
        gc.drawLine(LEFT, AXIS_Y - 8, LEFT, AXIS_Y + 8);
        gc.drawLine(right, AXIS_Y - 8, right, AXIS_Y + 8);
        gc.drawText("icount", 8, AXIS_Y - 8, true);
        gc.drawText(String.format("%,d", from), LEFT + 4, AXIS_Y + 6, true);
        String end = String.format("%,d", to);
        Point size = gc.textExtent(end);
        gc.drawText(end, right - size.x - 4, AXIS_Y + 6, true);
        gc.setForeground(display.getSystemColor(SWT.COLOR_GRAY));
        for (long icount : t.snapshotIcounts()) {
            if (icount >= from && icount <= to) {
                int x = view.xOf(icount);
                gc.drawLine(x, AXIS_Y - 6, x, AXIS_Y + 6);
            }
        }
    }

    private void lanes(GC gc, Rectangle area, TimelineView view) {
        TimelineLanes.Slice slice = view.slice();
        int right = area.width - RIGHT;
        for (TimelineLanes.Lane lane : TimelineLanes.Lane.values()) {
            int top = laneTop(lane.ordinal());
            gc.setBackground(laneBackground);
            gc.fillRectangle(LEFT, top, right - LEFT, LANE_HEIGHT);
            gc.setForeground(display.getSystemColor(SWT.COLOR_LIST_FOREGROUND));
            String label = lane.title();
            if (slice != null && !slice.lane(lane).isEmpty()) {
                label += " (" + count(slice, lane) + ")";
            }
            gc.drawText(label, 8, top + (LANE_HEIGHT - gc.getFontMetrics().getHeight()) / 2, true);
            if (slice == null) {
                continue;
            }
            for (TimelineLanes.Mark m : slice.lane(lane)) {
                int x = view.xOf(m.icount());
                if (x < LEFT - 2 || x > right + 2) {
                    continue;
                }
                // taller for columns holding more events (log scale), full height from 64 on
                int h = Math.min(LANE_HEIGHT - 4, 8 + (int) (3 * (Math.log(m.count()) / Math.log(2))));
                if (lane == TimelineLanes.Lane.BOOKMARKS) {
                    gc.setBackground(bookmark);
                    gc.fillPolygon(new int[] {x, top + 2, x + 9, top + 7, x, top + 12});
                    gc.fillRectangle(x, top + 2, 2, LANE_HEIGHT - 4);
                } else {
                    gc.setBackground(kindColors.get(m.kind()));
                    gc.fillRectangle(x - 1, top + (LANE_HEIGHT - h) / 2, m.count() > 1 ? 3 : 2, h);
                }
            }
        }
    }

    private static String count(TimelineLanes.Slice slice, TimelineLanes.Lane lane) {
        long n = 0;
        for (TimelineLanes.Mark m : slice.lane(lane)) {
            n += m.count();
        }
        return String.format("%,d", n);
    }
}
