package dev.rewind.replay;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import dev.rewind.emulator.ElfImage;

/**
 * The first reverse step after arriving somewhere costs a replay from the nearest snapshot
 * before that position, so every way of arriving must leave one close behind: a run to a known
 * icount (replay_break, seek) at most 256 instructions back, a stop at a breakpoint (anywhere) at
 * most {@link Timeline#SETTLED}. Those extra snapshots must stay near the position.
 */
public class StepBackFromAnyStopReplaysLittleTest {

    private static final long INTERVAL = Timeline.Options.DEFAULT_INTERVAL;
    private static final long LENGTH = 30_000_000L;
    private static Path dir;
    private static Path log;
    private static long milestone;

    @BeforeClass
    public static void recordTicktock() throws Exception {
        dir = Files.createTempDirectory("rewind-stepback");
        log = dir.resolve("ticktock.rrlog");
        Path elf = GuestPrograms.elf("ticktock");
        milestone = ElfImage.read(elf).symbol("milestone").orElseThrow();
        try (RecordSession s = RecordSession.start(RecordSession.Options.of(elf, log).withMachine(16L << 20, 0))) {
            assertEquals(LENGTH, s.run(LENGTH).icount());
        }
    }

    @AfterClass
    public static void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    private static long behind(Timeline s) {
        return s.icount() - s.snapshots().floor(s.icount() - 1).icount();
    }

    /** Steps back and checks the state against a straight replay to the same icount. */
    private static void stepBackMatchesStraightReplay(Timeline s) throws Exception {
        long target = s.icount() - 1;
        new TimeTravel(s).stepBack();
        assertEquals(target, s.icount());
        try (Timeline straight = Timeline.open(log, Timeline.Options.defaults())) {
            straight.replayTo(target);
            assertArrayEquals("state at " + target, straight.captureState().digest(), s.captureState().digest());
        }
    }

    @Test
    public void aRunToAnIcountLeavesASnapshotAtMost256InstructionsBehind() throws Exception {
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults())) {
            TimeTravel travel = new TimeTravel(s);
            for (long target : new long[] {1_000_000L, 25_000_007L, 29_999_999L}) {
                assertEquals(Stop.Kind.STEP, travel.runTo(target).kind());
                assertEquals(target, s.icount());
                assertTrue("nearest snapshot " + behind(s) + " before " + target, behind(s) <= 256);
                stepBackMatchesStraightReplay(s);
            }
        }
    }

    @Test
    public void aSeekOntoAPeriodicSnapshotStillLeavesOneJustBehind() throws Exception {
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults())) {
            s.seek(LENGTH); // periodic snapshots at 10M and 20M, none between them
            for (long target : new long[] {2 * INTERVAL, INTERVAL}) {
                assertTrue(s.snapshots().contains(target));
                s.seek(target);
                assertEquals(target, s.icount());
                assertTrue("nearest snapshot " + behind(s) + " before " + target, behind(s) <= 256);
                stepBackMatchesStraightReplay(s);
            }
        }
    }

    @Test
    public void aBreakpointStopLeavesASnapshotAtMost4096InstructionsBehind() throws Exception {
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults())) {
            TimeTravel travel = new TimeTravel(s);
            s.stops().addBreakpoint(milestone);
            s.seek(12_345_678L);
            for (int i = 0; i < 3; i++) {
                Stop stop = travel.continueForward();
                assertEquals(Stop.Kind.BREAKPOINT, stop.kind());
                assertEquals(milestone, stop.pc());
                assertTrue("nearest snapshot " + behind(s) + " before the hit at " + s.icount(),
                        behind(s) <= Timeline.SETTLED);
            }
            s.stops().removeBreakpoint(milestone);
            stepBackMatchesStraightReplay(s);
        }
    }

    @Test
    public void anInterruptedRunStaysWhereItStoppedWithASnapshotCloseBehind() throws Exception {
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults())) {
            // still requested while the stop replays to leave snapshots: that replay must not stop early
            s.interruptWhen(() -> s.icount() > 13_500_000L);
            s.seek(12_000_123L);
            Stop stop = new TimeTravel(s).continueForward();
            assertEquals(Stop.Kind.INTERRUPTED, stop.kind());
            assertTrue(stop.icount() > 13_500_000L);
            assertEquals(stop.icount(), s.icount());
            assertTrue("nearest snapshot " + behind(s) + " before " + s.icount(), behind(s) <= Timeline.SETTLED);
            s.interruptWhen(null);
            byte[] here = s.captureState().digest();
            try (Timeline straight = Timeline.open(log, Timeline.Options.defaults())) {
                straight.replayTo(stop.icount());
                assertArrayEquals(straight.captureState().digest(), here);
            }
            stepBackMatchesStraightReplay(s);
        }
    }

    @Test
    public void snapshotsBetweenTheBoundariesStayNearTheLastStop() throws Exception {
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults())) {
            TimeTravel travel = new TimeTravel(s);
            s.stops().addBreakpoint(milestone);
            for (long at : new long[] {29_000_000L, 3_000_000L, 17_500_000L, 26_000_000L, 8_000_000L}) {
                s.seek(at);
                travel.continueForward();
                for (int k = 0; k < 20; k++) {
                    travel.stepBack();
                }
                for (long q : s.snapshots().icounts()) {
                    if (q % INTERVAL != 0 && q != s.startIcount()) {
                        assertTrue("snapshot at " + q + " far from the stop at " + s.icount(),
                                Math.abs(q - s.icount()) <= 2 * INTERVAL);
                    }
                }
            }
        }
    }
}
