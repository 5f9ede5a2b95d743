package dev.rewind.gdbstub.mi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.util.List;

import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Real gdb-multiarch in MI mode against the replay server, sending the MI traffic CDT's DSF-GDB
 * produces: {@code -target-select remote}, tokens on every command, {@code --thread} options,
 * and both spellings of reverse execution: the MI {@code --reverse} flag and the
 * {@code -interpreter-exec console "reverse-..."} commands DSF-GDB's run control actually sends
 * (MIExecReverseContinue, MIExecReverseStep, MIExecUncall, ...). No {@code record} command is
 * ever sent: the target reverses natively (qSupported ReverseStep+/ReverseContinue+).
 *
 * <p>The program is guests/src/sample.c; line numbers below refer to it.
 */
public class ReverseExecutionOverMiTest {

    /** The virt machine's reset vector, where every recording starts. */
    private static final String RESET_VECTOR = "0x0000000000001000";
    private static final String NO_HISTORY = "No more reverse-execution history.";

    @BeforeClass
    public static void needsGdb() {
        assumeTrue("gdb-multiarch not on PATH", MiGdb.available());
    }

    private interface Script {
        void run(MiGdb gdb) throws Exception;
    }

    private static void debug(Script script) throws Exception {
        try (SampleReplay replay = SampleReplay.serve(); MiGdb gdb = new MiGdb(replay.elf)) {
            MiRecord connected = gdb.command("-target-select remote 127.0.0.1:" + replay.port());
            assertEquals(gdb.transcript(), "connected", connected.recordClass);
            MiRecord first = gdb.awaitStopped();
            assertEquals(gdb.transcript(), RESET_VECTOR, first.string("frame.addr"));
            try {
                script.run(gdb);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n--- MI transcript ---\n" + gdb.transcript(), e);
            }
        }
    }

    private static void assertStop(MiRecord stop, String reason, String func, int line) {
        assertEquals(stop.toString(), reason, stop.string("reason"));
        assertEquals(stop.toString(), func, stop.string("frame.func"));
        assertEquals(stop.toString(), Integer.toString(line), stop.string("frame.line"));
        assertEquals(stop.toString(), "src/sample.c", stop.string("frame.file"));
        assertEquals(stop.toString(), "all", stop.string("stopped-threads"));
    }

    private static String arg(MiRecord stop, String name) {
        Object args = stop.get("frame.args");
        for (Object a : (List<?>) args) {
            java.util.Map<?, ?> m = (java.util.Map<?, ?>) a;
            if (name.equals(m.get("name"))) {
                return (String) m.get("value");
            }
        }
        throw new AssertionError("no argument " + name + " in " + stop);
    }

    /** The frames of {@code -stack-list-frames} as "func:line" strings. */
    private static List<String> frames(MiGdb gdb) throws Exception {
        MiRecord r = gdb.command("-stack-list-frames --thread 1");
        return ((List<?>) r.get("stack")).stream().map(f -> (java.util.Map<?, ?>) ((java.util.Map<?, ?>) f).get("frame"))
                .map(f -> f.get("func") + ":" + f.get("line")).toList();
    }

    /** The pc as {@code -data-list-register-values x 32} reports it (regnum 32 = pc on riscv). */
    private static long pc(MiGdb gdb) throws Exception {
        MiRecord r = gdb.command("-data-list-register-values --thread 1 --frame 0 x 32");
        assertEquals(r.toString(), "32", r.string("register-values.0.number"));
        return Long.decode(r.string("register-values.0.value"));
    }

    private static long addr(MiRecord stop) {
        return Long.decode(stop.string("frame.addr"));
    }

