package dev.rewind.debug.ui.views;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.core.runtime.OperationCanceledException;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;

import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.debug.core.model.TimelineLanes;

/**
 * Fetches the Timeline's event lanes for the range the view wants, off the UI thread. A newer
 * request does not cancel the fetch under way (the first one indexes the recording, which a
 * restart would lose); the job fetches again when it ends. The index and the whole-recording
 * breakpoint scan report progress; the Progress view's cancel stops them.
 */
final class TimelineFetch extends Job {

    /** What the view shows: a target, a range and the number of pixel columns. */
    record Request(ReplayTarget target, long from, long to, int columns) {
    }

    /** Called (on the job's thread) with each result, and with progress while indexing. */
    interface Sink {
        void fetched(Request r, TimelineLanes.Slice slice);

        void progress(String what, int permille);

        void failed(Request r, String message);
    }

    private final Sink sink;
    private volatile Request wanted;
    private volatile long lastFetchNanos;

    TimelineFetch(Sink sink) {
        super("Timeline events");
        this.sink = sink;
        setPriority(Job.SHORT);
    }

    /** Asks for {@code r}; fetches now, or after the fetch under way. */
    void request(Request r) {
        wanted = r;
        schedule();
    }

    /** Wall time of the last fetch of the lanes from the index (the first one includes indexing), in ns. */
    long lastFetchNanos() {
        return lastFetchNanos;
    }

    /** Forgets what was asked and stops a fetch under way (the view closed or its target ended). */
    void stop() {
        wanted = null;
        cancel();
    }

    @Override
    protected IStatus run(IProgressMonitor monitor) {
        monitor.beginTask(getName(), IProgressMonitor.UNKNOWN);
        try {
            for (Request r; (r = wanted) != null;) {
                if (r.target().isTerminated()) {
                    return Status.OK_STATUS;
                }
                // lanes from the index first, then again with every breakpoint hit of the recording
                long t0 = System.nanoTime();
                TimelineLanes.Slice s = TimelineLanes.fetch(r.target(), r.from(), r.to(), r.columns(), false,
                        reporting(monitor, "indexing the recording's events", sink::progress));
                lastFetchNanos = System.nanoTime() - t0;
                sink.fetched(r, s);
                if (wanted == r) {
                    s = TimelineLanes.fetch(r.target(), r.from(), r.to(), r.columns(), true,
                            reporting(monitor, "finding every breakpoint hit", sink::progress));
                    sink.fetched(r, s);
                }
                if (wanted == r) {
                    wanted = null;
                }
            }
            return Status.OK_STATUS;
        } catch (OperationCanceledException e) {
            return Status.CANCEL_STATUS;
        } catch (CoreException e) {
            Request r = wanted;
            sink.failed(r, e.getStatus().getMessage());
            return Status.OK_STATUS;
        } finally {
            sink.progress(null, 0);
            monitor.done();
        }
    }

    /** A monitor for one query: its permille go to {@code out}, cancel comes from the job's monitor. */
    private static IProgressMonitor reporting(IProgressMonitor job, String what, ProgressOut out) {
        return new NullProgressMonitor() {
            private int done;

            @Override
            public void worked(int work) {
                done = Math.min(1000, done + work);
                out.report(what, done);
            }

            @Override
            public boolean isCanceled() {
                return job.isCanceled();
            }
        };
    }

    @FunctionalInterface
    private interface ProgressOut {
        void report(String what, int permille);
    }
}
