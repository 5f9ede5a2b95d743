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
    /** guests/smp built with -O0 (no inlined frames for source-level steps) and its 4-hart recording. */
    private static Path debugElf;
    private static Path debugLog;

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
        debugElf = Files.copy(RecordedGuest.elf("smp-O0"), dir.resolve("smp-O0.elf"));
        debugLog = dir.resolve("smp-O0.rrlog");
        debugElf.toFile().deleteOnExit();
        debugLog.toFile().deleteOnExit();
        try (RecordSession s = RecordSession.start(RecordSession.Options.of(debugElf, debugLog)
                .withInput(null, new ByteArrayOutputStream()).withHarts(4))) {
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
            assertEquals(StopEvent.Reason.STEPPED, target.resume(ResumeMode.STEP, Interruption.NEVER).reason());
            assertEquals(retired, s.machine().retired(2));
            assertEquals(expected[0] + 1, s.icount());
            assertEquals(2, target.selectedThread());
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

    /** Where the last write to amo_counter left off (just after it) and which hart made it, from a forward run. */
    private static long[] lastWriteOfTheCounter(long counter) throws Exception {
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
        return new long[] {lastWrite, lastWriter};
    }

    @Test
    public void aReverseWatchpointOnACounterOfAllHartsStopsAtTheLastWriterAndSelectsItsHart() throws Exception {
        long counter = dev.rewind.emulator.ElfImage.read(elf).symbol("amo_counter").orElseThrow();
        long[] last = lastWriteOfTheCounter(counter);
        long lastWrite = last[0];
        int lastWriter = (int) last[1];
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

    @Test
    public void gdbsReverseWatchOnTheCounterOfAllHartsStopsAtTheLastWriterAndSwitchesToItsThread() throws Exception {
        assumeTrue("gdb-multiarch not on PATH", GdbScript.available());
        long counter = dev.rewind.emulator.ElfImage.read(elf).symbol("amo_counter").orElseThrow();
        long[] last = lastWriteOfTheCounter(counter);
        // to the end of the recording (the guest has exited), then back to the last write of the counter
        GdbScript g = new GdbScript().add("thread " + (last[1] == 0 ? 2 : 1), "continue", "watch amo_counter");
        g.add("reverse-continue").mark("STOP").icount().add(THREAD, "p amo_counter").mark("END");
        String out;
        try (Timeline session = Timeline.open(log, Timeline.Options.defaults().withSnapshotInterval(100_000));
                RspServer server = new RspServer(new ReplayTarget(session))) {
            server.start();
            out = g.run(server.port(), elf);
        }
        String stop = GdbScript.section(out, "STOP");
        // gdb shows a reverse watch stop before the instruction that wrote: the amoadd is the next to run
        assertEquals(out, List.of(last[0] - 1), GdbScript.icounts(stop));
        assertEquals("the thread of the hart that wrote last:\n" + out, List.of(last[1] + 1), GdbScript.values(stop, "THREAD"));
        assertTrue(out, out.contains("hit Hardware watchpoint 1: amo_counter\n\nOld value = 8000\nNew value = 7999\namoadd ("));
        assertTrue(out, stop.contains("$1 = 7999"));
    }

    /** Prints the selected gdb thread as {@code THREAD=n}. */
    static final String THREAD = "python print('THREAD=%d' % gdb.selected_thread().num)";

    /**
     * Source-level {@code reverse-next} and {@code reverse-step} on a hart other than the one that hit
     * the breakpoint (its thread selected with {@code thread N}) go where the same commands go when
     * that hart is the one that stopped. At the tenth {@code send} (hart 0's) hart 2 sleeps in the WFI
     * that begins line 63; in a second session {@code reverse-stepi} on it makes it the stopped hart
     * there, at its previous instruction, which is where the first command of the first session
     * lands; from there on both sessions stop at the same icounts, pcs, lines and functions, with
     * that hart selected. reverse-next crosses from receive back into its caller and over the call
     * of work; reverse-step goes into work.
     */
    @Test
    public void reverseNextAndReverseStepOnAHartThatDidNotStopGoWhereTheyGoOnTheHartThatStopped() throws Exception {
        assumeTrue("gdb-multiarch not on PATH", GdbScript.available());
        for (String command : List.of("reverse-next", "reverse-step")) {
            int n = 5;
            String other = sourceSteps(command, n, false);
            String stopped = sourceSteps(command, n, true);
            long thread = GdbScript.values(other, "STOPPED").get(0) == 3 ? 2 : 3;
            assertTrue("the breakpoint was another hart's:\n" + other, GdbScript.values(other, "STOPPED").get(0) != thread);
            assertEquals("the selected hart is the one that stopped:\n" + stopped, List.of(thread),
                    GdbScript.values(GdbScript.section(stopped, "START"), "STOPPED"));
            String a = GdbScript.section(other, "BACK");
            String b = GdbScript.section(stopped, "BACK");
            assertEquals(other, java.util.Collections.nCopies(n + 1, thread), GdbScript.values(a, "THREAD"));
            assertEquals(stopped, java.util.Collections.nCopies(n + 1, thread), GdbScript.values(b, "THREAD"));
            List<Long> at = GdbScript.icounts(a);
            for (int k = 1; k < at.size(); k++) {
                assertTrue(command + " went back:\n" + a, at.get(k) < at.get(k - 1));
            }
            assertTrue("the lines change:\n" + a, new java.util.HashSet<>(GdbScript.values(a, "LINE")).size() > 2);
            String both = other + "\n---- with the hart stopped ----\n" + stopped;
            // a[1..n] (after each command on the hart that did not stop) = b[0..n-1] (its start and the same commands)
            assertEquals(both, at.subList(1, n + 1), GdbScript.icounts(b).subList(0, n));
            assertEquals(both, GdbScript.values(a, "PC").subList(1, n + 1), GdbScript.values(b, "PC").subList(0, n));
            assertEquals(both, GdbScript.values(a, "LINE").subList(1, n + 1), GdbScript.values(b, "LINE").subList(0, n));
            assertEquals(both, GdbScript.strings(a, "FN").subList(1, n + 1), GdbScript.strings(b, "FN").subList(0, n));
        }
    }

    /**
     * At the tenth {@code send}: selects hart 2 (or 3 if hart 2 stopped) and runs {@code command}
     * {@code n} times on it; with {@code makeItStop}, first {@code reverse-stepi} on it, so that it
     * is the hart that stopped.
     */
    private static String sourceSteps(String command, int n, boolean makeItStop) throws Exception {
        GdbScript g = new GdbScript().add("break send", "continue 10", "delete");
        g.add("python stopped = gdb.selected_thread().num", "python print('STOPPED=%d' % stopped)");
        g.add("python gdb.execute('thread %d' % (3 if stopped != 3 else 2))");
        if (makeItStop) {
            g.add("reverse-stepi").mark("START").add("python print('STOPPED=%d' % gdb.selected_thread().num)");
        }
        g.mark("BACK").add(THREAD, GdbScript.LINE, GdbScript.PC, GdbScript.FN).icount();
        for (int k = 0; k < n; k++) {
            g.add(command, THREAD, GdbScript.LINE, GdbScript.PC, GdbScript.FN).icount();
        }
        g.mark("END");
        try (Timeline session = Timeline.open(debugLog, Timeline.Options.defaults().withSnapshotInterval(10_000));
                RspServer server = new RspServer(new ReplayTarget(session))) {
            server.start();
            return g.run(server.port(), debugElf);
        }
    }

    /**
     * Reverse steps of hart 2 back through the token ring, where its turns start and end at every
     * IPI: each stop is hart 2's (gdb is told its thread), also where its previous instruction is the
     * first of a turn and the machine still names the hart whose turn came before.
     */
    @Test
    public void everyReverseStepOfOneHartStopsOnThatHartAlsoAtTheStartOfItsTurns() throws Exception {
        try (Timeline s = Timeline.open(debugLog, Timeline.Options.defaults().withSnapshotInterval(10_000))) {
            s.seek(612_204);
            ReplayTarget target = new ReplayTarget(s);
            for (int k = 0; k < 300; k++) {
                target.selectThread(2);
                long retired = s.machine().retired(2);
                assertEquals(StopEvent.Reason.STEPPED, target.resume(ResumeMode.REVERSE_STEP, Interruption.NEVER).reason());
                assertTrue(s.machine().retired(2) < retired);
                assertEquals("reverse step " + (k + 1) + " stops on hart 2 at icount " + s.icount(), 2, target.selectedThread());
            }
        }
    }

    /**
     * gdb steps a thread over a breakpoint alone ({@code vCont;c:N}, with a temporary breakpoint at
     * the next pc) and means the other threads to stay stopped. On the WFI of the token ring's
     * receive loop the stepped hart waits, and the others, waiting in the same loop, reached that
     * temporary breakpoint first: gdb 13 died with "Recursive internal problem". Now a breakpoint
     * for thread 3 only on that WFI stops on thread 3 each time (gdb steps the other threads over
     * it), and {@code stepi} there stops on thread 3 at the instruction after the WFI.
     */
    @Test
    public void aHartSteppedAloneOverAWfiStopsOnItselfWhileTheOthersWaitInTheSameLoop() throws Exception {
        assumeTrue("gdb-multiarch not on PATH", GdbScript.available());
        GdbScript g = new GdbScript().add("break smp.c:63 if $_thread == 3", "python",
                "for i in range(10):",
                "    gdb.execute('continue')",
                "    at = int(gdb.parse_and_eval('$pc'))",
                "    print('HIT=%d' % gdb.selected_thread().num)",
                "    print('WFI=%x' % (int(gdb.parse_and_eval('*(unsigned int *)$pc')) & 0xffffffff))",
                "    gdb.execute('stepi')",
                "    print('STEPPED=%d' % gdb.selected_thread().num)",
                "    print('AFTER=%d' % (int(gdb.parse_and_eval('$pc')) - at))",
                "end");
        g.mark("END");
        String out;
        try (Timeline session = Timeline.open(debugLog, Timeline.Options.defaults());
                RspServer server = new RspServer(new ReplayTarget(session))) {
            server.start();
            out = g.run(server.port(), debugElf);
        }
        List<Long> ten3 = java.util.Collections.nCopies(10, 3L);
        assertEquals(out, ten3, GdbScript.values(out, "HIT"));
        assertEquals(out, java.util.Collections.nCopies(10, 0x10500073L), GdbScript.values(out, "WFI"));
        assertEquals(out, ten3, GdbScript.values(out, "STEPPED"));
        assertEquals(out, java.util.Collections.nCopies(10, 4L), GdbScript.values(out, "AFTER"));
        assertTrue(out, out.contains("==END=="));
    }
}
