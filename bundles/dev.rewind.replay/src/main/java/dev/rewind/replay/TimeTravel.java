package dev.rewind.replay;

import dev.rewind.emulator.WatchHit;

/**
 * Forward and reverse movements over a {@link Timeline}. Positions are icounts: at
 * position {@code c} the instruction numbered {@code c} has not executed yet.
 *
 * <p>Reverse continue scans snapshot intervals from the newest backwards: each interval
 * {@code [s, c)} is replayed with breakpoints and watchpoints watched, remembering the last hit;
 * every instruction of the interval is examined, including the one just before {@code c}
 * (QEMU's pass stops one short and can skip it). The first interval with a hit decides; a scan
 * that reaches the start of history stops there and says so.
 */
public final class TimeTravel {

    /** Where and why a movement stopped. */
    public record Stop(Kind kind, long icount, long pc, WatchHit watch) {
        public enum Kind {
            /** The requested step or seek completed. */
            STEP,
            /** Before an instruction at a breakpoint. */
            BREAKPOINT,
            /** At a watched access: forwards after it, backwards before it. */
            WATCHPOINT,
            /** Backwards: the start of the recorded history was reached (gdb: replaylog:begin). */
            HISTORY_BEGIN,
            /** Forwards: the end of the recorded history was reached (gdb: replaylog:end). */
            HISTORY_END,
            /** Stopped on request. */
            INTERRUPTED
        }
    }

    private final Timeline timeline;

    public TimeTravel(Timeline timeline) {
        this.timeline = timeline;
    }

    public Timeline timeline() {
        return timeline;
    }

    private Stop stop(Stop.Kind kind, WatchHit watch) {
        return new Stop(kind, timeline.icount(), timeline.machine().pc(), watch);
    }

    /** Executes one instruction. */
    public Stop stepForward() {
        long now = timeline.icount();
        if (now >= timeline.endIcount()) {
            return stop(Stop.Kind.HISTORY_END, null);
        }
        ReplayStop r = timeline.run(now + 1, true);
        return forwardStop(r, Stop.Kind.STEP);
    }

    /** Runs forward to the next breakpoint or watchpoint, or the end of history. */
    public Stop continueForward() {
        ReplayStop r = timeline.run(Long.MAX_VALUE, true);
        return forwardStop(r, Stop.Kind.HISTORY_END);
    }

    /** Runs forward to {@code icount} (or an earlier breakpoint/watchpoint). */
    public Stop runTo(long icount) {
        ReplayStop r = timeline.run(icount, true);
        return forwardStop(r, Stop.Kind.STEP);
    }

    private Stop forwardStop(ReplayStop r, Stop.Kind onLimit) {
        Stop stop = switch (r) {
            case BREAKPOINT -> stop(Stop.Kind.BREAKPOINT, null);
            case WATCHPOINT -> stop(Stop.Kind.WATCHPOINT, timeline.lastWatchHit());
            case END_OF_HISTORY -> stop(Stop.Kind.HISTORY_END, null);
            case INTERRUPTED -> stop(Stop.Kind.INTERRUPTED, null);
            // a step or run that ends right before a breakpoint has reached it
            case LIMIT -> stop(timeline.hasBreakpoint(timeline.machine().pc()) ? Stop.Kind.BREAKPOINT : Stop.Kind.STEP, null);
        };
        timeline.leaveSnapshotsBehind(); // so that a step back from wherever this stopped is cheap
        return stop;
    }

    /**
     * Goes back one instruction: to just before the previously executed one. Usually that is
     * {@code icount - 1}; but a WFI that halts the hart retires two icounts (as QEMU counts it),
     * so the position inside it does not exist and a seek there lands after it again: then the
     * position before it is one further back.
     */
    public Stop stepBack() {
        long now = timeline.icount();
        long start = timeline.startIcount();
        if (now <= start) {
            return stop(Stop.Kind.HISTORY_BEGIN, null);
        }
        for (long target = now - 1; target >= start; target--) {
            timeline.seek(target);
            if (timeline.icount() < now) {
                break;
            }
        }
        return stop(Stop.Kind.STEP, null);
    }

    /** Moves to {@code icount} without watching (monitor {@code replay_seek}). */
    public Stop seek(long icount) {
        timeline.seek(icount);
        return stop(Stop.Kind.STEP, null);
    }

    /**
     * Goes back to the last breakpoint or watchpoint hit strictly before the current position;
     * with none, to the start of history.
     */
    public Stop continueBack() {
        long current = timeline.icount();
        long start = timeline.startIcount();
        if (current <= start) {
            return stop(Stop.Kind.HISTORY_BEGIN, null);
        }
        long hi = current;
        while (hi > start) {
            SnapshotStore.Snapshot s = timeline.snapshots().floor(hi - 1);
            long lo = s.icount();
            timeline.restore(s);
            long lastHit = -1;
            WatchHit lastWatch = null;
            if (timeline.hasBreakpoint(timeline.machine().pc()) && timeline.icount() < hi) {
                lastHit = timeline.icount(); // the run below steps off it, so count it here
            }
            while (timeline.icount() < hi) {
                ReplayStop r = timeline.scan(hi);
                long at = timeline.icount();
                if (r == ReplayStop.BREAKPOINT && at < hi) {
                    lastHit = at;
                    lastWatch = null;
                } else if (r == ReplayStop.WATCHPOINT) {
                    // the access was made by the instruction that just retired: stop before it
                    lastHit = at - 1;
                    lastWatch = timeline.lastWatchHit();
                } else if (r == ReplayStop.INTERRUPTED) {
                    return stop(Stop.Kind.INTERRUPTED, null);
                } else if (r != ReplayStop.BREAKPOINT) {
                    break;
                }
            }
            if (lastHit >= 0) {
                timeline.seek(lastHit);
                return stop(lastWatch != null ? Stop.Kind.WATCHPOINT : Stop.Kind.BREAKPOINT, lastWatch);
            }
            hi = lo;
        }
        timeline.seek(start);
        return stop(Stop.Kind.HISTORY_BEGIN, null);
    }
}
