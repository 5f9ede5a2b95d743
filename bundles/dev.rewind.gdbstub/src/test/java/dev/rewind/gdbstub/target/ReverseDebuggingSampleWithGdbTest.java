package dev.rewind.gdbstub.target;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Real gdb-multiarch driving a recording of {@code guests/src/sample.c} through
 * {@link ReplayTarget}: every reverse result is checked against what a forward run of the same
 * recording showed. Snapshots every 1000 instructions, so reverse scans cross many intervals.
 */
public class ReverseDebuggingSampleWithGdbTest {

    private static final long INTERVAL = 1000;
    private static final String DATA = "x/24gx 0x80002040";
    private static RecordedGuest sample;

    @BeforeClass
    public static void recordSample() throws Exception {
        assumeTrue("gdb-multiarch not on PATH", GdbScript.available());
        sample = RecordedGuest.of("sample", null);
    }

    private static String run(long interval, GdbScript script) throws Exception {
        try (RecordedGuest.Served s = sample.serve(interval)) {
            return script.run(s.port(), sample.elf);
        }
    }

    @Test
    public void stepiThenReverseStepiReturnsToIdenticalRegistersAndMemory() throws Exception {
        GdbScript g = new GdbScript().add("break add_square", "continue", "continue", "delete");
        g.mark("BEFORE").icount().add("info registers", DATA, "x/32gx $sp-128");
        g.add("stepi 300").mark("MID").icount().add(DATA);
        g.add("reverse-stepi 300").mark("AFTER").icount().add("info registers", DATA, "x/32gx $sp-128").mark("END");
        String out = run(INTERVAL, g);
        String before = GdbScript.section(out, "BEFORE");
        String mid = GdbScript.section(out, "MID");
        String after = GdbScript.section(out, "AFTER");
        long at = GdbScript.icounts(before).get(0);
        assertEquals(out, List.of(at + 300), GdbScript.icounts(mid));
        assertEquals(out, List.of(at), GdbScript.icounts(after));
        assertEquals(out, GdbScript.registers(before), GdbScript.registers(after));
        assertEquals(out, GdbScript.memory(before), GdbScript.memory(after));
        // the 300 instructions changed total and squares[1]: the restore above had work to do
        assertNotEquals(out, firstLines(GdbScript.memory(before), 12), GdbScript.memory(mid));
        assertFalse(out, out.contains("SIGTRAP"));
    }

    @Test
    public void bookmarksNamePositionsThatGotoReturnsToAndTheyOutliveTheSession() throws Exception {
        java.nio.file.Files.deleteIfExists(dev.rewind.replay.Bookmarks.fileFor(sample.log));
        GdbScript g = new GdbScript().add("break add_square", "continue", "monitor bookmark first").mark("FIRST").icount()
                .add(GdbScript.PC);
        g.add("continue", "continue", "monitor bookmark later").mark("LATER").icount();
        g.add("monitor goto first", "maint flush register-cache").mark("BACK").icount().add(GdbScript.PC);
        g.add("reverse-stepi").mark("STEPPED").icount();
        g.add("monitor goto nowhere"); // an error: gdb stops the script here
        String out = run(INTERVAL, g);
        long first = GdbScript.icounts(GdbScript.section(out, "FIRST")).get(0);
        long later = GdbScript.icounts(GdbScript.section(out, "LATER")).get(0);
        assertTrue(out, later > first);
        assertEquals(out, List.of(first), GdbScript.icounts(GdbScript.section(out, "BACK")));
        assertEquals(out, GdbScript.values(GdbScript.section(out, "FIRST"), "PC"), GdbScript.values(GdbScript.section(out, "BACK"), "PC"));
        assertEquals(out, List.of(first - 1), GdbScript.icounts(GdbScript.section(out, "STEPPED")));
        assertTrue(out, GdbScript.section(out, "STEPPED").contains("no bookmark 'nowhere'"));

        // a new session on the same recording finds them
        String again = run(INTERVAL, new GdbScript().add("monitor bookmarks", "monitor goto later").mark("L").icount()
                .add("monitor bookmark -d first", "monitor bookmarks").mark("END"));
        assertTrue(again, again.matches("(?s).*first\\s+" + first + "\\s+later\\s+" + later + ".*"));
        assertEquals(again, List.of(later), GdbScript.icounts(GdbScript.section(again, "L")));
        assertFalse(again, GdbScript.section(again, "END").contains("first"));
    }

