package dev.rewind.gdbstub.target;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.BeforeClass;
import org.junit.Test;

import dev.rewind.replay.log.EventKind;

/**
 * Regression tests, with real gdb-multiarch, for the reverse-debugging faults seen with QEMU 7.2
 * and gdb 13.1 (issue 6): each test drives the situation where QEMU goes wrong and checks that
 * Rewind's replay target does the right thing.
 */
public class ReplayAvoidsQemuReverseFaultsTest {

    private static final long INTERVAL = 1000;

    @BeforeClass
    public static void needsGdb() {
        assumeTrue("gdb-multiarch not on PATH", GdbScript.available());
    }

    private static String run(RecordedGuest guest, long interval, GdbScript script) throws Exception {
        try (RecordedGuest.Served s = guest.serve(interval)) {
            return script.run(s.port(), guest.elf);
        }
    }

    /** The replies gdb received to its {@code bs}/{@code bc} packets ({@code set debug remote 1}), in order. */
    private static List<String> reverseReplies(String out) {
        List<String> replies = new ArrayList<>();
        Matcher m = Pattern.compile("Sending packet: \\$b[sc]#[0-9a-f]{2}\n(?:.*\n)*?.*?Packet received: ([^\n]*)").matcher(out);
        while (m.find()) {
            replies.add(m.group(1));
        }
        return replies;
    }

    /** QEMU: plain T05 (gdb shows SIGTRAP), then E14 for bs/bc at icount 0, never replaylog:begin. */
    @Test
    public void historyStartIsReportedAsReplaylogBegin() throws Exception {
        RecordedGuest sample = RecordedGuest.of("sample", null);
        GdbScript g = new GdbScript().add("set debug remote 1").mark("BS").add("reverse-stepi").mark("BS2")
                .add("reverse-stepi").mark("BC").add("break penalty", "continue", "delete", "reverse-continue").mark("BC2")
                .add("reverse-continue").mark("END").add("set debug remote 0");
        String out = run(sample, INTERVAL, g);
        for (String sec : List.of("BS", "BS2", "BC2")) {
            List<String> replies = reverseReplies(GdbScript.section(out, sec));
            assertEquals(out, 1, replies.size());
            assertTrue(out, replies.get(0).startsWith("T05"));
            assertTrue(out, replies.get(0).contains("replaylog:begin"));
        }
        List<String> bc = reverseReplies(GdbScript.section(out, "BC"));
        assertTrue(out, bc.get(bc.size() - 1).contains("replaylog:begin"));
        assertFalse(out, out.contains("SIGTRAP"));
        for (String r : reverseReplies(out)) {
            assertTrue(out, r.startsWith("T05")); // never an error such as QEMU's E14
        }
    }

    /** QEMU: reverse watchpoint stops carry no watch: reason. */
    @Test
    public void reverseWatchpointStopsCarryTheWatchReason() throws Exception {
        RecordedGuest sample = RecordedGuest.of("sample", null);
        GdbScript g = new GdbScript().add("printf \"ADDR=%lx\\n\", &total", "continue", "watch total", "set debug remote 1")
                .mark("BC").add("reverse-continue", "reverse-continue").mark("END").add("set debug remote 0", GdbScript.LINE);
        String out = run(sample, INTERVAL, g);
        String addr = Long.toHexString(GdbScript.values(out, "ADDR").get(0));
        List<String> replies = reverseReplies(GdbScript.section(out, "BC"));
        // each reverse-continue: bc stops after the store with watch:, then gdb's bs steps back over it
        List<String> watchStops = replies.stream().filter(r -> r.contains("watch:")).toList();
        assertEquals(out, 2, watchStops.size());
        assertTrue(out, replies.get(0).contains("watch:") && replies.get(2).contains("watch:"));
        for (String r : watchStops) {
            assertTrue(out, r.startsWith("T05"));
            assertTrue(out, r.contains(";watch:" + addr + ";") || r.contains("watch:" + addr + ";"));
        }
        assertTrue(out, out.contains("Old value = 382\nNew value = 282"));
        assertTrue(out, out.contains("Old value = 282\nNew value = 283"));
        assertEquals(out, List.of(25L), GdbScript.values(out, "LINE")); // add_square(10)'s store, then penalty(9)'s
    }

