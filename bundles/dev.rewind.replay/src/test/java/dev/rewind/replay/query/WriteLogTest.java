package dev.rewind.replay.query;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import dev.rewind.replay.GuestPrograms;
import dev.rewind.replay.RecordSession;
import dev.rewind.symbols.ProgramSymbols;

/**
 * The write log answers what replays with a watchpoint answered, exactly, however little of the
 * recording it could afford to log: the single-step comparison of
 * {@link QueryAnswersMatchSingleStepTest} with a log that drops lines after 2 changes and pages
 * after 8 (the second engine then takes values from the lines' images), one that fills up after
 * 300, and none at all; on a disk guest whose buffers the device writes by
 * DMA between the guest's stores; and a variable written a thousand times is answered without
 * replaying a single interval. The log covers 64-byte lines: on a page where hot lines sit beside
 * cold ones and stores cross from line to line and from page to page, answers stay exact with
 * lines dropped, and the cold lines' answers need no replay.
 */
public class WriteLogTest {

    /** Drops a line at its third change in an interval, a page at its ninth, rests them 1..4 intervals, holds 300 changes. */
    static final WriteLog.Budget TIGHT = new WriteLog.Budget(2, 8, 16, 4, 300);
    /** Drops lines at their 17th change in an interval, never a page for its changes. */
    static final WriteLog.Budget LINES = new WriteLog.Budget(16, 1 << 20, 1 << 20, 4, 1 << 20);
    static final WriteLog.Budget NONE = new WriteLog.Budget(0, 0, 0, 1, 0);

    private static Path dir;

    @BeforeClass
    public static void makeDir() throws Exception {
        dir = Files.createTempDirectory("rewind-writelog");
    }

