package dev.rewind.debug.core.launch;

import java.io.IOException;
import java.nio.file.Path;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;

import dev.rewind.debug.core.RewindDebugCore;
import dev.rewind.emulator.StopReason;
import dev.rewind.replay.RecordSession;

/**
 * Runs one recording. The machine runs on its own thread (the engine is single-threaded and
 * must not share the job's thread with progress reporting); the job watches it, shows icount
 * and speed, and turns a cancel into {@link RecordSession#requestStop()}.
 */
public final class RecordJob extends Job {

    /** Job family of every recording, for waiting on them. */
    public static final Object FAMILY = new Object();
    private static final long PROGRESS_MS = 250;

    private final RecordSession session;
    private final RecordProcess process;
    private final Path recording;
    private final long maxIcount;
    private volatile RecordSession.Result result;
    private volatile Throwable failure;
    private volatile double mips;

    RecordJob(String name, RecordSession session, RecordProcess process, Path recording, long maxIcount) {
        super(name);
        this.session = session;
        this.process = process;
        this.recording = recording;
        this.maxIcount = maxIcount;
        setUser(false);
        process.onTerminate(this::stop);
    }

    private void stop() {
        session.requestStop();
        process.getStreamsProxy().input().close();
    }

    @Override
    public boolean belongsTo(Object family) {
        return family == FAMILY;
    }

    @Override
    protected void canceling() {
        stop();
    }

    /** The outcome, once the job is done; null before or after a failure. */
    public RecordSession.Result result() {
        return result;
    }

    public double mips() {
        return mips;
    }

    @Override
    protected IStatus run(IProgressMonitor monitor) {
        monitor.beginTask(getName(), IProgressMonitor.UNKNOWN);
        Thread engine = new Thread(this::record, "Rewind recorder: " + recording.getFileName());
        engine.setDaemon(true);
        long t0 = System.nanoTime();
        engine.start();
        try {
            while (engine.isAlive()) {
                engine.join(PROGRESS_MS);
                if (monitor.isCanceled()) {
                    stop();
                }
                // A racy read of a counter, for display only.
                long icount = session.machine().icount();
                double seconds = (System.nanoTime() - t0) / 1e9;
                monitor.subTask(String.format("%,d instructions, %.1f MIPS", icount, icount / seconds / 1e6));
                monitor.worked(1);
            }
        } catch (InterruptedException e) {
            stop();
            Thread.currentThread().interrupt();
        }
        double seconds = Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
        IStatus status = report(seconds);
        monitor.done();
        return status;
    }

    private void record() {
        try {
            result = session.run(maxIcount);
        } catch (IOException | RuntimeException e) {
            failure = e;
        } finally {
            try {
                session.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
    }

    private IStatus report(double seconds) {
        UartStreams streams = process.getStreamsProxy();
        streams.uart().flush();
        RecordSession.Result r = result;
        IStatus status;
        if (r == null) {
            Throwable f = failure;
            String why = f == null ? "unknown reason" : f.getMessage() == null ? f.getClass().getSimpleName() : f.getMessage();
            status = new Status(IStatus.ERROR, RewindDebugCore.PLUGIN_ID, "Recording into " + recording + " failed: " + why);
            streams.message("\n[rewind] " + status.getMessage() + "\n");
            process.ended(-1);
            return status;
        }
        mips = r.icount() / seconds / 1e6;
        String how = switch (r.reason()) {
            case EXIT -> "the program exited with code " + r.exitCode();
            case REQUESTED -> "stopped on request";
            case LIMIT -> "reached the instruction limit";
            case IDLE -> "the program waits for input that will never come";
            default -> r.reason().toString().toLowerCase();
        };
        String msg = String.format("Recorded %,d instructions (%.1f MIPS, %d input events) into %s: %s.", r.icount(), mips,
                r.events(), recording, how);
        streams.message("\n[rewind] " + msg + "\n");
        process.setAttribute("dev.rewind.recording", recording.toString());
        process.ended(r.reason() == StopReason.EXIT ? r.exitCode() : 0);
        return new Status(IStatus.OK, RewindDebugCore.PLUGIN_ID, msg);
    }
}