    @Test
    public void breakpointHitsThenReverseContinueStopsAtThePreviousHitThenAtTheStartOfHistory() throws Exception {
        debug(gdb -> {
            MiRecord bp = gdb.command("-break-insert -f add_square");
            assertEquals(bp.toString(), "17", bp.string("bkpt.line"));

            MiRecord hit1 = gdb.resume("-exec-continue --thread-group i1");
            assertStop(hit1, "breakpoint-hit", "add_square", 17);
            assertEquals("1", hit1.string("bkptno"));
            assertEquals("1", arg(hit1, "i"));
            MiRecord hit2 = gdb.resume("-exec-continue --thread-group i1");
            assertStop(hit2, "breakpoint-hit", "add_square", 17);
            assertEquals("2", arg(hit2, "i"));
            assertEquals(List.of("add_square:17", "main:42"), frames(gdb));

            MiRecord back = gdb.resume("-exec-continue --reverse");
            assertStop(back, "breakpoint-hit", "add_square", 17);
            assertEquals("the previous hit is the first call", "1", arg(back, "i"));
            assertEquals(addr(hit1), pc(gdb));

            // What DSF-GDB sends for Reverse Resume; no earlier hit, so gdb 13.1 stops at the start
            // of history: a *stopped without a reason, and the console says why.
            MiRecord start = gdb.resume("-interpreter-exec console \"reverse-continue\"");
            assertNull(start.toString(), start.string("reason"));
            assertEquals(RESET_VECTOR, start.string("frame.addr"));
            assertTrue(gdb.console(), gdb.console().contains(NO_HISTORY));
            assertEquals(0x1000L, pc(gdb));
            assertEquals(List.of("??:null"), frames(gdb));

            // Replay is deterministic: forward again reaches the same first hit.
            MiRecord again = gdb.resume("-exec-continue --thread-group i1");
            assertStop(again, "breakpoint-hit", "add_square", 17);
            assertEquals("1", arg(again, "i"));

            // All of this ran on the target's own history: gdb never started its recorder.
            gdb.command("-interpreter-exec console \"info record\"");
            assertTrue(gdb.console(), gdb.console().contains("No recording is currently active."));
        });
    }

    @Test
    public void reverseStepFromACallLineEntersTheCalleeAtItsLastLine() throws Exception {
        debug(gdb -> {
            gdb.command("-break-insert -f src/sample.c:43");
            assertStop(gdb.resume("-exec-continue"), "breakpoint-hit", "main", 43);
            gdb.command("-break-delete");

            // line 42 called add_square(1): stepping back from 43 enters it at its closing brace
            MiRecord s1 = gdb.resume("-exec-step --reverse");
            assertStop(s1, "end-stepping-range", "add_square", 20);
            assertEquals("1", arg(s1, "i"));
            assertEquals(List.of("add_square:20", "main:42"), frames(gdb));

            // DSF-GDB's Reverse Step Into
            MiRecord s2 = gdb.resume("-interpreter-exec console \"reverse-step 1\"");
            assertStop(s2, "end-stepping-range", "add_square", 19);

            // Reverse Step Over, both spellings: back over line 19's first half, then to line 18
            MiRecord n1 = gdb.resume("-exec-next --reverse");
            assertEquals(n1.toString(), "end-stepping-range", n1.string("reason"));
            assertEquals("add_square", n1.string("frame.func"));
            assertTrue(n1 + " after " + s2, addr(n1) < addr(s2));
            MiRecord n2 = gdb.resume("-interpreter-exec console \"reverse-next 1\"");
            assertStop(n2, "end-stepping-range", "add_square", 18);
            assertEquals(List.of("add_square:18", "main:42"), frames(gdb));
        });
    }

