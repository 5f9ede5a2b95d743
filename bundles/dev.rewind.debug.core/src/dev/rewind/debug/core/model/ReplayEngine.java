package dev.rewind.debug.core.model;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.debug.core.DebugException;

import dev.rewind.debug.core.RewindDebugCore;
import dev.rewind.replay.Timeline;
import dev.rewind.replay.TimeTravel;
import dev.rewind.symbols.ProgramSymbols;

/**
 * The replay engine of one debug target and the one thread that may touch it: every call into
 * the timeline, the machine or {@link TimeTravel} is a task on that thread.
 */
public final class ReplayEngine {

    /** Name prefix of engine threads (tests check none outlives its target). */
    public static final String THREAD_PREFIX = "Rewind replay engine";
    private static final long QUERY_TIMEOUT_S = 30;

    private final Timeline timeline;
    private final TimeTravel travel;
    private final ProgramSymbols symbols;
    private final SourceStepper stepper;
    private final ExecutorService thread;

    ReplayEngine(Timeline timeline, ProgramSymbols symbols, String name) {
        this.timeline = timeline;
        this.travel = new TimeTravel(timeline);
        this.symbols = symbols;
        this.stepper = new SourceStepper(timeline, travel, symbols);
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, THREAD_PREFIX + ": " + name);
            t.setDaemon(true);
            return t;
        });
    }

    Timeline timeline() {
        return timeline;
    }

    TimeTravel travel() {
        return travel;
    }

    SourceStepper stepper() {
        return stepper;
    }

    public ProgramSymbols symbols() {
        return symbols;
    }

    <T> Future<T> submit(Callable<T> task) {
        return thread.submit(task);
    }

    /** Runs a short query on the engine thread and waits for its answer. */
    <T> T call(Callable<T> task) throws DebugException {
        try {
            return thread.submit(task).get(QUERY_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw error("interrupted while waiting for the replay engine", e);
        } catch (ExecutionException e) {
            throw error("the replay engine failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw error("the replay engine is busy; suspend the target first", e);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw error("the replay has ended", e);
        }
    }

    /** Ends the engine thread, then closes the timeline on it... or here once it is gone. */
    void shutdown() {
        thread.submit(() -> {
            try {
                timeline.close();
            } catch (IOException e) {
                RewindDebugCore.log(new Status(IStatus.WARNING, RewindDebugCore.PLUGIN_ID, "closing the replay: " + e.getMessage()));
            }
        });
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The refusal of a write to {@code what} ("registers", "memory"): the views show its message
     * as it is (a dialog with the text, no stack trace: there is no cause).
     */
    static DebugException readOnly(String what) {
        return error("Cannot change " + what + " during a replay: history is read-only (the replay shows what the recording did,"
                + " and a change would make it differ from the recording)", null);
    }

    static DebugException error(String message, Throwable cause) {
        return new DebugException(new Status(IStatus.ERROR, RewindDebugCore.PLUGIN_ID, DebugException.TARGET_REQUEST_FAILED,
                message, cause));
    }
}