    @AfterClass
    public static void cleanUp() throws Exception {
        try (var s = Files.walk(dir)) {
            s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    private static Path record(String guest, Path disk) throws Exception {
        Path log = dir.resolve(guest + ".rrlog");
        RecordSession.Options o = RecordSession.Options.of(GuestPrograms.elf(guest), log)
                .withInput(null, new ByteArrayOutputStream()).withMachine(16L << 20, 0);
        if (disk != null) {
            o = o.withDisk(disk, "init");
        }
        try (RecordSession s = RecordSession.start(o)) {
            s.run(50_000_000L);
        }
        return log;
    }

    @Test
    public void answersFromATightOrAFullOrNoWriteLogEqualASingleStepScan() throws Exception {
        for (String guest : new String[] {"timer_irq", "uart_irq"}) {
            Path log = record(guest, null);
            List<Target> targets = QueryAnswersMatchSingleStepTest.globals(GuestPrograms.elf(guest), 12);
            QueryAnswersMatchSingleStepTest.check(guest, log, QueryAnswersMatchSingleStepTest.INTERVAL, targets,
                    List.of(), List.of(TIGHT, NONE));
        }
    }

    @Test
    public void bytesADeviceWroteByDmaBetweenTheGuestsStoresAreInTheLoggedValues() throws Exception {
        Path raw = GuestPrograms.root().resolve("guests/build/disk.img");
        if (!Files.exists(raw)) {
            Process p = new ProcessBuilder("make", "-s", "-C", GuestPrograms.root().resolve("guests").toString(),
                    "build/disk.img").inheritIO().start();
            assertEquals(0, p.waitFor());
        }
        Path disk = dir.resolve("disk.qcow2");
        Process p = new ProcessBuilder("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(),
                disk.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        Path log = record("blk", disk);
        ProgramSymbols symbols = ProgramSymbols.load(GuestPrograms.elf("blk"));
        List<Target> targets = new ArrayList<>(QueryAnswersMatchSingleStepTest.globals(GuestPrograms.elf("blk"), 12));
        // the device writes the used ring, the status bytes and the first bytes of a read buffer
        targets.add(Target.parse("used:16", symbols));
        targets.add(Target.parse("status", symbols));
        targets.add(Target.parse("buf_a:16", symbols));
        QueryAnswersMatchSingleStepTest.check("blk", log, QueryAnswersMatchSingleStepTest.INTERVAL, targets, List.of(),
                List.of(WriteLog.Budget.DEFAULT, TIGHT));
    }

    @Test
    public void aVariableWrittenAThousandTimesIsAnsweredWithoutReplayingAnInterval() throws Exception {
        Path log = record("history-small", null);
        ProgramSymbols symbols = ProgramSymbols.load(GuestPrograms.elf("history-small"));
        Target progress = Target.parse("progress", symbols);
        long interval = 1 << 16;
        QueryAnswersMatchSingleStepTest.check("history-small", log, interval, List.of(progress), List.of(),
                List.of(WriteLog.Budget.DEFAULT));
        try (QueryEngine q = QueryEngine.open(log, null, interval)) {
            QueryEngine.History h = q.history(progress, q.startIcount(), q.endIcount(), Progress.NONE);
            assertEquals("changes of progress", 1000, h.changes().size());
            assertEquals("intervals replayed for the history", 0, q.intervalsReplayed());
            assertTrue("the history spans many intervals", q.intervals() > 100);
            Access last = q.lastWrite(progress, q.endIcount(), Progress.NONE).orElseThrow();
            assertEquals(h.changes().get(999).icount(), last.icount());
            assertEquals("0x00000000000003e8", Access.hex(last.after()));
            assertEquals("intervals replayed for the last write", 0, q.intervalsReplayed());
        }
    }

    @Test
    public void hotLinesBesideColdOnesAndStoresAcrossLinesAndPagesEqualASingleStepScanAndColdLinesReplayNothing()
            throws Exception {
        Path log = record("hot_line", null);
        ProgramSymbols symbols = ProgramSymbols.load(GuestPrograms.elf("hot_line"));
        long base = Target.parse("pages", symbols).address();
        // offset, length, name: every line and page boundary the guest's stores cross
        Object[][] ranges = {{0, 8, "hot"}, {64, 8, "cold"}, {120, 4, "line 1's last word"}, {124, 8, "straddle"},
                {128, 4, "line 2's first word"}, {136, 8, "warm"}, {4092, 4, "edge (page 1's last word)"},
                {4092, 8, "edge across the pages"}, {4096, 4, "head"}, {4100, 4, "next_hot"}};
        List<Target> targets = new ArrayList<>();
        for (Object[] r : ranges) {
            targets.add(new Target((String) r[2], base + (int) r[0], (int) r[1], true, -1));
        }
        long interval = 1 << 16;
        QueryAnswersMatchSingleStepTest.check("hot_line", log, interval, targets, List.of(),
                List.of(LINES, WriteLog.Budget.DEFAULT, TIGHT));
        // cold lines (and ranges that lie in them only) come from the log; ranges touching a hot line need replays
        boolean[] cold = {false, true, true, false, false, false, true, false, false, false};
        Files.deleteIfExists(Path.of(log + ".qindex"));
        List<String> histories = new ArrayList<>();
        for (int pass = 0; pass < 2; pass++) { // the indexing engine, then one that reads the saved index
            try (QueryEngine q = QueryEngine.open(log, null, interval)) {
                q.budget(LINES);
                q.index(Progress.NONE);
                assertEquals(pass == 0 ? "query index saved to " + log + ".qindex" : "query index read from " + log + ".qindex",
                        q.indexNote());
                assertTrue("the run spans many intervals", q.intervals() > 20);
                for (int i = 0; i < targets.size(); i++) {
                    QueryEngine.History h = q.history(targets.get(i), q.startIcount(), q.endIcount(), Progress.NONE);
                    assertTrue(targets.get(i) + " changes", i > 0 || h.changes().size() == 2000);
                    assertEquals(targets.get(i) + ": intervals replayed (pass " + pass + ")", cold[i],
                            q.intervalsReplayed() == 0);
                    String text = AnswerText.history(h);
                    if (pass == 0) {
                        histories.add(text);
                    } else {
                        assertEquals("the second engine's history", histories.get(i), text);
                    }
                }
            }
        }
    }
}
