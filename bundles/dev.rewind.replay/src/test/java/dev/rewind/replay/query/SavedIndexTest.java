package dev.rewind.replay.query;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import dev.rewind.replay.GuestPrograms;
import dev.rewind.replay.RecordSession;

/**
 * The index saved beside a recording ({@code RUN.rrlog.qindex}) lets the next engine answer
 * without replaying the recording, with the same answers; a stale one (another recording's, or
 * another snapshot interval's) or a damaged one (a flipped byte, cut short, not an index) is
 * refused with a sentence that says why, built again and saved again, and the recording's own
 * bytes never change.
 */
public class SavedIndexTest {

    private static Path dir;

    @BeforeClass
    public static void makeDir() throws IOException {
        dir = Files.createTempDirectory("rewind-query-index");
    }

    @AfterClass
    public static void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    private static Path record(String guest, String name) throws Exception {
        Path log = dir.resolve(name + ".rrlog");
        if (!Files.exists(log)) {
            RecordSession.Options o = RecordSession.Options.of(GuestPrograms.elf(guest), log)
                    .withInput(null, new ByteArrayOutputStream()).withMachine(16L << 20, 0);
            try (RecordSession s = RecordSession.start(o)) {
                s.run(50_000_000L);
            }
        }
        return log;
    }

    /** Everything the engine answers about timer_irq's globals and events, as text. */
    private static String answers(QueryEngine q) {
        StringBuilder sb = new StringBuilder();
        for (String v : new String[] {"0x2004000:8", "m_timer_irqs", "s_timer_irqs", "last_cause"}) {
            Target t;
            try {
                t = q.target(v);
            } catch (IllegalArgumentException e) {
                continue;
            }
            for (Access a : q.writes(t, q.startIcount(), q.endIcount(), Progress.NONE)) {
                sb.append(AnswerText.access(a)).append('\n');
            }
            sb.append(AnswerText.history(q.history(t, q.startIcount(), q.endIcount(), Progress.NONE)));
            sb.append(q.lastWrite(t, q.endIcount(), Progress.NONE).map(AnswerText::access).orElse("none")).append('\n');
        }
        sb.append(AnswerText.events(q.events(EnumSet.allOf(QueryEvent.Kind.class), q.startIcount(), q.endIcount(),
                Progress.NONE)));
        return sb.toString();
    }

    private static String run(Path log, long interval, StringBuilder note) throws Exception {
        try (QueryEngine q = QueryEngine.open(log, null, interval)) {
            q.index(Progress.NONE);
            String answers = answers(q);
            note.setLength(0);
            note.append(q.indexNote()); // after the answers: a damaged page block is found when a query reads it
            return answers;
        }
    }

    @Test
    public void aSecondEngineReadsTheSavedIndexAndAnswersAsTheFirst() throws Exception {
        Path log = record("timer_irq", "second");
        byte[] recording = Files.readAllBytes(log);
        StringBuilder note = new StringBuilder();
        String first = run(log, 1024, note);
        assertEquals("query index saved to " + log + ".qindex", note.toString());
        String second = run(log, 1024, note);
        assertEquals("query index read from " + log + ".qindex", note.toString());
        assertEquals(first, second);
        assertTrue(first, first.contains("history of m_timer_irqs") && first.contains("events:"));
        assertArrayEquals("the recording is only read", recording, Files.readAllBytes(log));
    }

    @Test
    public void staleAndDamagedIndexesAreRefusedWithTheReasonAndBuiltAgain() throws Exception {
        Path log = record("timer_irq", "victim");
        Path other = record("uart_irq", "other");
        byte[] recording = Files.readAllBytes(log);
        Path file = Path.of(log + ".qindex");
        StringBuilder note = new StringBuilder();
        String truth = run(log, 1024, note);
        byte[] good = Files.readAllBytes(file);

        run(other, 1024, note);
        Files.copy(Path.of(other + ".qindex"), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(truth, run(log, 1024, note));
        assertTrue(note.toString(), note.toString().startsWith("query index " + file + " is stale: recording-"));
        assertTrue(note.toString(), note.toString().endsWith("; built again; saved to " + file));
        assertArrayEquals("the saved index is this recording's again", good, Files.readAllBytes(file));

        assertEquals(truth, run(log, 2048, note));
        assertTrue(note.toString(), note.toString().contains("is stale: snapshot-interval was 1024, is 2048"));
        run(log, 1024, note);

        long page;
        long key;
        try (QueryEngine q = QueryEngine.open(log, null, 1024)) {
            page = (q.target("m_timer_irqs").address() - dev.rewind.emulator.VirtMachine.RAM_BASE) >>> 12;
        }
        try (IndexFile.Opened o = IndexFile.open(file, IndexFile.key(log, 1024, WriteLog.Budget.DEFAULT))) {
            key = o.pageOffset((int) page);
        }
        assertTrue("m_timer_irqs' page has a block", key > 0);
        // a byte of: the block of the page the answers read (checked when first read), the page
        // directory (the last section), the header's key
        for (int at : new int[] {(int) key + 5, good.length - 3, 40}) {
            byte[] bad = good.clone();
            bad[at] ^= 0x10;
            Files.write(file, bad);
            assertEquals(truth, run(log, 1024, note));
            assertTrue(note.toString(), note.toString().contains(" is damaged: "));
        }
        Files.write(file, java.util.Arrays.copyOf(good, good.length * 2 / 3));
        assertEquals(truth, run(log, 1024, note));
        assertTrue(note.toString(), note.toString().contains(" is damaged: "));
        Files.write(file, "not an index at all".getBytes());
        assertEquals(truth, run(log, 1024, note));
        assertTrue(note.toString(), note.toString().contains(" is not a query index; built again"));
        assertEquals("read back after the rebuild", truth, run(log, 1024, note));
        assertEquals("query index read from " + file, note.toString());
        assertArrayEquals("the recording is only read", recording, Files.readAllBytes(log));
        assertTrue(List.of(dir.toFile().list()).stream().noneMatch(n -> n.contains(".tmp")));
    }
}
