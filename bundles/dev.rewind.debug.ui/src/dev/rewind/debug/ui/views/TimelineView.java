package dev.rewind.debug.ui.views;

import org.eclipse.core.resources.IMarkerDelta;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.DebugEvent;
import org.eclipse.debug.core.DebugException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.IBreakpointsListener;
import org.eclipse.debug.core.IDebugEventSetListener;
import org.eclipse.debug.core.model.IBreakpoint;
import org.eclipse.debug.core.model.IDebugElement;
import org.eclipse.debug.ui.DebugUITools;
import org.eclipse.debug.ui.contexts.DebugContextEvent;
import org.eclipse.debug.ui.contexts.IDebugContextListener;
import org.eclipse.debug.ui.contexts.IDebugContextService;
import org.eclipse.jface.action.Action;
import org.eclipse.jface.action.IToolBarManager;
import org.eclipse.jface.dialogs.InputDialog;
import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.jface.viewers.ISelection;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.window.Window;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Event;
import org.eclipse.ui.part.ViewPart;

import dev.rewind.debug.core.model.HartState;
import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.debug.core.model.TimelineLanes;
import dev.rewind.replay.Bookmarks;

/**
 * The recording along icount: an overview of the whole history with the visible stretch, and
 * below it event lanes (traps and interrupts, console I/O, disk I/O, breakpoint hits, bookmarks)
 * from the recording's query engine, with the snapshots and the current position. The wheel
 * zooms around the pointer, dragging pans, hovering a mark tells what happened there, a click
 * seeks to the event under the pointer (or to the position under it).
 *
 * <p>Events are fetched per visible range by a job ({@link TimelineFetch}), folded into one mark
 * per pixel column and lane, so painting is bounded by the view's width on any recording.
 */
