package dev.rewind.replay;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.junit.After;
import org.junit.Test;

import dev.rewind.emulator.StopReason;
import dev.rewind.replay.log.ReplayLog;

public class RecordReplayTest {

    private final Path dir;

    public RecordReplayTest() throws IOException {
        dir = Files.createTempDirectory("rewind-rr");
    }

    @After
    public void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * Typed input whose arrival the test controls: each poll of {@code available()} reveals a
     * random number of further bytes, so bytes land at different instructions per seed.
     */
    static final class TypedInput extends InputStream {
        private final byte[] text;
        private final SplittableRandom r;
        private int visible;
        private int pos;

        TypedInput(String text, long seed) {
            this.text = text.getBytes(StandardCharsets.US_ASCII);
            this.r = new SplittableRandom(seed);
        }

        @Override
        public int available() {
            if (visible < text.length && r.nextInt(3) == 0) {
                visible = Math.min(text.length, visible + r.nextInt(1, 40));
            }
            return visible - pos;
        }

        @Override
        public int read() {
            if (pos >= text.length) {
                return -1;
            }
            visible = Math.max(visible, pos + 1); // a blocking read waits for the next keystroke
            return text[pos++] & 0xff;
        }
    }

    record Outcome(RecordSession.Result result, String output, Path log) {
    }

    private Outcome record(String guest, InputStream in, long pollInterval, long max) throws Exception {
        Path log = dir.resolve(guest + "-" + System.nanoTime() + ".rrlog");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordSession.Options o = RecordSession.Options.of(GuestPrograms.elf(guest), log).withInput(in, out).withMachine(16L << 20, 0)
                .withPollInterval(pollInterval).withDigestInterval(100_000);
        try (RecordSession s = RecordSession.start(o)) {
            RecordSession.Result r = s.run(max);
            return new Outcome(r, out.toString(StandardCharsets.ISO_8859_1), log);
        }
    }

    private static String randomText(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        int lines = r.nextInt(1, 6);
        for (int i = 0; i < lines; i++) {
            int n = r.nextInt(0, 60);
            for (int j = 0; j < n; j++) {
                sb.append((char) r.nextInt('a', 'z' + 1));
            }
            sb.append('\n');
        }
        return sb.append('q').toString();
    }

    @Test
    public void interactiveGuestReplaysExactlyUnderRandomInputTimings() throws Exception {
        for (long seed = 0; seed < 100; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            String text = randomText(r);
            Outcome rec = record("echo", new TypedInput(text, seed), r.nextLong(1, 3000), Long.MAX_VALUE);
            assertEquals("seed " + seed + ": " + rec.output, StopReason.EXIT, rec.result.reason());
            assertTrue(rec.output, rec.output.contains("echo: bye, "));

            ByteArrayOutputStream replayOut = new ByteArrayOutputStream();
            try (Timeline s = Timeline.open(rec.log, Timeline.Options.defaults().withEcho(replayOut))) {
                Stop stop = s.replayTo(Long.MAX_VALUE); // checks digests and the final state digest
                assertEquals(Stop.Kind.HISTORY_END, stop.kind());
                assertEquals("seed " + seed, rec.result.icount(), s.icount());
                assertEquals(rec.result.exitCode(), s.machine().exitCode());
            }
            assertEquals("seed " + seed, rec.output, replayOut.toString(StandardCharsets.ISO_8859_1));
        }
    }

    /** QEMU 7.2 loses 33 of 42 bytes arriving at once (16-byte FIFO); the port holds them back instead. */
    @Test
    public void aBurstLargerThanTheUartFifoLosesNothing() throws Exception {
        String line = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-abcde"; // 42 bytes (no q: it quits), all at once
        byte[] bytes = (line + "\nq").getBytes(StandardCharsets.US_ASCII);
        InputStream burst = new InputStream() { // arrives at once, after the guest has booted
            int pos;
            int polls;

            @Override
            public int available() {
                return ++polls < 3 ? 0 : bytes.length - pos;
            }

            @Override
            public int read() {
                return pos < bytes.length ? bytes[pos++] & 0xff : -1;
            }
        };
        Outcome rec = record("echo", burst, RecordSession.Options.DEFAULT_POLL_INTERVAL, Long.MAX_VALUE);
        assertTrue(rec.output, rec.output.contains(line + "\n[line 1: 42 chars]"));
        assertTrue(rec.output, rec.output.contains("1 lines, 43 bytes"));
    }