    /** QEMU: a breakpoint on the code page of a WFI loop hangs replay. */
    @Test
    public void breakpointsOnTheWfiLoopPageDoNotHangReplay() throws Exception {
        RecordedGuest timer = RecordedGuest.of("timer", null);
        GdbScript g = new GdbScript().add("python print('WFI=%x' % next(i['addr'] for i in gdb.selected_frame()"
                + ".architecture().disassemble(int(gdb.parse_and_eval('(long)&main')), count=200)"
                + " if i['asm'].startswith('wfi')))", "break timer.c:40").mark("FWD");
        for (int k = 0; k < 4; k++) {
            g.add("continue", "printf \"TICKS=%d\\n\", ticks").icount();
        }
        g.mark("BACK").add("reverse-continue", "printf \"TICKS=%d\\n\", ticks").icount();
        g.add("reverse-continue", "printf \"TICKS=%d\\n\", ticks").icount();
        // from just after the WFI, reverse-stepi goes back onto it (it halted: two icounts) and on
        g.mark("RSI").add("reverse-stepi", GdbScript.PC).icount().add("reverse-stepi").icount();
        // a breakpoint never hit (late++), on the same page as the WFI loop and the handler
        g.mark("NEVER").add("delete", "break timer.c:19", "info breakpoints", "continue").icount();
        g.add("reverse-continue").icount().mark("END");
        String out = run(timer, INTERVAL, g);
        Matcher bp = Pattern.compile("Breakpoint (\\d) at 0x([0-9a-f]+)").matcher(out);
        List<Long> bpAddr = new ArrayList<>();
        while (bp.find()) {
            bpAddr.add(Long.parseLong(bp.group(2), 16));
        }
        long wfi = GdbScript.values(out, "WFI").get(0);
        assertEquals(out, 2, bpAddr.size());
        assertEquals(out, wfi >>> 12, bpAddr.get(0) >>> 12);
        assertEquals(out, wfi >>> 12, bpAddr.get(1) >>> 12);
        // the tick is taken when interrupts are re-enabled at the breakpoint: 0, 1, 2, 3 seen there
        List<Long> fwdTicks = GdbScript.values(GdbScript.section(out, "FWD"), "TICKS");
        assertEquals(out, List.of(0L, 1L, 2L, 3L), fwdTicks);
        List<Long> fwdAt = GdbScript.icounts(GdbScript.section(out, "FWD"));
        String back = GdbScript.section(out, "BACK");
        assertEquals(out, List.of(2L, 1L), GdbScript.values(back, "TICKS"));
        assertEquals(out, List.of(fwdAt.get(2), fwdAt.get(1)), GdbScript.icounts(back));
        String rsi = GdbScript.section(out, "RSI");
        assertEquals(out, List.of(wfi), GdbScript.values(rsi, "PC"));
        assertEquals(out, List.of(fwdAt.get(1) - 2, fwdAt.get(1) - 3), GdbScript.icounts(rsi));
        String never = GdbScript.section(out, "NEVER");
        assertEquals(out, List.of(timer.endIcount, 0L), GdbScript.icounts(never));
        assertTrue(out, never.contains("No more reverse-execution history."));
        assertFalse(out, never.contains("Breakpoint 2,"));
    }

    /**
     * QEMU: in recordings with serial input, reverse-stepi near an input often never completes.
     * Here reverse-stepi crosses the interrupt that delivered a byte, back to before the logged
     * input event, and the registers there match a straight forward replay to the same icount. (Not a
     * forward stepi back: gdb single-steps RISC-V in software, a temporary breakpoint on the next
     * instruction, so a forward stepi where an interrupt is taken runs the whole handler.)
     */
    @Test
    public void reverseStepiAcrossUartInputCompletes() throws Exception {
        RecordedGuest echo = RecordedGuest.of("echo", "hi\nyo\nq");
        assertTrue(echo.output, echo.output.contains("echo: bye, 2 lines"));
        // the line of the handler that reads a received byte (found in the source: guests change)
        List<String> source = java.nio.file.Files.readAllLines(RecordedGuest.root().resolve("guests/src/echo.c"));
        int readLine = 1 + source.indexOf(source.stream().filter(l -> l.contains("u8 c = mmio_r8(UART0_BASE + UART_RBR)"))
                .findFirst().orElseThrow());
        String readBreak = "break echo.c:" + readLine;
        GdbScript g = new GdbScript().add(readBreak, "continue", "delete").mark("HOOK").icount().add("info registers");
        g.add("reverse-stepi %N%").mark("BACK").icount().add("info registers");
        g.mark("SEEK").add("monitor replay_seek %HOOK%").icount().add("info registers");
        // the byte read from the receiver, stepping back over the read itself
        g.add(readBreak, "continue", "next", "printf \"C=%d\\n\", c").icount();
        g.add("reverse-stepi", "reverse-stepi", "reverse-stepi", "stepi 3", "printf \"C=%d\\n\", c").icount();
        g.add("reverse-next", "reverse-next", "next", "next", "printf \"C=%d\\n\", c").mark("END");
        String out;
        long steps;
        long input;
        try (RecordedGuest.Served s = echo.serve(INTERVAL)) {
            // the hook position is found first, so that the script can name icounts
            String probe = new GdbScript().add(readBreak, "continue").icount().run(s.port(), echo.elf);
            long hookAt = GdbScript.icounts(probe).get(0);
            // back to 10 instructions before the input that raised this interrupt
            input = s.timeline().session().log().events().stream()
                    .filter(e -> e.kind() == EventKind.UART_RX || e.kind() == EventKind.UART_RX_IDLE)
                    .mapToLong(e -> e.icount()).filter(i -> i < hookAt).max().getAsLong();
            steps = hookAt - input + 10;
            s.timeline().seek(0);
            GdbScript named = new GdbScript();
            for (String line : g.lines()) {
                named.add(line.replace("%HOOK%", Long.toString(hookAt)).replace("%N%", Long.toString(steps)));
            }
            out = named.run(s.port(), echo.elf);
        }
        long hook = GdbScript.icounts(GdbScript.section(out, "HOOK")).get(0);
        String back = GdbScript.section(out, "BACK");
        long backAt = GdbScript.icounts(back).get(0);
        // each step went back one instruction; a halting WFI on the way counts two icounts
        assertTrue(out, backAt <= hook - steps && backAt > hook - 2 * steps);
        assertTrue(out, backAt < input);
        String seek = GdbScript.section(out, "SEEK");
        assertEquals(out, GdbScript.registers(GdbScript.section(out, "HOOK")), GdbScript.registers(seek));
        String fresh;
        try (RecordedGuest.Served s = echo.serve(10_000_000L)) {
            fresh = new GdbScript().add("monitor replay_break " + backAt, "continue").icount().add("info registers")
                    .run(s.port(), echo.elf);
        }
        assertEquals(fresh, List.of(backAt), GdbScript.icounts(fresh));
        assertEquals(out + fresh, GdbScript.registers(back), GdbScript.registers(fresh));
        List<Long> c = GdbScript.values(out, "C");
        assertEquals(out, 3, c.size());
        long first = c.get(0);
        assertTrue(out, first == 'h' || first == 'i');
        assertEquals(out, List.of(first, first, first), c);
    }