public final class TimelineView extends ViewPart
        implements IDebugContextListener, IDebugEventSetListener, IBreakpointsListener, TimelineFetch.Sink {

    /** The narrowest range a zoom shows, in instructions. */
    private static final long MIN_SPAN = 32;
    private static final double ZOOM_STEP = 0.8;
    private static final int DRAG_SLOP = 4;

    private Canvas canvas;
    private TimelinePainter painter;
    private final TimelineFetch fetch = new TimelineFetch(this);
    private volatile ReplayTarget target;
    private IDebugContextService contexts;
    /** Visible range [from, to); UI thread. */
    private long from;
    private long to;
    private volatile TimelineLanes.Slice slice;
    private volatile String status;
    private volatile long lastProgressRedraw;
    private volatile long lastPaintNanos;
    private int dragX = -1;
    private long dragFrom;
    private boolean dragging;

    @Override
    public void createPartControl(Composite parent) {
        canvas = new Canvas(parent, SWT.DOUBLE_BUFFERED);
        painter = new TimelinePainter(canvas.getDisplay());
        canvas.addPaintListener(e -> {
            long t0 = System.nanoTime();
            painter.paint(e.gc, canvas.getClientArea(), this);
            lastPaintNanos = System.nanoTime() - t0;
        });
        canvas.addListener(SWT.MouseDown, this::mouseDown);
        canvas.addListener(SWT.MouseMove, this::mouseMove);
        canvas.addListener(SWT.MouseUp, this::mouseUp);
        canvas.addListener(SWT.MouseVerticalWheel, e -> {
            if ((e.stateMask & SWT.SHIFT) != 0) {
                pan(-e.count * (to - from) / 20);
            } else {
                zoom(e.count > 0 ? ZOOM_STEP : 1 / ZOOM_STEP, icountAt(e.x));
            }
        });
        canvas.addListener(SWT.MouseHorizontalWheel, e -> pan(-e.count * (to - from) / 20));
        canvas.addListener(SWT.KeyDown, this::key);
        canvas.addListener(SWT.Resize, e -> refetch());
        canvas.addListener(SWT.Dispose, e -> painter.dispose());
        IToolBarManager bar = getViewSite().getActionBars().getToolBarManager();
        bar.add(action("Zoom In", "Zoom in around the current position (+, or the wheel)", () -> zoom(ZOOM_STEP * ZOOM_STEP, here())));
        bar.add(action("Zoom Out", "Zoom out (-, or the wheel)", () -> zoom(1 / (ZOOM_STEP * ZOOM_STEP), here())));
        bar.add(action("Show All", "The whole recording (0)", this::showAll));
        bar.add(action("Bookmark", "Bookmark the current position", this::askBookmark));
        bar.add(action("Coverage", "Mark the lines the recording executed (and did not) in the source editors", () -> {
            if (target != null) {
                dev.rewind.debug.ui.CoverageAnnotations.show(target);
            }
        }));
        contexts = DebugUITools.getDebugContextManager().getContextService(getSite().getWorkbenchWindow());
        contexts.addDebugContextListener(this);
        DebugPlugin.getDefault().addDebugEventListener(this);
        DebugPlugin.getDefault().getBreakpointManager().addBreakpointListener(this);
        select(contexts.getActiveContext());
    }

    private static Action action(String text, String tip, Runnable run) {
        Action a = new Action(text) {
            @Override
            public void run() {
                run.run();
            }
        };
        a.setToolTipText(tip);
        return a;
    }

    @Override
    public void dispose() {
        fetch.stop();
        DebugPlugin.getDefault().removeDebugEventListener(this);
        DebugPlugin.getDefault().getBreakpointManager().removeBreakpointListener(this);
        if (contexts != null) {
            contexts.removeDebugContextListener(this);
        }
        super.dispose();
    }

    @Override
    public void setFocus() {
        canvas.setFocus();
    }

    // ---- what is shown ----

    /** The replay shown, or null. */
    public ReplayTarget target() {
        return target;
    }

    /** Shows {@code t}, all of its history (tests and the debug context use this). */
    public void setTarget(ReplayTarget t) {
        if (t == target && slice != null) {
            redraw(); // the debug context names the target again at every stop: its lanes stand
            return;
        }
        if (t != target) {
            target = t;
            slice = null;
            status = null;
            if (t != null) {
                from = t.startIcount();
                to = Math.max(t.endIcount(), from + 1);
            }
        }
        refetch();
    }

    /** The visible range's first position. */
    public long visibleFrom() {
        return from;
    }

    /** The end of the visible range (exclusive). */
    public long visibleTo() {
        return to;
    }

    /** The lanes last fetched (for the visible range or one before it), or null. */
    public TimelineLanes.Slice slice() {
        return slice;
    }

    /** What the fetch is doing or why it failed, or null. */
    String status() {
        return status;
    }

    /** Wall time of the last fetch of lanes for a range (after the first, which indexes), in ns. */
    public long lastFetchNanos() {
        return fetch.lastFetchNanos();
    }

    /** Wall time of the last paint, in ns. */
    public long lastPaintNanos() {
        return lastPaintNanos;
    }

    /** Paints now (UI thread) and returns what the paint cost, in ns. */
    public long paintNow() {
        canvas.redraw();
        canvas.update();
        return lastPaintNanos;
    }

    /** Shows [from, to) of the target's history, clamped to it. */
    public void showRange(long newFrom, long newTo) {
        ReplayTarget t = target;
        if (t == null) {
            return;
        }
        long start = t.startIcount();
        long end = Math.max(t.endIcount(), start + 1);
        long span = Math.max(Math.min(MIN_SPAN, end - start), Math.min(newTo - newFrom, end - start));
        long f = Math.max(start, Math.min(newFrom, end - span));
        from = f;
        to = f + span;
        refetch();
    }

    public void showAll() {
        ReplayTarget t = target;
        if (t != null) {
            showRange(t.startIcount(), t.endIcount());
        }
    }

    /** Zooms by {@code factor} (below 1: in) keeping {@code around} under the same pixel. */
    public void zoom(double factor, long around) {
        double span = (to - from) * factor;
        double left = (around - from) / (double) Math.max(1, to - from);
        long f = Math.round(around - left * span);
        showRange(f, f + Math.max(1, Math.round(span)));
    }

    private void pan(long delta) {
        showRange(from + delta, to + delta);
    }

    private long here() {
        ReplayTarget t = target;
        HartState s = t == null ? null : t.state();
        return s == null ? (from + to) / 2 : s.icount();
    }

    /** Bookmarks the current position under {@code name} (shared with gdb's monitor bookmark). */
    public void addBookmark(String name) throws CoreException {
        ReplayTarget t = target;
        if (t != null && t.state() != null) {
            TimelineLanes.addBookmark(t, t.state().icount(), name);
            refetch();
        }
    }

    private void askBookmark() {
        ReplayTarget t = target;
        if (t == null || t.state() == null) {
            return;
        }
        InputDialog d = new InputDialog(canvas.getShell(), "Bookmark", String.format(
                "A name for icount %,d (one word; gdb's 'monitor goto NAME' reaches it too):", t.state().icount()),
                "bookmark-" + (TimelineLanes.bookmarks(t).size() + 1), v -> {
                    try {
                        Bookmarks.checkName(v);
                        return null;
                    } catch (IllegalArgumentException e) {
                        return e.getMessage();
                    }
                });
        if (d.open() == Window.OK) {
            try {
                addBookmark(d.getValue());
            } catch (CoreException e) {
                MessageDialog.openError(canvas.getShell(), "Bookmark", e.getStatus().getMessage());
            }
        }
    }

    // ---- coordinates ----

    /** Width of the drawing in pixels. */
    public int canvasWidth() {
        return canvas.getClientArea().width;
    }

    int plotWidth() {
        return Math.max(1, canvas.getClientArea().width - TimelinePainter.LEFT - TimelinePainter.RIGHT);
    }

    /** The icount under pixel column {@code x} of the canvas, in the visible range. */
    public long icountAt(int x) {
        if (target == null) {
            return -1;
        }
        double f = Math.max(0, Math.min(1, (x - TimelinePainter.LEFT) / (double) plotWidth()));
        return from + Math.round(f * (to - from));
    }

    /** The pixel column of {@code icount} in the visible range (may lie outside the plot). */
    int xOf(long icount) {
        return TimelinePainter.LEFT + (int) Math.round((icount - from) / (double) Math.max(1, to - from) * plotWidth());
    }

    /** The mark drawn at (x, y), within a few pixels, or null. */
    public TimelineLanes.Mark markAt(int x, int y) {
        TimelineLanes.Slice s = slice;
        int lane = painter.laneAt(y);
        if (s == null || lane < 0) {
            return null;
        }
        TimelineLanes.Mark best = null;
        int bestDx = 4;
        for (TimelineLanes.Mark m : s.marks().get(lane)) {
            int dx = Math.abs(xOf(m.icount()) - x);
            if (dx <= bestDx) {
                best = m;
                bestDx = dx;
            }
        }
        return best;
    }

    /** The y of the middle of {@code lane}'s row. */
    public int laneY(TimelineLanes.Lane lane) {
        return TimelinePainter.laneTop(lane.ordinal()) + TimelinePainter.LANE_HEIGHT / 2;
    }

    /** The x where {@code icount} is drawn. */
    public int xAt(long icount) {
        return xOf(icount);
    }

    /** What hovering (x, y) shows: the mark's details, or the position there. */
    public String hoverText(int x, int y) {
        TimelineLanes.Mark m = markAt(x, y);
        if (m != null) {
            return m.text() + "\n(click to go there)";
        }
        if (target == null || x < TimelinePainter.LEFT) {
            return null;
        }
        return String.format("icount %,d (click to go there)", icountAt(x));
    }

    // ---- mouse and keys ----

    private void mouseDown(Event e) {
        if (e.button == 1) {
            dragX = e.x;
            dragFrom = from;
            dragging = false;
        }
    }

    private void mouseMove(Event e) {
        if (dragX >= 0 && (e.stateMask & SWT.BUTTON1) != 0) {
            if (dragging || Math.abs(e.x - dragX) > DRAG_SLOP) {
                dragging = true;
                long delta = Math.round((dragX - e.x) / (double) plotWidth() * (to - from));
                showRange(dragFrom + delta, dragFrom + delta + (to - from));
            }
            return;
        }
        String tip = hoverText(e.x, e.y);
        if (tip == null ? canvas.getToolTipText() != null : !tip.equals(canvas.getToolTipText())) {
            canvas.setToolTipText(tip);
        }
    }

    private void mouseUp(Event e) {
        if (e.button == 1 && dragX >= 0 && !dragging) {
            clickAt(e.x, e.y);
        }
        dragX = -1;
        dragging = false;
    }

    private void key(Event e) {
        switch (e.character) {
            case '+', '=' -> zoom(ZOOM_STEP, here());
            case '-' -> zoom(1 / ZOOM_STEP, here());
            case '0' -> showAll();
            default -> {
                if (e.keyCode == SWT.ARROW_LEFT) {
                    pan(-(to - from) / 10);
                } else if (e.keyCode == SWT.ARROW_RIGHT) {
                    pan((to - from) / 10);
                } else if (e.keyCode == SWT.HOME) {
                    showAll();
                }
            }
        }
    }

    /** Seeks to the event under (x, y), or to the position under x. */
    public void clickAt(int x, int y) {
        TimelineLanes.Mark m = markAt(x, y);
        seek(m != null ? m.icount() : icountAt(x));
    }

    /** Seeks the shown replay to the position under {@code x}, if it is suspended. */
    public void seekAt(int x) {
        seek(icountAt(x));
    }

    private void seek(long icount) {
        ReplayTarget t = target;
        if (t == null || !t.canMove() || icount < 0) {
            return;
        }
        try {
            t.seek(Math.min(icount, t.endIcount()));
        } catch (DebugException e) {
            // a replay that just ended or started moving: nothing to seek
        }
    }

    // ---- fetching and redrawing ----

    /** Asks for the lanes of the visible range (UI thread) and redraws. */
    private void refetch() {
        ReplayTarget t = target;
        if (t != null && canvas != null && !canvas.isDisposed() && !t.isTerminated()) {
            fetch.request(new TimelineFetch.Request(t, from, to, plotWidth()));
        }
        redraw();
    }

    @Override
    public void fetched(TimelineFetch.Request r, TimelineLanes.Slice s) {
        if (r.target() == target) {
            slice = s;
            status = null;
            redraw();
        }
    }

    @Override
    public void progress(String what, int permille) {
        status = what == null ? null : String.format("%s: %d%%", what, permille / 10);
        long now = System.nanoTime();
        if (what == null || now - lastProgressRedraw > 200_000_000L) {
            lastProgressRedraw = now;
            redraw();
        }
    }

    @Override
    public void failed(TimelineFetch.Request r, String message) {
        status = "events not available: " + message;
        redraw();
    }

    private void redraw() {
        Display d = Display.getDefault();
        d.asyncExec(() -> {
            if (canvas != null && !canvas.isDisposed()) {
                canvas.redraw();
            }
        });
    }

    private void refetchAsync() {
        Display.getDefault().asyncExec(() -> {
            if (canvas != null && !canvas.isDisposed()) {
                refetch();
            }
        });
    }

    @Override
    public void debugContextChanged(DebugContextEvent event) {
        if ((event.getFlags() & DebugContextEvent.ACTIVATED) != 0) {
            select(event.getContext());
        }
    }

    private void select(ISelection selection) {
        if (selection instanceof IStructuredSelection s && s.getFirstElement() != null) {
            ReplayTarget t = ReplayTargets.of(s.getFirstElement());
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
                    Display.getDefault().asyncExec(() -> {
                        if (target == null && canvas != null && !canvas.isDisposed()) {
                            setTarget(t);
                        }
                    });
                    return;
                }
                if (t == target) {
                    // a stop moves the position marker; only lanes that show the hits seen so far
                    // (before the whole-recording scan is done) can change
                    TimelineLanes.Slice s = slice;
                    if (e.getKind() == DebugEvent.SUSPEND && (s == null || !s.breakpointsKnown())) {
                        refetchAsync();
                    } else {
                        redraw();
                    }
                    return;
                }
            }
        }
    }

    @Override
    public void breakpointsAdded(IBreakpoint[] breakpoints) {
        refetchAsync();
    }

    @Override
    public void breakpointsRemoved(IBreakpoint[] breakpoints, IMarkerDelta[] deltas) {
        refetchAsync();
    }

    @Override
    public void breakpointsChanged(IBreakpoint[] breakpoints, IMarkerDelta[] deltas) {
        refetchAsync();
    }
}
