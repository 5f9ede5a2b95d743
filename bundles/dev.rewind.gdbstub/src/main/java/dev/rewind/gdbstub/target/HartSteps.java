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

    /** Back to just before hart {@code h}'s previous instruction (see {@link HartPositions}). */
    static StopEvent back(Timeline session, int h) {
        return HartPositions.previous(session, h) ? StopEvent.stepped() : StopEvent.historyBegin();
    }
}
