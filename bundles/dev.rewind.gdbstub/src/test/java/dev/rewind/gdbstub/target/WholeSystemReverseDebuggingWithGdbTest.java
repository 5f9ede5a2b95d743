package dev.rewind.gdbstub.target;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.BeforeClass;
import org.junit.Test;

/**
 * gdb-multiarch on recordings whose programs use privilege levels and Sv39: watchpoints by
 * virtual address stay in their address space ({@code guests/src/utasks.c}: two U-mode tasks,
 * one virtual address, two page tables), physical watchpoints stop at the device access both
 * ways, reverse-stepi out of a trap handler lands on the trapping instruction, CSRs read as they
 * were and refuse writes with the reason.
 */
public class WholeSystemReverseDebuggingWithGdbTest {

    private static final long TASK_VA = 0x40000000L;

    @BeforeClass
    public static void needsGdb() {
        assumeTrue("gdb-multiarch not on PATH", GdbScript.available());
    }

    private static String run(RecordedGuest guest, GdbScript script) throws Exception {
        try (RecordedGuest.Served s = guest.serve(500)) {
            return script.run(s.port(), guest.elf);
        }
    }

    private static List<String> all(String output, String regex) {
        List<String> found = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(output);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    @Test
    public void aWatchOnAUserTasksVariableStopsOnlyForThatAddressSpacesWritesForwardAndBackward() throws Exception {
        RecordedGuest utasks = RecordedGuest.of("utasks", null);
        String state = "printf \"SATP=%lx VAL=%ld\\n\", $satp, *(long *)" + TASK_VA;
        GdbScript g = new GdbScript().add("break task", "continue", "delete");
        g.mark("FIRST").add(state, "watch *(long *)" + TASK_VA);
        g.mark("FORWARD");
        for (int i = 0; i < 6; i++) {
            g.add("continue", state);
        }
        g.add("continue"); // to the end of history, where the hart is in M-mode with satp 0
        g.mark("BACKWARD");
        for (int i = 0; i < 6; i++) {
            g.add("reverse-continue", state);
        }
        g.mark("END");
        String out = run(utasks, g);
        String satpA = all(GdbScript.section(out, "FIRST"), "SATP=([0-9a-f]+)").get(0);
        String forward = GdbScript.section(out, "FORWARD");
        // Task A's six increments; task B's nine writes to the same virtual address are not stops.
        List<String> values = all(forward, "SATP=" + satpA + " VAL=(\\d+)");
        assertEquals(out, List.of("1", "2", "3", "4", "5", "6"), values.subList(0, 6));
        assertEquals(out, 6, all(forward, "(Hardware watchpoint 2)").size());
        assertTrue(out, forward.contains("No more reverse-execution history"));
        String backward = GdbScript.section(out, "BACKWARD");
        assertEquals(out, List.of("5", "4", "3", "2", "1", "0"), all(backward, "SATP=" + satpA + " VAL=(\\d+)"));
    }

    @Test
    public void aPhysicalWatchpointOnTheUartStopsAtTheStoreToTheDeviceForwardAndBackward() throws Exception {
        RecordedGuest sample = RecordedGuest.of("sample", null);
        GdbScript g = new GdbScript().add("monitor pwatch 0x10000000 1 w", "monitor pwatch");
        g.mark("FIRST").add("continue", GdbScript.PC, "x/i $pc").icount();
        g.mark("SECOND").add("continue", GdbScript.PC).icount();
        g.mark("BACK").add("reverse-continue", GdbScript.PC).icount();
        g.mark("DELETED").add("monitor pwatch -d 0x10000000 1 w", "monitor pwatch").mark("END");
        String out = run(sample, g);
        String first = GdbScript.section(out, "FIRST");
        long pc = GdbScript.values(first, "PC").get(0);
        long icount = GdbScript.icounts(first).get(0);
        assertTrue(out, first.contains(String.format("[rewind] physical watchpoint: write of 1 byte at physical 0x10000000 by pc 0x%x (icount %d)", pc, icount)));
        assertTrue(out, Pattern.compile("=> 0x[0-9a-f]+ <[^>]*>:\\s+(c\\.)?s[bhwd]\\s").matcher(first).find());
        long second = GdbScript.icounts(GdbScript.section(out, "SECOND")).get(0);
        assertTrue(out, second > icount);
        String back = GdbScript.section(out, "BACK");
        assertEquals(out, List.of(icount), GdbScript.icounts(back));
        assertEquals(out, List.of(pc), GdbScript.values(back, "PC"));
        assertTrue(out, GdbScript.section(out, "DELETED").contains("There are no physical watchpoints."));
    }

    @Test
    public void reverseStepiFromATrapHandlersFirstInstructionLandsOnTheTrappingInstruction() throws Exception {
        RecordedGuest traps = RecordedGuest.of("traps", null);
        GdbScript g = new GdbScript().add("break mtrap_entry").mark("HANDLER");
        g.add("continue", GdbScript.PC, "p/x $mcause", "p/x $mepc").icount();
        g.add("reverse-stepi").mark("TRAPPED").add(GdbScript.PC, "p $priv").icount();
        g.add("stepi").mark("AGAIN").add(GdbScript.PC).mark("END");
        String out = run(traps, g);
        String handler = GdbScript.section(out, "HANDLER");
        assertTrue(out, handler.contains("[rewind] M-mode trap handler entry: mcause 0xb (ecall from M), from M-mode, mepc 0x"));
        long mepc = Long.parseUnsignedLong(all(handler, "\\$2 = 0x([0-9a-f]+)").get(0), 16);
        long at = GdbScript.icounts(handler).get(0);
        String trapped = GdbScript.section(out, "TRAPPED");
        assertEquals(out, List.of(mepc), GdbScript.values(trapped, "PC"));
        assertEquals(out, List.of(at - 1), GdbScript.icounts(trapped));
        assertEquals(out, GdbScript.values(handler, "PC"), GdbScript.values(GdbScript.section(out, "AGAIN"), "PC"));
    }

    @Test
    public void reverseContinueToAnInterruptHandlersEntryStopsInTheHandlerAndReverseStepiLeavesIt() throws Exception {
        RecordedGuest timer = RecordedGuest.of("timer_irq", null);
        GdbScript g = new GdbScript().add("break mtrap_entry if (long) $mcause < 0").mark("FIRST");
        g.add("continue", GdbScript.PC).icount();
        g.add("continue", "reverse-continue").mark("BACK").add(GdbScript.PC, "p/x $mcause").icount();
        g.add("reverse-stepi").mark("BEFORE").add(GdbScript.PC).icount().mark("END");
        String out = run(timer, g);
        String first = GdbScript.section(out, "FIRST");
        long handler = GdbScript.values(first, "PC").get(0);
        long at = GdbScript.icounts(first).get(0);
        assertTrue(out, first.contains("[rewind] M-mode trap handler entry: mcause 0x8000000000000007 (machine timer interrupt)"));
        String back = GdbScript.section(out, "BACK");
        assertEquals(out, List.of(handler), GdbScript.values(back, "PC"));
        assertEquals(out, List.of(at), GdbScript.icounts(back));
        assertTrue(out, back.contains("= 0x8000000000000007"));
        // the last instruction retired before the interrupt
        String before = GdbScript.section(out, "BEFORE");
        assertEquals(out, List.of(at - 1), GdbScript.icounts(before));
        assertTrue(out, GdbScript.values(before, "PC").get(0) != handler);
    }

    @Test
    public void csrsReadAsTheyWereAndWritesAreRefusedBecauseHistoryIsReadOnly() throws Exception {
        RecordedGuest traps = RecordedGuest.of("traps", null);
        GdbScript g = new GdbScript().add("break mtrap_entry", "continue");
        g.mark("CSRS").add("p/x $mcause", "p/x $mtvec", "p/x $misa", "set $mscratch = 5", "set $pc = 0x80000000").mark("END");
        String out = run(traps, g);
        String csrs = GdbScript.section(out, "CSRS");
        assertTrue(out, csrs.contains("$1 = 0xb"));
        assertTrue(out, csrs.contains("$2 = 0x80000100"));
        assertTrue(out, csrs.contains("history is read-only"));
    }
}
