package dev.rewind.debug.ui.views;

import org.eclipse.core.runtime.IAdaptable;
import org.eclipse.debug.core.DebugEvent;
import org.eclipse.debug.core.DebugException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.IDebugEventSetListener;
import org.eclipse.debug.core.model.IDebugElement;
import org.eclipse.debug.ui.DebugUITools;
import org.eclipse.debug.ui.contexts.DebugContextEvent;
import org.eclipse.debug.ui.contexts.IDebugContextListener;
import org.eclipse.debug.ui.contexts.IDebugContextService;
import org.eclipse.jface.viewers.ISelection;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.part.ViewPart;

import dev.rewind.debug.core.model.HartState;
import dev.rewind.debug.core.model.ReplayTarget;

/**
 * The recording along icount: the span of history, in-memory snapshots (grey ticks), the
 * breakpoint hits seen so far (red), and the current position (blue). A click seeks there.
 */
public final class TimelineView extends ViewPart implements IDebugContextListener, IDebugEventSetListener {

    private static final int MARGIN = 24;

    private Canvas canvas;
    private volatile ReplayTarget target;
    private IDebugContextService contexts;

    @Override
    public void createPartControl(Composite parent) {
        canvas = new Canvas(parent, SWT.DOUBLE_BUFFERED);
        canvas.addPaintListener(e -> paint(e.gc, canvas.getClientArea()));
        canvas.addListener(SWT.MouseDown, e -> {
            if (e.button == 1) {
                seekAt(e.x);
            }
        });
        canvas.addListener(SWT.Resize, e -> canvas.redraw());
        contexts = DebugUITools.getDebugContextManager().getContextService(getSite().getWorkbenchWindow());
        contexts.addDebugContextListener(this);
        DebugPlugin.getDefault().addDebugEventListener(this);
        select(contexts.getActiveContext());
    }

    @Override
    public void dispose() {
        DebugPlugin.getDefault().removeDebugEventListener(this);
        if (contexts != null) {
            contexts.removeDebugContextListener(this);
        }
        super.dispose();
    }

    @Override
    public void setFocus() {
        canvas.setFocus();
    }

    /** The replay shown, or null. */
    public ReplayTarget target() {
        return target;
    }

    /** Shows {@code t} (tests and the debug context use this). */
    public void setTarget(ReplayTarget t) {
        target = t;
        redraw();
    }

    @Override
    public void debugContextChanged(DebugContextEvent event) {
        if ((event.getFlags() & DebugContextEvent.ACTIVATED) != 0) {
            select(event.getContext());
        }
    }

    private void select(ISelection selection) {
        if (selection instanceof IStructuredSelection s && s.getFirstElement() != null) {
            Object o = s.getFirstElement();
            ReplayTarget t = null;
            if (o instanceof IDebugElement e && e.getDebugTarget() instanceof ReplayTarget rt) {
                t = rt;
            } else if (o instanceof IAdaptable a) {
                t = a.getAdapter(ReplayTarget.class);
            }
            if (t != null) {
                setTarget(t);
            }
        }
    }

    @Override
    public void handleDebugEvents(DebugEvent[] events) {
        for (DebugEvent e : events) {
            if (e.getSource() instanceof IDebugElement d && d.getDebugTarget() instanceof ReplayTarget t) {
                if (target == null && e.getKind() == DebugEvent.CREATE) {
                    target = t;
                }
                if (t == target) {
                    redraw();
                    return;
                }
            }
        }
    }

    private void redraw() {
        Display d = Display.getDefault();
        d.asyncExec(() -> {
            if (canvas != null && !canvas.isDisposed()) {
                canvas.redraw();
            }
        });
    }

    /** Width of the drawing in pixels. */
    public int canvasWidth() {
        return canvas.getClientArea().width;
    }

