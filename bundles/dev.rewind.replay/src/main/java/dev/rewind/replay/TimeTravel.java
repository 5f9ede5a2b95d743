package dev.rewind.replay;

import dev.rewind.emulator.WatchHit;

/**
 * Forward and reverse movements over a {@link Timeline}. Positions are icounts: at position
 * {@code c} the instruction numbered {@code c} has not executed yet. Every movement stops at the
 * timeline's stop conditions and at the temporary ones it is given, and reports a {@link Stop}.
 *
 * <p>Reverse continue scans snapshot intervals from the newest backwards: each interval
 * {@code [s, c)} is replayed with breakpoints and watchpoints watched, remembering the last hit;
 * every instruction of the interval is examined, including the one just before {@code c}
 * (QEMU's pass stops one short and can skip it). The first interval with a hit decides; a scan
 * that reaches the start of history stops there and says so. With only breakpoints set, the
 * recording's {@link CodePageIndex} tells which stretches ran none of their pages: those are
 * skipped, so a hit far back costs the replay of its own stretch, not of the distance.
 */
public final class TimeTravel {

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
        return settled(timeline.run(now + 1), StopConditions.NONE);
    }

    /** Runs forward to the next breakpoint or watchpoint, or the end of history. */
    public Stop continueForward() {
        return continueForward(StopConditions.NONE);
    }

    /** Runs forward to the next breakpoint or watchpoint, of the user's or {@code temporary}, or the end of history. */
    public Stop continueForward(StopConditions temporary) {
        return settled(timeline.run(Long.MAX_VALUE, temporary), temporary);
    }

    /** Runs forward to {@code icount} (or an earlier breakpoint/watchpoint). */
    public Stop runTo(long icount) {
        return settled(timeline.run(icount), StopConditions.NONE);
    }

    /**
     * A forward stop as reported: a step or run that ends right before a breakpoint has reached
     * it. Leaves snapshots close behind wherever it stopped, so that a step back from there is
     * cheap.
     */
    private Stop settled(Stop s, StopConditions temporary) {
        if (s.kind() == Stop.Kind.STEP && (timeline.stops().hasBreakpoint(s.pc()) || temporary.hasBreakpoint(s.pc()))) {
            s = stop(Stop.Kind.BREAKPOINT, null);
        }
        timeline.leaveSnapshotsBehind();
        return s;
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
        return continueBack(StopConditions.NONE);
    }

    /** Like {@link #continueBack()}, also stopping at {@code temporary} (e.g. a function's entry). */
    public Stop continueBack(StopConditions temporary) {
        long current = timeline.icount();
        long start = timeline.startIcount();
        if (current <= start) {
            return stop(Stop.Kind.HISTORY_BEGIN, null);
        }
        long hi = current;
        while (hi > start) {
            // Stretches that ran no breakpoint's page cannot hold a hit: start at the last one that did.
            hi = timeline.lastBreakpointCodeBefore(hi, temporary);
            if (hi <= start) {
                break;
            }
            long lo = timeline.restoreBefore(hi);
            long lastHit = -1;
            WatchHit lastWatch = null;
            long pc = timeline.machine().pc();
            if ((timeline.stops().hasBreakpoint(pc) || temporary.hasBreakpoint(pc)) && timeline.icount() < hi) {
                lastHit = timeline.icount(); // the run below steps off it, so count it here
            }
            while (timeline.icount() < hi) {
                Stop r = timeline.scan(hi, temporary);
                long at = r.icount();
                if (r.kind() == Stop.Kind.BREAKPOINT && at < hi) {
                    lastHit = at;
                    lastWatch = null;
                } else if (r.kind() == Stop.Kind.WATCHPOINT) {
                    // the access was made by the instruction that just retired: stop before it
                    lastHit = at - 1;
                    lastWatch = r.watch();
                } else if (r.kind() == Stop.Kind.INTERRUPTED) {
                    return r;
                } else if (r.kind() != Stop.Kind.BREAKPOINT) {
                    break;
                }
            }
            if (lastHit >= 0) {
                timeline.seek(lastHit);
                long at = timeline.machine().pc();
                if (lastWatch == null && lastHit > start && !timeline.stops().hasBreakpoint(at) && !temporary.hasBreakpoint(at)) {
                    // An interrupt taken at this boundary led to the breakpoint (its handler's entry):
                    // a seek stops before taking it. A run from the instruction before takes it and
                    // stops at the breakpoint (a run steps off a breakpoint only at its first pc).
                    timeline.seek(lastHit - 1);
                    timeline.run(lastHit + 1, temporary);
                }
                return stop(lastWatch != null ? Stop.Kind.WATCHPOINT : Stop.Kind.BREAKPOINT, lastWatch);
            }
            hi = lo;
        }
        timeline.seek(start);
        return stop(Stop.Kind.HISTORY_BEGIN, null);
    }
}
