package dev.rewind.debug.ui.views;

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
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.part.ViewPart;

import dev.rewind.debug.core.model.HartState;
import dev.rewind.debug.core.model.ReplayTarget;

/**
 * A view of the replay's machine at the current position: it follows the debug context's
 * Rewind target and re-reads its state after every stop, forwards or backwards. Subclasses
 * read on the caller's thread ({@link #read}, which may ask the engine) and show on the UI
 * thread ({@link #show}); the time from the stop to the shown state is kept for benchmarks.
 *
 * @param <D> what one refresh reads
 */
abstract class ReplayStateView<D> extends ViewPart implements IDebugContextListener, IDebugEventSetListener {

    private volatile ReplayTarget target;
    private IDebugContextService contexts;
    private volatile long shownIcount = -1;
    private volatile long lastRefreshNanos;
    private final Object refreshing = new Object();

    /** Call at the end of createPartControl. */
    protected final void startFollowing() {
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

    /** The replay shown, or null. */
    public final ReplayTarget target() {
        return target;
    }

    /** Shows {@code t} (tests and the debug context use this) and reads it if it is suspended. */
    public final void setTarget(ReplayTarget t) {
        if (t != target) {
            target = t;
            shownIcount = -1;
            targetChanged(t);
        }
        refreshAsync();
    }

    /** The icount of the state on screen, or -1. */
    public final long shownIcount() {
        return shownIcount;
    }

    /** Wall time of the last refresh, from its start to the state on screen, in ns. */
    public final long lastRefreshNanos() {
        return lastRefreshNanos;
    }

    /** A new target is shown (UI or any thread); forget per-target state. */
    protected void targetChanged(ReplayTarget t) {
    }

    /** Reads what the view shows of {@code t} at {@code state}; not on the UI thread. */
    protected abstract D read(ReplayTarget t, HartState state) throws DebugException;

    /** Shows what {@link #read} returned; UI thread. */
    protected abstract void show(ReplayTarget t, HartState state, D data);

    /** Shows that nothing can be read (running, terminated or failed); UI thread. */
    protected abstract void showUnavailable(String why);

    /** Re-reads now on a background thread (also after a view-local change such as a new address). */
    public final void refreshAsync() {
        Thread t = new Thread(this::refresh, "Rewind view refresh");
        t.setDaemon(true);
        t.start();
    }

    /** Reads the target's current state and shows it; any thread but the UI thread. */
    final void refresh() {
        synchronized (refreshing) {
            ReplayTarget t = target;
            long t0 = System.nanoTime();
            if (t == null || t.isTerminated() || !t.isSuspended() || t.state() == null) {
                String why = t == null ? "No Rewind replay selected." : t.isTerminated() ? "The replay has ended." : "Running...";
                asyncUi(() -> showUnavailable(why));
                return;
            }
            HartState st = t.state();
            D data;
            try {
                data = read(t, st);
            } catch (DebugException | RuntimeException e) {
                asyncUi(() -> showUnavailable(e.getMessage()));
                return;
            }
            Display d = Display.getDefault();
            d.syncExec(() -> {
                if (!isDisposed() && t == target) {
                    show(t, st, data);
                    shownIcount = st.icount();
                }
            });
            lastRefreshNanos = System.nanoTime() - t0;
        }
    }

    protected abstract boolean isDisposed();

    private void asyncUi(Runnable r) {
        Display.getDefault().asyncExec(() -> {
            if (!isDisposed()) {
                r.run();
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
            if (t != null && t != target) {
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
                // a move keeps the old state on screen until the stop: the next one is compared with it
                if (t == target && (e.getKind() == DebugEvent.SUSPEND || e.getKind() == DebugEvent.TERMINATE)) {
                    refresh(); // the debug plug-in's event thread, not the UI thread
                    return;
                }
            }
        }
    }
}
