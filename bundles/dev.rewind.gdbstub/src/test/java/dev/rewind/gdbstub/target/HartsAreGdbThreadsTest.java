package dev.rewind.gdbstub.target;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.BeforeClass;
import org.junit.Test;

import dev.rewind.emulator.StopReason;
import dev.rewind.gdbstub.Interruption;
import dev.rewind.gdbstub.ResumeMode;
import dev.rewind.gdbstub.RspServer;
import dev.rewind.gdbstub.StopEvent;
import dev.rewind.replay.RecordSession;
import dev.rewind.replay.Stop;
import dev.rewind.replay.Timeline;
import dev.rewind.replay.TimeTravel;

/** A recording of four harts (guests/smp) debugged as four gdb threads. */
public class HartsAreGdbThreadsTest {

    private static Path elf;
    private static Path log;

    @BeforeClass
    public static void recordFourHarts() throws Exception {
        Path dir = Files.createTempDirectory("rewind-gdb-smp");
        dir.toFile().deleteOnExit();
        elf = Files.copy(RecordedGuest.elf("smp"), dir.resolve("smp.elf"));
        log = dir.resolve("smp.rrlog");
        elf.toFile().deleteOnExit();
        log.toFile().deleteOnExit();
        RecordSession.Options o = RecordSession.Options.of(elf, log).withInput(null, new ByteArrayOutputStream())
                .withHarts(4);
        try (RecordSession s = RecordSession.start(o)) {
            assertEquals(StopReason.EXIT, s.run(Long.MAX_VALUE).reason());
        }
    }

    /**
     * Position and pc of hart {@code h}'s last instruction before {@code end}, from a forward
     * trace of single steps (a step is h's when h's retired count grows).
     */
    private static long[] previousInstructionOf(int h, long end) throws Exception {
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults().withSnapshotInterval(10_000))) {
            TimeTravel travel = new TimeTravel(s);
            s.seek(Math.max(0, end - 60_000));
            long[] last = null;
            while (s.icount() < end) {
                long at = s.icount(), pc = s.machine().hart(h).pc(), retired = s.machine().retired(h);
                travel.stepForward();
                if (s.machine().retired(h) > retired) {
                    last = new long[] {at, pc}; // this step was h's instruction
                }
            }
            return last;
        }
    }

    @Test
    public void reverseStepOfOneHartLandsOnItsPreviousInstructionOfAForwardTrace() throws Exception {
        long end = 101_234;
        long[] expected = previousInstructionOf(2, end);
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults().withSnapshotInterval(10_000))) {
            s.seek(end);
            ReplayTarget target = new ReplayTarget(s);
            assertEquals(4, target.threads());
            long retired = s.machine().retired(2);
            target.selectThread(2);
            StopEvent e = target.resume(ResumeMode.REVERSE_STEP, Interruption.NEVER);
            assertEquals(StopEvent.Reason.STEPPED, e.reason());
            assertEquals(expected[0], s.icount());
            assertEquals(expected[1], s.machine().hart(2).pc());
            assertEquals(retired - 1, s.machine().retired(2));
            assertEquals(2, target.selectedThread());
            // and a step of that hart forward retires exactly that instruction again
            target.resume(ResumeMode.STEP, Interruption.NEVER);
            assertEquals(retired, s.machine().retired(2));
            assertEquals(expected[0] + 1, s.icount());
        }
    }

    @Test
    public void gdbListsFourThreadsAndReverseStepsTheSelectedOne() throws Exception {
        assumeTrue("gdb-multiarch not on PATH", GdbScript.available());
        // the IPI ring: every hart has run by the tenth time one of them sends
        GdbScript g = new GdbScript().add("break send", "continue 10", "delete", "info threads");
        g.add("thread 3").mark("BEFORE").icount().add(GdbScript.PC);
        g.add("reverse-stepi").mark("AFTER").icount().add(GdbScript.PC, "info threads").mark("END");
        String out;
        try (Timeline session = Timeline.open(log, Timeline.Options.defaults().withSnapshotInterval(10_000));
                RspServer server = new RspServer(new ReplayTarget(session))) {
            server.start();
            out = g.run(server.port(), elf);
        }
        for (int t = 1; t <= 4; t++) {
            assertTrue(out, out.contains("Thread " + t + " "));
        }
        long before = GdbScript.icounts(GdbScript.section(out, "BEFORE")).get(0);
        String after = GdbScript.section(out, "AFTER");
        long[] expected = previousInstructionOf(2, before);
        assertEquals(out, List.of(expected[0]), GdbScript.icounts(after));
        assertEquals(out, List.of(expected[1]), GdbScript.values(after, "PC"));
        assertTrue(out, after.contains("* 3    Thread 3"));
    }

    @Test
    public void aReverseWatchpointOnACounterOfAllHartsStopsAtTheLastWriterAndSelectsItsHart() throws Exception {
        long counter = dev.rewind.emulator.ElfImage.read(elf).symbol("amo_counter").orElseThrow();
        long lastWrite = -1;
        int lastWriter = -1;
        java.util.BitSet writers = new java.util.BitSet();
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults())) {
            TimeTravel travel = new TimeTravel(s);
            s.stops().addWatchpoint(counter, 8, dev.rewind.emulator.WatchKind.WRITE);
            for (Stop stop = travel.continueForward(); stop.kind() == Stop.Kind.WATCHPOINT;
                    stop = travel.continueForward()) {
                lastWrite = stop.icount(); // just after the write
                lastWriter = s.machine().currentHart();
                writers.set(lastWriter);
            }
        }
        assertEquals("every hart adds to the counter", 4, writers.cardinality());
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults().withSnapshotInterval(100_000))) {
            s.seek(s.endIcount());
            ReplayTarget target = new ReplayTarget(s);
            target.selectThread(lastWriter == 0 ? 1 : 0);
            target.insertBreakpoint(dev.rewind.gdbstub.BreakpointType.WRITE_WATCH, counter, 8);
            StopEvent e = target.resume(ResumeMode.REVERSE_CONTINUE, Interruption.NEVER);
            assertEquals(StopEvent.Reason.WATCH_WRITE, e.reason());
            assertEquals("just after the last write", lastWrite, s.icount());
            assertEquals("the stop names the hart that wrote", lastWriter, target.selectedThread());
        }
    }
}
