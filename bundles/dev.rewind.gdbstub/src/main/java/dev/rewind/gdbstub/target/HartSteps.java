package dev.rewind.gdbstub.target;

import java.util.Map;

import dev.rewind.emulator.VirtMachine;
import dev.rewind.gdbstub.BreakpointType;
import dev.rewind.gdbstub.StopEvent;
import dev.rewind.replay.HartPositions;
import dev.rewind.replay.Timeline;

/**
 * Steps of one hart of several in a replay (gdb's {@code stepi} / {@code reverse-stepi} on a
 * thread). The harts interleave by turns (the emulator's HartScheduler), so the selected hart's
 * next or previous instruction may lie thousands of instructions of other harts away.
 */
final class HartSteps {

    private HartSteps() {
    }

    /**
     * Forwards until hart {@code h} retired one more instruction; other harts run their turns
     * meanwhile and stop the step at a breakpoint, watched access or the end of history.
     */
    static StopEvent forward(ReplayTarget target, Timeline session, int h, Map<Long, BreakpointType> breakpoints) {
        VirtMachine m = session.machine();
        long goal = m.retired(h) + 1;
        for (long n = 0; m.retired(h) < goal; n++) {
            if (n > 0 && m.currentHart() != h && breakpoints.containsKey(m.pc())) {
                return StopEvent.breakpoint(breakpoints.get(m.pc()));
            }
            StopEvent e = target.step();
            if (e.reason() != StopEvent.Reason.STEPPED) {
                return e;
            }
        }
        return StopEvent.stepped();
    }

    /** Most machine steps {@link #alone} takes: more than a turn (the scheduler's quantum is 10,000). */
    static final int ALONE_STEPS = 20_000;

    /**
     * Hart {@code h} resumed alone: gdb's {@code vCont;c:N}, with which it steps a thread over a
     * breakpoint (a temporary breakpoint at the next pc) and means the other threads to stay
     * stopped. The interleaving is fixed, so they cannot; instead {@code h} runs instruction by
     * instruction to the end of its turn at most. Its breakpoint, watched access or the end of
     * history stop it as usual; where its turn ends (it waits in WFI, or its quantum is over) at a
     * breakpoint address, that is its stop, before any other hart moves, so a hart gdb holds stopped
     * never takes the temporary breakpoint (gdb 13 then fails with "Recursive internal problem").
     * Returns null where the turn ended elsewhere, at the position where it ended.
     */
    static StopEvent alone(ReplayTarget target, Timeline session, int h, Map<Long, BreakpointType> breakpoints) {
        VirtMachine m = session.machine();
        for (int n = 0; n < ALONE_STEPS; n++) {
            long before = session.icount();
            StopEvent e = target.step();
            if (m.currentHart() != h) {
                session.seek(before); // the end of h's turn: before the next hart's first instruction
                BreakpointType at = breakpoints.get(m.hart(h).pc());
                return at == null ? null : StopEvent.breakpoint(at);
            }
            if (e.reason() != StopEvent.Reason.STEPPED) {
                return e;
            }
            if (breakpoints.containsKey(m.pc())) {
                return StopEvent.breakpoint(breakpoints.get(m.pc()));
            }
        }
        return null;
    }

    /** Back to just before hart {@code h}'s previous instruction (see {@link HartPositions}). */
    static StopEvent back(Timeline session, int h) {
        return HartPositions.previous(session, h) ? StopEvent.stepped() : StopEvent.historyBegin();
    }
}