    @Test
    public void timerWarpsReplayIdenticallyAndInstantly() throws Exception {
        Outcome rec = record("timer", null, RecordSession.Options.DEFAULT_POLL_INTERVAL, Long.MAX_VALUE);
        assertEquals(StopReason.EXIT, rec.result.reason());
        ReplayLog log = ReplayLog.read(rec.log);
        assertTrue("the timer guest idles, so warps are logged",
                log.events().stream().anyMatch(e -> e.kind() == dev.rewind.replay.log.EventKind.WARP));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Timeline s = Timeline.open(rec.log, Timeline.Options.defaults().withEcho(out))) {
            assertEquals(Stop.Kind.HISTORY_END, s.replayTo(Long.MAX_VALUE).kind());
            assertEquals(rec.result.icount(), s.icount());
        }
        assertEquals(rec.output, out.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    public void replayingAgainstAnotherProgramIsRefusedNamingTheProgram() throws Exception {
        Outcome rec = record("timer", null, RecordSession.Options.DEFAULT_POLL_INTERVAL, Long.MAX_VALUE);
        try {
            Timeline.open(rec.log, Timeline.Options.defaults().withProgram(GuestPrograms.elf("sample")));
            fail("replayed a recording of timer against sample");
        } catch (ReplaySetupException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("program: "));
        }
    }

    @Test
    public void aCutShortRecordingReplaysToItsLastEventAndSaysSo() throws Exception {
        Outcome rec = record("echo", new TypedInput("hello\nworld\nq", 1), 50, Long.MAX_VALUE);
        byte[] bytes = Files.readAllBytes(rec.log);
        Path cut = dir.resolve("cut.rrlog");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 30));
        try (Timeline s = Timeline.open(cut, Timeline.Options.defaults())) {
            assertNotNull(s.session().historyEndNote());
            assertEquals(Stop.Kind.HISTORY_END, s.replayTo(Long.MAX_VALUE).kind());
            assertEquals(s.session().log().endIcount(), s.icount());
            assertTrue(s.icount() < rec.result.icount());
        }
        try (Timeline s = Timeline.open(rec.log, Timeline.Options.defaults())) {
            assertNull(s.session().historyEndNote());
        }
    }

    @Test
    public void consoleFollowsThePositionThroughBackwardAndForwardJumps() throws Exception {
        Outcome rec = record("sample", null, RecordSession.Options.DEFAULT_POLL_INTERVAL, Long.MAX_VALUE);
        long end = rec.result.icount();
        try (Timeline s = Timeline.open(rec.log, Timeline.Options.defaults().withSnapshotInterval(1000))) {
            for (long target : new long[] {end / 2, end / 4, end - 1, 3, end * 3 / 4, end}) {
                s.seek(target); // forward jumps restore later snapshots, backward ones earlier
                try (Timeline straight = Timeline.open(rec.log, Timeline.Options.defaults())) {
                    straight.replayTo(target);
                    assertArrayEquals("console at " + target, straight.session().console().toByteArray(), s.session().console().toByteArray());
                }
            }
            assertEquals(rec.output, new String(s.session().console().toByteArray(), StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    public void seekAnywhereEqualsStraightReplay() throws Exception {
        long length = 100_000_000L;
        Outcome rec = record("ticktock", null, RecordSession.Options.DEFAULT_POLL_INTERVAL, length);
        assertEquals(length, rec.result.icount());
        SplittableRandom r = new SplittableRandom(11);
        try (Timeline travel = Timeline.open(rec.log, Timeline.Options.defaults())) {
            travel.seek(length); // visit the whole history once: periodic snapshots on the way
            for (int i = 0; i < 6; i++) {
                long target = r.nextLong(0, length);
                travel.seek(target);
                assertEquals(target, travel.icount());
                byte[] viaSeek = travel.captureState().digest();
                try (Timeline straight = Timeline.open(rec.log, Timeline.Options.defaults())) {
                    straight.replayTo(target);
                    assertEquals(target, straight.icount());
                    assertArrayEquals("state at " + target, straight.captureState().digest(), viaSeek);
                }
            }
        }
    }
}