    /** QEMU: gdb shows stale registers after a snapshot load. Compared with fresh forward runs to the same icount. */
    @Test
    public void registersAfterReverseOpsMatchAFreshForwardRun() throws Exception {
        RecordedGuest sample = RecordedGuest.of("sample", null);
        GdbScript g = new GdbScript().add("break add_square");
        for (int k = 0; k < 6; k++) {
            g.add("continue");
        }
        g.add("reverse-continue", "reverse-continue").mark("R1").icount().add("info registers");
        g.add("reverse-stepi 7").mark("R2").icount().add("info registers");
        g.add("delete", "watch total", "reverse-continue").mark("R3").icount().add("info registers");
        g.add("delete", "monitor replay_seek 3333").mark("R4").icount().add("info registers").mark("END");
        String out = run(sample, INTERVAL, g);
        TreeMap<Long, String> reverse = new TreeMap<>();
        for (String sec : List.of("R1", "R2", "R3", "R4")) {
            String text = GdbScript.section(out, sec);
            reverse.put(GdbScript.icounts(text).get(0), GdbScript.registers(text));
        }
        assertEquals(out, 4, reverse.size());
        assertTrue(out, reverse.containsKey(3333L));

        GdbScript fresh = new GdbScript();
        for (long at : reverse.keySet()) {
            fresh.add("monitor replay_break " + at, "continue").mark("F" + at).icount().add("info registers");
        }
        fresh.mark("END");
        String out2 = run(sample, 10_000_000L, fresh); // no snapshot but the start one: straight replay
        for (var e : reverse.entrySet()) {
            String text = GdbScript.section(out2, "F" + e.getKey());
            assertEquals(out2, List.of(e.getKey()), GdbScript.icounts(text));
            assertEquals(out + out2, GdbScript.registers(text), e.getValue());
        }
    }

    /** QEMU: replay_seek stays at the snapshot instead of the requested icount. */
    @Test
    public void replaySeekLandsExactlyOnTheRequestedIcount() throws Exception {
        RecordedGuest sample = RecordedGuest.of("sample", null);
        long end = sample.endIcount;
        long[] targets = {4321, 999, 1000, 1001, end, 16000, 0, 7, 4321, end - 1};
        GdbScript g = new GdbScript();
        for (long t : targets) {
            g.add("monitor replay_seek " + t).icount().add(GdbScript.PC);
        }
        String out = run(sample, INTERVAL, g.mark("END"));
        List<Long> at = GdbScript.icounts(out);
        List<Long> pcs = GdbScript.values(out, "PC");
        assertEquals(out, targets.length, at.size());
        TreeMap<Long, Long> pcAt = new TreeMap<>();
        for (int i = 0; i < targets.length; i++) {
            assertEquals(out, targets[i], (long) at.get(i));
            Long prev = pcAt.put(targets[i], pcs.get(i));
            if (prev != null) {
                assertEquals(out, prev, pcs.get(i));
            }
        }
        assertEquals(out, 0x1000L, (long) pcAt.get(0L));

        GdbScript fresh = new GdbScript();
        for (long t : pcAt.keySet()) {
            if (t > 0) {
                fresh.add("monitor replay_break " + t, "continue", GdbScript.PC).icount();
            }
        }
        String out2 = run(sample, 10_000_000L, fresh);
        List<Long> freshPcs = GdbScript.values(out2, "PC");
        List<Long> freshAt = GdbScript.icounts(out2);
        List<Long> expectedAt = new ArrayList<>(pcAt.tailMap(1L).keySet());
        assertEquals(out2, expectedAt, freshAt);
        assertEquals(out + out2, new ArrayList<>(pcAt.tailMap(1L).values()), freshPcs);
    }
}