    /** Forward hits of {@code break add_square}: (i, icount) per hit, then reverse-continue through them all. */
    @Test
    public void reverseContinueStopsAtTheLastBreakpointHitBeforeNow() throws Exception {
        GdbScript g = new GdbScript().add("break add_square");
        g.mark("FWD");
        for (int k = 0; k < 10; k++) {
            g.add("continue", "printf \"I=%d\\n\", i").icount();
        }
        g.add("continue").mark("BACK").icount();
        for (int k = 0; k < 10; k++) {
            g.add("reverse-continue", "printf \"I=%d\\n\", i").icount();
        }
        g.add("reverse-continue", GdbScript.PC).icount().mark("EDGE");
        // forward to hit 5, one instruction on: the hit is the instruction just before now
        for (int k = 0; k < 5; k++) {
            g.add("continue");
        }
        g.add("stepi", "reverse-continue", "printf \"I=%d\\n\", i").icount();
        // and from exactly on hit 5 the previous one is hit 4
        g.add("reverse-continue", "printf \"I=%d\\n\", i").icount().mark("END");
        String out = run(INTERVAL, g);

        String fwd = GdbScript.section(out, "FWD");
        List<Long> fwdI = GdbScript.values(fwd, "I");
        List<Long> fwdAt = GdbScript.icounts(fwd);
        assertEquals(out, List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), fwdI);
        String back = GdbScript.section(out, "BACK");
        List<Long> backAt = GdbScript.icounts(back);
        assertEquals(out, sample.endIcount, (long) backAt.get(0));
        List<Long> revI = new ArrayList<>(fwdI);
        Collections.reverse(revI);
        List<Long> revAt = new ArrayList<>(fwdAt);
        Collections.reverse(revAt);
        assertEquals(out, revI, GdbScript.values(back, "I"));
        revAt.add(0, sample.endIcount);
        revAt.add(0L);
        assertEquals(out, revAt, backAt);
        assertEquals(out, List.of(0x1000L), GdbScript.values(back, "PC"));
        assertTrue(out, back.contains("No more reverse-execution history."));

