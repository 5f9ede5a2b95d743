package dev.rewind.replay.log;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.After;
import org.junit.Test;

public class ReplayLogTest {

    private final Path dir;

    public ReplayLogTest() throws IOException {
        dir = Files.createTempDirectory("rrlog");
    }

    @After
    public void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    public static ReplayLogHeader header() {
        byte[] sha = new byte[32];
        Arrays.fill(sha, (byte) 7);
        byte[] cfg = new byte[32];
        Arrays.fill(cfg, (byte) 9);
        return new ReplayLogHeader("/tmp/prog.elf", sha, 128L << 20, 3, null, "/tmp/rr.qcow2", "init", false, cfg,
                10_000_000, "test");
    }

    /** A varied event stream: every kind, same-icount runs, big values, several blocks. */
    static List<ReplayEvent> sampleEvents(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<ReplayEvent> out = new ArrayList<>();
        long icount = 0;
        byte[] digest = new byte[32];
        for (int i = 0; i < n; i++) {
            icount += r.nextInt(4) == 0 ? 0 : r.nextLong(1, 1L << r.nextInt(1, 40));
            EventKind kind = EventKind.values()[r.nextInt(EventKind.values().length - 1)];
            long value = switch (kind) {
                case UART_RX, UART_RX_IDLE -> r.nextInt(256);
                case BLOCK_DONE, BLOCK_DONE_IDLE -> r.nextLong(0, Long.MAX_VALUE);
                case WARP -> r.nextInt(10) == 0 ? -1 : r.nextLong(0, 1L << 40);
                case HOST_CLOCK -> r.nextLong();
                case EXIT -> r.nextInt(-5, 300);
                default -> 0;
            };
            byte[] data = null;
            if (kind == EventKind.DIGEST || kind == EventKind.EXIT) {
                r.nextBytes(digest);
                data = digest.clone();
            }
            out.add(new ReplayEvent(icount, kind, value, data));
        }
        out.add(new ReplayEvent(icount + 5, EventKind.END, 0, null));
        return out;
    }

    private Path write(List<ReplayEvent> events) throws IOException {
        Path f = dir.resolve("run.rrlog");
        try (ReplayLogWriter w = ReplayLogWriter.create(f, header())) {
            for (ReplayEvent e : events) {
                w.append(e.icount(), e.kind(), e.value(), e.data());
            }
        }
        return f;
    }