    @Test
    public void reverseFinishRunsBackToTheCallInTheCaller() throws Exception {
        debug(gdb -> {
            gdb.command("-break-insert -f square");
            gdb.resume("-exec-continue");
            MiRecord in = gdb.resume("-exec-continue");
            assertStop(in, "breakpoint-hit", "square", 11);
            assertEquals("2", arg(in, "n"));
            assertEquals(List.of("square:11", "add_square:17", "main:42"), frames(gdb));

            MiRecord back = gdb.resume("-exec-finish --reverse");
            assertStop(back, "end-stepping-range", "add_square", 17);
            assertEquals("2", arg(back, "i"));
            assertEquals(List.of("add_square:17", "main:42"), frames(gdb));
            long callSite = addr(back);

            // forward into square again, then DSF-GDB's Uncall (MIExecUncall)
            assertStop(gdb.resume("-exec-continue"), "breakpoint-hit", "square", 11);
            MiRecord uncall = gdb.resume("-interpreter-exec console \"reverse-finish\"");
            assertStop(uncall, "end-stepping-range", "add_square", 17);
            assertTrue(gdb.console(), gdb.console().contains("Run back to call of #0  square (n=2)"));
            assertEquals(callSite, addr(uncall));
            assertEquals(callSite, pc(gdb));
        });
    }

    @Test
    public void forwardFinishStepAndNextReportFunctionFinishedAndEndSteppingRange() throws Exception {
        debug(gdb -> {
            gdb.command("-break-insert -f square");
            assertStop(gdb.resume("-exec-continue"), "breakpoint-hit", "square", 11);
            gdb.command("-break-delete");

            MiRecord fin = gdb.resume("-exec-finish");
            assertStop(fin, "function-finished", "add_square", 17);
            assertEquals("square(1)", "1", fin.string("return-value"));
            assertStop(gdb.resume("-exec-step"), "end-stepping-range", "add_square", 18);
            assertStop(gdb.resume("-exec-next"), "end-stepping-range", "add_square", 19);

            // and back again over the same lines
            assertStop(gdb.resume("-exec-next --reverse"), "end-stepping-range", "add_square", 18);
        });
    }

    @Test
    public void reverseInstructionStepsGoBackOneInstructionEach() throws Exception {
        debug(gdb -> {
            gdb.command("-break-insert -f src/sample.c:19");
            assertStop(gdb.resume("-exec-continue"), "breakpoint-hit", "add_square", 19);
            gdb.command("-break-delete");

            String[] commands = {"-exec-step-instruction --reverse", "-exec-next-instruction --reverse",
                    "-interpreter-exec console \"reverse-stepi 1\"", "-interpreter-exec console \"reverse-nexti 1\""};
            long before = pc(gdb);
            for (String c : commands) {
                MiRecord stop = gdb.resume(c);
                assertEquals(c + ": " + stop, "end-stepping-range", stop.string("reason"));
                assertEquals(c + ": " + stop, "add_square", stop.string("frame.func"));
                long after = pc(gdb);
                assertEquals(c, addr(stop), after);
                // straight-line code: one RVC (2 bytes) or full (4 bytes) instruction back
                long size = before - after;
                assertTrue(c + " moved the pc from " + Long.toHexString(before) + " to " + Long.toHexString(after),
                        size == 2 || size == 4);
                before = after;
            }
        });
    }

    @Test
    public void endOfHistoryForwardThenReverseToTheStartWhereReverseStepsStay() throws Exception {
        debug(gdb -> {
            MiRecord end = gdb.resume("-exec-continue");
            assertNull(end.toString(), end.string("reason"));
            assertTrue(gdb.console(), gdb.console().contains(NO_HISTORY));
            // the guest's exit path: finish() called from _start, which never returns
            List<String> stack = frames(gdb).stream().map(f -> f.substring(0, f.indexOf(':'))).toList();
            assertEquals(stack.toString(), "_start", stack.get(stack.size() - 1));
            assertTrue(stack.toString(), stack.contains("finish"));

            MiRecord start = gdb.resume("-exec-continue --reverse");
            assertNull(start.toString(), start.string("reason"));
            assertEquals(RESET_VECTOR, start.string("frame.addr"));

            for (String c : new String[] {"-exec-step-instruction --reverse", "-interpreter-exec console \"reverse-stepi 1\""}) {
                MiRecord stay = gdb.resume(c);
                assertNull(stay.toString(), stay.string("reason"));
                assertTrue(gdb.console(), gdb.console().contains(NO_HISTORY));
                assertEquals(0x1000L, pc(gdb));
            }
        });
    }
}