        String edge = GdbScript.section(out, "EDGE");
        assertEquals(out, List.of(5L, 4L), GdbScript.values(edge, "I"));
        assertEquals(out, List.of(fwdAt.get(4), fwdAt.get(3)), GdbScript.icounts(edge));
    }

    /** A hit exactly on a snapshot (the interval is the hit's icount) is found from one instruction later. */
    @Test
    public void reverseContinueFindsAHitLyingExactlyOnASnapshot() throws Exception {
        GdbScript fwd = new GdbScript().add("break add_square", "continue", "continue", "continue").icount();
        long hit3 = GdbScript.icounts(run(INTERVAL, fwd)).get(0);
        GdbScript g = new GdbScript().add("break add_square", "continue", "continue", "continue", "continue", "continue");
        g.add("reverse-continue", "printf \"I=%d\\n\", i").icount(); // hit 4 from hit 5: scans past the hit-3 snapshot
        g.add("reverse-continue", "printf \"I=%d\\n\", i").icount(); // hit 3, the snapshot itself
        g.add("stepi", "reverse-continue", "printf \"I=%d\\n\", i").icount(); // one on: hit 3 is at c - 1 = s
        String out = run(hit3, g);
        assertEquals(out, List.of(4L, 3L, 3L), GdbScript.values(out, "I"));
        List<Long> at = GdbScript.icounts(out);
        assertEquals(out, List.of(hit3, hit3), at.subList(1, 3));
        // a snapshot right after the hit: from there the hit is the last instruction of the previous interval
        GdbScript h = new GdbScript().add("break add_square", "continue", "continue", "continue", "stepi");
        h.add("reverse-continue", "printf \"I=%d\\n\", i").icount();
        h.add("reverse-continue", "printf \"I=%d\\n\", i").icount(); // and the interval before that one again
        String out2 = run(hit3 + 1, h);
        assertEquals(out2, List.of(3L, 2L), GdbScript.values(out2, "I"));
        assertEquals(out2, hit3, (long) GdbScript.icounts(out2).get(0));
    }

    /** gdb re-sends bc while a condition is false: the stop is the latest hit that satisfies it. */
    @Test
    public void conditionalBreakpointStopsOnlyWhereItsConditionHoldsInReverse() throws Exception {
        GdbScript g = new GdbScript().add("break add_square if i == 3 || i == 7", "continue", "continue").icount()
                .add("continue", "delete", "break add_square if i == 3 || i == 7", "reverse-continue",
                        "printf \"I=%d\\n\", i")
                .icount().add("reverse-continue", "printf \"I=%d\\n\", i").icount();
        String out = run(INTERVAL, g);
        List<Long> at = GdbScript.icounts(out);
        assertEquals(out, List.of(7L, 3L), GdbScript.values(out, "I"));
        assertEquals(out, at.get(0), at.get(1));
    }

    /** reverse-next and reverse-finish at source level, checked against forward next and the call's icount. */
    @Test
    public void reverseNextAndReverseFinishLandOnTheRightLines() throws Exception {
        GdbScript g = new GdbScript().add("break sample.c:42", "continue", "continue", "delete");
        g.mark("FWD").add(GdbScript.LINE, GdbScript.PC).icount();
        for (int k = 0; k < 3; k++) {
            g.add("next", GdbScript.LINE, GdbScript.PC).icount();
        }
        g.mark("BACK");
        for (int k = 0; k < 3; k++) {
            g.add("reverse-next", GdbScript.LINE, GdbScript.PC, GdbScript.FN).icount();
        }
        g.mark("FINISH").add("break *report", "continue", GdbScript.FN).icount();
        g.add("delete", "next", "next", "next", GdbScript.LINE);
        g.add("reverse-finish", GdbScript.FN, GdbScript.LINE).icount();
        // reverse-step from the call of report: to the start of line 44, then into penalty, at its end
        g.mark("STEP").add("reverse-step", GdbScript.LINE).icount();
        g.add("reverse-step", GdbScript.FN, GdbScript.LINE, "printf \"I=%d\\n\", i");
        g.mark("END");
        String out = run(INTERVAL, g);

        String fwd = GdbScript.section(out, "FWD");
        assertEquals(out, List.of(42L, 43L, 44L, 41L), GdbScript.values(fwd, "LINE"));
        List<Long> fwdPc = GdbScript.values(fwd, "PC");
        List<Long> fwdAt = GdbScript.icounts(fwd);
        String back = GdbScript.section(out, "BACK");
        assertEquals(out, List.of(44L, 43L, 42L), GdbScript.values(back, "LINE"));
        assertEquals(out, List.of("main", "main", "main"), GdbScript.strings(back, "FN"));
        assertEquals(out, List.of(fwdPc.get(2), fwdPc.get(1), fwdPc.get(0)), GdbScript.values(back, "PC"));
        assertEquals(out, List.of(fwdAt.get(2), fwdAt.get(1), fwdAt.get(0)), GdbScript.icounts(back));

        String fin = GdbScript.section(out, "FINISH");
        assertEquals(out, List.of("report", "main"), GdbScript.strings(fin, "FN"));
        long entry = GdbScript.icounts(fin).get(0);
        assertEquals(out, List.of(entry, entry - 1), GdbScript.icounts(fin)); // stopped on the call instruction
        List<Long> lines = GdbScript.values(fin, "LINE");
        assertEquals(out, 44L, (long) lines.get(lines.size() - 1));
        String step = GdbScript.section(out, "STEP");
        assertEquals(out, List.of(fwdAt.get(2)), GdbScript.icounts(step));
        assertEquals(out, List.of("penalty"), GdbScript.strings(step, "FN"));
        assertEquals(out, List.of(44L, 26L), GdbScript.values(step, "LINE"));
        assertEquals(out, List.of(2L), GdbScript.values(step, "I"));
    }

    /**
     * Read and access watchpoints: every reverse stop is just before an access that a forward
     * run stopped just after, in reverse order; reverse-stepi over a watched store reports it.
     */
    @Test
    public void readAndAccessWatchpointsInReverseMirrorTheForwardRun() throws Exception {
        GdbScript g = new GdbScript();
        for (String kind : List.of("rwatch", "awatch")) {
            g.add("delete", kind + " total").mark(kind + "-FWD");
            for (int k = 0; k < 45; k++) {
                g.add("continue").icount();
            }
            g.mark(kind + "-BACK");
            for (int k = 0; k < 45; k++) {
                g.add("reverse-continue").icount();
            }
        }
        g.add("delete", "watch total", "continue", "continue").mark("RSI").icount().add("reverse-stepi", GdbScript.PC)
                .icount().mark("END");
        String out = run(INTERVAL, g);
        for (String kind : List.of("rwatch", "awatch")) {
            List<Long> fwd = GdbScript.icounts(GdbScript.section(out, kind + "-FWD")).stream().distinct()
                    .filter(i -> i < sample.endIcount).toList();
            List<Long> back = GdbScript.icounts(GdbScript.section(out, kind + "-BACK")).stream().distinct()
                    .filter(i -> i > 0).toList();
            assertTrue(out, fwd.size() >= (kind.equals("rwatch") ? 20 : 33)); // 10 + 3 + 10 reads (+ 13 writes)
            List<Long> expected = new ArrayList<>();
            for (int k = fwd.size() - 1; k >= 0; k--) {
                expected.add(fwd.get(k) - 1);
            }
            assertEquals(kind + "\n" + out, expected, back);
        }
        String rsi = GdbScript.section(out, "RSI");
        List<Long> at = GdbScript.icounts(rsi);
        assertEquals(out, at.get(0) - 1, (long) at.get(1));
        assertTrue(out, rsi.contains("Old value = 5\nNew value = 1"));
    }

    /** A write watchpoint in reverse stops at each earlier write, latest first, with gdb's reversed values. */
    @Test
    public void writeWatchpointInReverseStopsAtTheLastWrite() throws Exception {
        GdbScript g = new GdbScript().add("watch total").mark("FWD");
        for (int k = 0; k < 13; k++) {
            g.add("continue").icount();
        }
        g.add("continue").mark("BACK");
        for (int k = 0; k < 13; k++) {
            g.add("reverse-continue", GdbScript.LINE).icount();
        }
        g.add("reverse-continue").mark("END");
        String out = run(INTERVAL, g);

        String fwd = GdbScript.section(out, "FWD");
        List<long[]> fwdChanges = changes(fwd);
        assertEquals(out, 13, fwdChanges.size());
        assertEquals(out, 382L, fwdChanges.get(12)[1]);
        String back = GdbScript.section(out, "BACK");
        List<long[]> backChanges = changes(back);
        assertEquals(out, 13, backChanges.size());
        List<Long> fwdAt = GdbScript.icounts(fwd);
        List<Long> backAt = GdbScript.icounts(back);
        for (int k = 0; k < 13; k++) {
            long[] f = fwdChanges.get(12 - k);
            long[] b = backChanges.get(k);
            assertEquals(out, f[0], b[1]); // reverse: "Old" is the value after the write, "New" the one before
            assertEquals(out, f[1], b[0]);
            // forward stops just after the store, reverse just before it
            assertEquals(out, fwdAt.get(12 - k) - 1, (long) backAt.get(k));
        }
        for (long line : GdbScript.values(back, "LINE")) {
            assertTrue(out, line == 19 || line == 25);
        }
        assertTrue(out, out.substring(out.lastIndexOf("==BACK==")).contains("No more reverse-execution history."));
    }

    private static String firstLines(String text, int n) {
        String[] lines = text.split("\n");
        return String.join("\n", List.of(lines).subList(0, Math.min(n, lines.length))) + "\n";
    }

    private static List<long[]> changes(String text) {
        List<long[]> out = new ArrayList<>();
        Matcher m = Pattern.compile("Old value = (-?\\d+)\nNew value = (-?\\d+)").matcher(text);
        while (m.find()) {
            out.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
        }
        return out;
    }

    @Test
    public void reversePastTheStartSaysNoMoreHistory() throws Exception {
        GdbScript g = new GdbScript().mark("A").add("reverse-stepi", GdbScript.PC).icount();
        g.mark("B").add("break penalty", "continue", "delete", "reverse-continue", GdbScript.PC).icount();
        g.mark("C").add("stepi 3", "reverse-stepi 5", GdbScript.PC).icount().mark("END");
        String out = run(INTERVAL, g);
        for (String s : List.of("A", "B", "C")) {
            String sec = GdbScript.section(out, s);
            assertTrue(out, sec.contains("\nNo more reverse-execution history.\n"));
            assertEquals(out, List.of(0x1000L), GdbScript.values(sec, "PC"));
            assertEquals(out, List.of(0L), GdbScript.icounts(sec));
        }
        assertFalse(out, out.contains("SIGTRAP"));
    }

    @Test
    public void continueAfterReverseReachesTheOriginalFinalState() throws Exception {
        GdbScript g = new GdbScript().add("continue").mark("END1").icount().add("info registers", DATA, "printf \"TOTAL=%d\\n\", total");
        g.add("break penalty", "reverse-continue", "reverse-continue", "reverse-stepi 5", "delete", "watch total",
                "reverse-continue", "delete");
        g.mark("MID").icount();
        g.add("continue").mark("END2").icount().add("info registers", DATA).mark("END");
        String out = run(INTERVAL, g);
        String end1 = GdbScript.section(out, "END1");
        String end2 = GdbScript.section(out, "END2");
        assertEquals(out, List.of(sample.endIcount), GdbScript.icounts(end1));
        assertEquals(out, List.of(sample.endIcount), GdbScript.icounts(end2));
        assertTrue(out, GdbScript.icounts(GdbScript.section(out, "MID")).get(0) < sample.endIcount - 1000);
        assertEquals(out, GdbScript.registers(end1), GdbScript.registers(end2));
        assertEquals(out, GdbScript.memory(end1), GdbScript.memory(end2));
        assertEquals(out, List.of(382L), GdbScript.values(end1, "TOTAL"));
    }
}