    private static void assertSameEvents(List<ReplayEvent> expected, List<ReplayEvent> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            ReplayEvent e = expected.get(i);
            ReplayEvent a = actual.get(i);
            assertEquals("event " + i, e.icount(), a.icount());
            assertEquals("event " + i, e.kind(), a.kind());
            assertEquals("event " + i, e.value(), a.value());
            assertArrayEquals("event " + i, e.data(), a.data());
        }
    }

    @Test
    public void eventsAndHeaderSurviveARoundTrip() throws IOException {
        List<ReplayEvent> events = sampleEvents(5000, 1);
        ReplayLog log = ReplayLog.read(write(events));
        assertNull(log.damage());
        assertTrue(log.isComplete());
        assertEquals(header(), log.header());
        assertSameEvents(events, log.events());
        assertEquals(events.get(events.size() - 1).icount(), log.endIcount());
    }

    @Test
    public void truncationAtEveryByteOfTheLastBlockKeepsAllWholeEvents() throws IOException {
        List<ReplayEvent> events = sampleEvents(1500, 2);
        Path f = write(events);
        byte[] bytes = Files.readAllBytes(f);
        int lastBlock = lastBlockOffset(bytes);
        ReplayLog intact = ReplayLog.read(f);
        int eventsBeforeLastBlock = countEventsBefore(bytes, lastBlock);
        int previous = eventsBeforeLastBlock;
        for (int cut = lastBlock; cut < bytes.length; cut++) {
            ReplayLog log = ReplayLog.parse(ByteBuffer.wrap(Arrays.copyOf(bytes, cut)));
            assertNotNull("cut at " + cut + " must be reported", log.damage());
            assertTrue(log.damage(), log.damage().contains("cut short"));
            assertTrue("cut at " + cut + " lost events of earlier blocks", log.events().size() >= eventsBeforeLastBlock);
            assertTrue("events can only grow with the cut", log.events().size() >= previous);
            previous = log.events().size();
            // every event kept is exactly the recorded one
            assertSameEvents(intact.events().subList(0, log.events().size()), log.events());
            assertTrue(!log.isComplete());
        }
        assertEquals("the longest cut keeps all but the END event", intact.events().size() - 1, previous);
    }

    @Test
    public void aFlippedByteIsReportedWithItsOffsetAndEarlierBlocksStillReplay() throws IOException {
        List<ReplayEvent> events = sampleEvents(3000, 3);
        Path f = write(events);
        byte[] bytes = Files.readAllBytes(f);
        int second = nextBlock(bytes, firstBlockOffset(bytes));
        int third = nextBlock(bytes, second);
        int flipAt = second + ReplayLogWriter.BLOCK_HEADER + 17;
        bytes[flipAt] ^= 0x10;
        ReplayLog log = ReplayLog.parse(ByteBuffer.wrap(bytes));
        assertNotNull(log.damage());
        assertTrue(log.damage(), log.damage().contains("bytes " + second + ".." + (third - 1)));
        assertTrue(log.damage(), log.damage().contains("CRC"));
        assertEquals(countEventsBefore(bytes, second), log.events().size());
    }

    @Test
    public void headerDamageIsRefusedWithAReason() throws IOException {
        Path f = write(sampleEvents(10, 4));
        byte[] bytes = Files.readAllBytes(f);
        expectRefusal(Arrays.copyOf(bytes, 5), "too short");
        byte[] magic = bytes.clone();
        magic[0] = 'X';
        expectRefusal(magic, "bad magic");
        byte[] version = bytes.clone();
        version[9] = 7;
        expectRefusal(version, "version 7");
        byte[] field = bytes.clone();
        field[30] ^= 1;
        expectRefusal(field, "CRC");
        try {
            ReplayLog.read(dir.resolve("missing.rrlog"));
            fail();
        } catch (ReplayLogException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("does not exist"));
        }
    }

    @Test
    public void randomGarbageAfterTheHeaderNeverThrows() throws IOException {
        byte[] head = Files.readAllBytes(write(List.of()));
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 2000; i++) {
            byte[] tail = new byte[r.nextInt(200)];
            r.nextBytes(tail);
            byte[] all = Arrays.copyOf(head, head.length + tail.length);
            System.arraycopy(tail, 0, all, head.length, tail.length);
            ReplayLog log = ReplayLog.parse(ByteBuffer.wrap(all));
            assertNotNull(log.damage());
        }
    }

    private static void expectRefusal(byte[] bytes, String reason) {
        try {
            ReplayLog.parse(ByteBuffer.wrap(bytes));
            fail("accepted a log with " + reason);
        } catch (ReplayLogException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(reason));
        }
    }

    private static int firstBlockOffset(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return 14 + b.getInt(10) + 4;
    }

    private static int nextBlock(byte[] bytes, int block) {
        return block + ReplayLogWriter.BLOCK_HEADER + ByteBuffer.wrap(bytes).getInt(block + 4);
    }

    private static int lastBlockOffset(byte[] bytes) {
        int p = firstBlockOffset(bytes);
        int last = p;
        while (p < bytes.length) {
            last = p;
            p = nextBlock(bytes, p);
        }
        return last;
    }

    private static int countEventsBefore(byte[] bytes, int blockOffset) throws ReplayLogException {
        return ReplayLog.parse(ByteBuffer.wrap(Arrays.copyOf(bytes, blockOffset))).events().size();
    }
}
