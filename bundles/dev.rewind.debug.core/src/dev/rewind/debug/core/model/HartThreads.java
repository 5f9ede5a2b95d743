package dev.rewind.debug.core.model;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.debug.core.DebugEvent;
import org.eclipse.debug.core.model.IThread;

import dev.rewind.replay.Stop;
import dev.rewind.replay.Timeline;

/**
 * The replayed machine's harts as Debug-view threads, one per hart, and what each looked like at
 * the last stop. All harts stop together (they share one position); the hart whose turn it was
 * (the one that hit the breakpoint, or stepped) is the current one, and its thread carries the
 * stop's reason.
 */
final class HartThreads {

    private final HartThread[] threads;
    /** Index = hart id; read by the views from any thread, written on the engine thread at a stop. */
    private volatile HartState[] states;
    private volatile int current;

    HartThreads(ReplayTarget target, int harts) {
        threads = new HartThread[harts];
        for (int i = 0; i < harts; i++) {
            threads[i] = new HartThread(target, i);
        }
        states = new HartState[harts];
    }

    /** Engine thread: every hart at {@code stop}; the current hart's state holds the globals and console they share. */
    static HartState[] capture(Timeline timeline, SourceStepper stepper, Stop stop) {
        int n = timeline.machine().harts();
        int cur = timeline.machine().currentHart();
        HartState[] all = new HartState[n];
        all[cur] = HartState.capture(timeline, stepper, stop);
        for (int h = 0; h < n; h++) {
            if (h != cur) {
                all[h] = HartState.capture(timeline, stepper, stop, h, all[cur]);
            }
        }
        return all;
    }

    /** Publishes the states of a stop; returns the current hart's. */
    HartState stopped(HartState[] all, int currentHart) {
        current = currentHart;
        states = all;
        return all[currentHart];
    }

    HartState state(int hart) {
        return states[hart];
    }

    HartThread current() {
        return threads[current];
    }

    boolean isCurrent(int hart) {
        return hart == current;
    }

    HartThread thread(int hart) {
        return threads[hart];
    }

    int count() {
        return threads.length;
    }

    IThread[] all() {
        return threads.clone();
    }

    void fireCreation() {
        for (HartThread t : threads) {
            t.fireCreationEvent();
        }
    }

    void fireResume(int detail) {
        for (HartThread t : threads) {
            t.fireResumeEvent(detail);
        }
    }

    void fireTerminate() {
        for (HartThread t : threads) {
            t.fireTerminateEvent();
        }
    }

    /** SUSPEND events of a stop: the current hart's first, with the stop's detail and the {@link Stop} as data. */
    List<DebugEvent> suspendEvents(int detail, Stop stop) {
        List<DebugEvent> events = new ArrayList<>();
        DebugEvent own = new DebugEvent(threads[current], DebugEvent.SUSPEND, detail);
        own.setData(stop);
        events.add(own);
        for (int h = 0; h < threads.length; h++) {
            if (h != current) {
                events.add(new DebugEvent(threads[h], DebugEvent.SUSPEND, DebugEvent.UNSPECIFIED));
            }
        }
        return events;
    }
}
