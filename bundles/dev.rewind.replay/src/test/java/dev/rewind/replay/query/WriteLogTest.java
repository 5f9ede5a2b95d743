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
 * {@link QueryAnswersMatchSingleStepTest} with a log that drops pages after 2 changes, one
 * that fills up after 300, and none at all; on a disk guest whose buffers the device writes by
 * DMA between the guest's stores; and a variable written a thousand times is answered without
 * replaying a single interval.
 */
public class WriteLogTest {

    /** Drops a page at its third change in an interval, rests it 1..4 intervals, holds 300 changes. */
    static final WriteLog.Budget TIGHT = new WriteLog.Budget(2, 16, 4, 300);
    static final WriteLog.Budget NONE = new WriteLog.Budget(0, 0, 1, 0);

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
}