    /** The icount under pixel column {@code x} of the canvas, for the current target. */
    public long icountAt(int x) {
        ReplayTarget t = target;
        if (t == null) {
            return -1;
        }
        int width = canvas.getClientArea().width - 2 * MARGIN;
        double f = Math.max(0, Math.min(1, (x - MARGIN) / (double) Math.max(1, width)));
        return t.startIcount() + Math.round(f * (t.endIcount() - t.startIcount()));
    }

    private int xOf(ReplayTarget t, long icount, Rectangle area) {
        long span = Math.max(1, t.endIcount() - t.startIcount());
        return MARGIN + (int) Math.round((icount - t.startIcount()) / (double) span * (area.width - 2 * MARGIN));
    }

    /** Seeks the shown replay to the position under {@code x}, if it is suspended. */
    public void seekAt(int x) {
        ReplayTarget t = target;
        if (t == null || !t.canMove()) {
            return;
        }
        try {
            t.seek(icountAt(x));
        } catch (DebugException e) {
            // a replay that just ended or started moving: nothing to seek
        }
    }

    private void paint(GC gc, Rectangle area) {
        Display d = canvas.getDisplay();
        gc.setBackground(d.getSystemColor(SWT.COLOR_LIST_BACKGROUND));
        gc.fillRectangle(area);
        gc.setForeground(d.getSystemColor(SWT.COLOR_LIST_FOREGROUND));
        ReplayTarget t = target;
        if (t == null) {
            gc.drawText("No Rewind replay selected: launch a Replay and select it in the Debug view.", MARGIN, MARGIN, true);
            return;
        }
        HartState s = t.state();
        int y = Math.max(50, area.height / 2);
        String title = t.getName() + (t.isTerminated() ? "  (terminated)" : "");
        if (s != null) {
            title += String.format("   icount %,d of %,d", s.icount(), t.endIcount());
        }
        gc.drawText(title, MARGIN, 6, true);
        // history span
        gc.setLineWidth(3);
        gc.setForeground(d.getSystemColor(SWT.COLOR_DARK_GRAY));
        gc.drawLine(MARGIN, y, area.width - MARGIN, y);
        gc.setLineWidth(1);
        gc.drawLine(MARGIN, y - 8, MARGIN, y + 8);
        gc.drawLine(area.width - MARGIN, y - 8, area.width - MARGIN, y + 8);
        gc.drawText(String.format("%,d", t.startIcount()), MARGIN - 4, y + 12, true);
        String end = String.format("%,d", t.endIcount());
        Point endSize = gc.textExtent(end);
        gc.drawText(end, area.width - MARGIN - endSize.x + 4, y + 12, true);
        // snapshots
        gc.setForeground(d.getSystemColor(SWT.COLOR_GRAY));
        for (long icount : t.snapshotIcounts()) {
            int x = xOf(t, icount, area);
            gc.drawLine(x, y - 6, x, y + 6);
        }
        // breakpoint hits
        Color red = d.getSystemColor(SWT.COLOR_RED);
        gc.setBackground(red);
        for (long icount : t.breakpointHits()) {
            int x = xOf(t, icount, area);
            gc.fillPolygon(new int[] {x, y - 12, x + 5, y - 7, x, y - 2, x - 5, y - 7});
        }
        // current position
        if (s != null) {
            Color blue = d.getSystemColor(SWT.COLOR_BLUE);
            int x = xOf(t, s.icount(), area);
            gc.setForeground(blue);
            gc.setBackground(blue);
            gc.drawLine(x, y - 16, x, y + 16);
            gc.fillPolygon(new int[] {x - 6, y + 24, x + 6, y + 24, x, y + 16});
            gc.setForeground(d.getSystemColor(SWT.COLOR_LIST_FOREGROUND));
            String here = t.isSuspended() ? "here" : "running";
            gc.drawText(here, Math.min(x + 8, area.width - 60), y + 18, true);
        }
        gc.setForeground(d.getSystemColor(SWT.COLOR_DARK_GRAY));
        gc.drawText("grey: snapshots   red: breakpoint hits   blue: current position   (click to seek)", MARGIN,
                area.height - 22, true);
    }
}
