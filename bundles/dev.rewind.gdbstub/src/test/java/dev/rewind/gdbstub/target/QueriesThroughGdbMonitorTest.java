package dev.rewind.gdbstub.target;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.BeforeClass;
import org.junit.Test;

import dev.rewind.gdbstub.RspServer;
import dev.rewind.replay.RecordSession;
import dev.rewind.replay.Timeline;
import dev.rewind.replay.query.Progress;
import dev.rewind.replay.query.QueryEngine;
import dev.rewind.replay.query.Register;

/**
 * gdb-multiarch asks the recording of {@code guests/src/sample.c} through {@code monitor}: the
 * value history of {@code total} names the same writes, one instruction earlier, at which gdb's
 * own watchpoint stops going forward; {@code monitor goto} lands before the writing
 * instruction with the old value still in memory; events and last-write answer too. On four
 * harts, register questions follow the thread gdb selected.
 */
public class QueriesThroughGdbMonitorTest {

    private static final Pattern ACCESS = Pattern.compile(
            "icount (\\d+)\\s+hart 0\\s+pc 0x([0-9a-f]+)\\s+\\S\\s+write \\d+ @ 0x[0-9a-f]+\\s+0x([0-9a-f]+) -> 0x([0-9a-f]+)");
    private static RecordedGuest sample;

    @BeforeClass
    public static void recordSample() throws Exception {
        assumeTrue("gdb-multiarch not on PATH", GdbScript.available());
        sample = RecordedGuest.of("sample", null);
    }

    private static String run(GdbScript script) throws Exception {
        try (RecordedGuest.Served s = sample.serve(1000)) {
            return script.run(s.port(), sample.elf);
        }
    }

    private static List<long[]> accesses(String out) {
        List<long[]> list = new ArrayList<>();
        Matcher m = ACCESS.matcher(out);
        while (m.find()) {
            list.add(new long[] {Long.parseLong(m.group(1)), Long.parseUnsignedLong(m.group(2), 16),
                Long.parseUnsignedLong(m.group(3), 16), Long.parseUnsignedLong(m.group(4), 16)});
        }
        return list;
    }

    @Test
    public void historyNamesTheWritesAtWhichGdbsWatchpointStopsAndGotoLandsBeforeThem() throws Exception {
        GdbScript g = new GdbScript().mark("HISTORY").add("monitor history total").mark("WATCH").add("watch total");
        for (int k = 0; k < 6; k++) {
            g.add("continue").icount();
        }
        String out = run(g);
        List<long[]> changes = accesses(GdbScript.section(out, "HISTORY"));
        assertTrue(out, changes.size() >= 12); // total = 0, ten squares added, three penalties (some no-ops)
        List<Long> watchStops = GdbScript.icounts(GdbScript.section(out, "WATCH"));
        assertEquals(out, 6, watchStops.size());
        for (int k = 0; k < 6; k++) {
            // gdb stops after the store; the query names the position just before it
            assertEquals(out, changes.get(k)[0] + 1, (long) watchStops.get(k));
        }

        long[] third = changes.get(3);
        GdbScript h = new GdbScript().add("monitor goto " + third[0]).icount().add(GdbScript.PC,
                "printf \"T=%d\\n\", total").mark("LAST").add("monitor last-write total").mark("EVENTS")
                .add("monitor events --kind uart_out --to " + third[0]).mark("END");
        String out2 = run(h);
        assertEquals(out2, List.of(third[0]), GdbScript.icounts(out2));
        assertEquals(out2, List.of(third[1]), GdbScript.values(out2, "PC"));
        assertEquals(out2, List.of(third[2]), GdbScript.values(out2, "T"));
        // from there, the last write is the one before
        List<long[]> last = accesses(GdbScript.section(out2, "LAST"));
        assertEquals(out2, 1, last.size());
        assertEquals(out2, changes.get(2)[0], last.get(0)[0]);
        assertTrue(out2, GdbScript.section(out2, "EVENTS").contains("uart_out"));
    }

    @Test
    public void onFourHartsRegisterQuestionsFollowTheThreadGdbSelectedAndEventsNameTheirHart() throws Exception {
        Path dir = Files.createTempDirectory("rewind-gdb-queries");
        Path elf = Files.copy(RecordedGuest.elf("smp_traps"), dir.resolve("smp_traps.elf"));
        Path log = dir.resolve("smp_traps.rrlog");
        try (RecordSession s = RecordSession.start(RecordSession.Options.of(elf, log)
                .withInput(null, new ByteArrayOutputStream()).withHarts(4))) {
            s.run(Long.MAX_VALUE);
        }
        long expected;
        try (QueryEngine q = QueryEngine.open(log, null, QueryEngine.DEFAULT_INTERVAL)) {
            expected = q.nextChange(Register.parse("mcause"), 2, 0, Progress.NONE).orElseThrow().icount();
        }
        // gdb's thread 3 is hart 2; every hart takes hartid + 1 ECALLs and as many timer interrupts
        GdbScript g = new GdbScript().add("thread 3").mark("CHANGE").add("monitor next-change mcause").mark("TRAPS")
                .add("monitor events --kind trap --hart 2").mark("END");
        String out;
        try (Timeline session = Timeline.open(log, Timeline.Options.defaults());
                RspServer server = new RspServer(new ReplayTarget(session))) {
            server.start();
            out = g.run(server.port(), elf);
        }
        String change = GdbScript.section(out, "CHANGE");
        assertTrue(out, change.contains("next change of mcause of hart 2 from icount 0"));
        assertTrue(out, change.contains("icount " + expected + " "));
        String traps = GdbScript.section(out, "TRAPS");
        assertTrue(out, traps.contains("6 events"));
        assertEquals(out, 6, traps.split("hart 2", -1).length - 1);
    }
}
