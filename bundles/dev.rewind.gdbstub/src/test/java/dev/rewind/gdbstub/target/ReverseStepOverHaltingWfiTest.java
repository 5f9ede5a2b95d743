package dev.rewind.gdbstub.target;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

import dev.rewind.gdbstub.Interruption;
import dev.rewind.gdbstub.ResumeMode;
import dev.rewind.gdbstub.StopEvent;
import dev.rewind.replay.Stop;
import dev.rewind.replay.Timeline;
import dev.rewind.replay.TimeTravel;

/**
 * A WFI that halts the hart retires two icounts (the emulator follows QEMU 7.2's icount), so the
 * position in its middle does not exist: a seek there lands after the WFI. Stepping back from
 * just after such a WFI must still move back, to just before it.
 */
public class ReverseStepOverHaltingWfiTest {

    /** Replays the timer guest forward to just after its first halting WFI; returns the WFI's icount. */
    private static long toAfterFirstHaltingWfi(Timeline s) {
        TimeTravel travel = new TimeTravel(s);
        while (s.icount() < s.endIcount()) {
            long before = s.icount();
            boolean wfi = s.machine().mnemonicAt(s.machine().pc()).equals("wfi");
            travel.stepForward();
            if (wfi && s.icount() == before + 2) {
                return before;
            }
        }
        throw new AssertionError("no halting WFI in the timer guest");
    }

    @Test
    public void replayTargetReverseStepGoesBackOverTheWfi() throws Exception {
        RecordedGuest timer = RecordedGuest.of("timer", null);
        try (Timeline s = Timeline.open(timer.log, Timeline.Options.defaults().withSnapshotInterval(1000))) {
            long wfiAt = toAfterFirstHaltingWfi(s);
            long wfiPc = s.machine().pc() - 4;
            ReplayTarget target = new ReplayTarget(s);
            StopEvent e = target.resume(ResumeMode.REVERSE_STEP, Interruption.NEVER);
            assertEquals(e.toString(), wfiAt, s.icount());
            assertEquals(wfiPc, s.machine().pc());
            target.resume(ResumeMode.REVERSE_STEP, Interruption.NEVER);
            assertEquals(wfiAt - 1, s.icount());
            // and forward again over the WFI
            target.resume(ResumeMode.STEP, Interruption.NEVER);
            target.resume(ResumeMode.STEP, Interruption.NEVER);
            assertEquals(wfiAt + 2, s.icount());
        }
    }

    @Test
    public void replayTargetReverseStepOverTheWfiWithAWatchpointSet() throws Exception {
        RecordedGuest timer = RecordedGuest.of("timer", null);
        try (Timeline s = Timeline.open(timer.log, Timeline.Options.defaults().withSnapshotInterval(1000))) {
            long wfiAt = toAfterFirstHaltingWfi(s);
            ReplayTarget target = new ReplayTarget(s);
            target.insertBreakpoint(dev.rewind.gdbstub.BreakpointType.WRITE_WATCH, 0x80000000L, 8); // never written here
            target.resume(ResumeMode.REVERSE_STEP, Interruption.NEVER);
            assertEquals(wfiAt, s.icount());
        }
    }

    @Test
    public void timeTravelStepBackGoesBackOverTheWfi() throws Exception {
        RecordedGuest timer = RecordedGuest.of("timer", null);
        try (Timeline s = Timeline.open(timer.log, Timeline.Options.defaults().withSnapshotInterval(1000))) {
            long wfiAt = toAfterFirstHaltingWfi(s);
            TimeTravel travel = new TimeTravel(s);
            Stop stop = travel.stepBack();
            assertTrue(stop.toString(), s.icount() < wfiAt + 2);
            assertEquals(wfiAt, s.icount());
        }
    }
}
