package dev.rewind.replay;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Test;

import dev.rewind.emulator.StopReason;
import dev.rewind.replay.log.EventKind;
import dev.rewind.replay.log.ReplayLog;

/**
 * A guest that polls the UART with the FIFO disabled (one holding byte) receives a 200-byte
 * burst typed in one write, complete and in order, while recording; the replay delivers each
 * byte at its logged icount and prints the same.
 */
public class PolledUartInputReplaysTest {

    private static final String BURST = burst();

    private static String burst() {
        StringBuilder sb = new StringBuilder();
        String alphabet = "abcdefghijklmnoprstuvwxyz0123456789";
        for (int i = 0; i < 200; i++) {
            sb.append(alphabet.charAt((i * 11 + i / 3) % alphabet.length()));
        }
        return sb.toString();
    }

    /** Nothing until the guest has printed {@code marker}; then the whole text at once. */
    private static InputStream typedAfter(String text, ByteArrayOutputStream out, String marker) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return new InputStream() {
            int pos;

            @Override
            public int available() {
                return out.toString(StandardCharsets.US_ASCII).contains(marker) ? bytes.length - pos : 0;
            }

            @Override
            public int read() {
                return pos < bytes.length ? bytes[pos++] & 0xff : -1;
            }
        };
    }

    @Test
    public void aPollingGuestWithTheFifoDisabledGetsA200ByteBurstLiveAndInReplay() throws Exception {
        Path dir = Files.createTempDirectory("rewind-poll");
        try {
            Path log = dir.resolve("poll.rrlog");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            RecordSession.Options o = RecordSession.Options.of(GuestPrograms.elf("uart_poll"), log)
                    .withInput(typedAfter(BURST + "q", out, "poll: ready\n"), out).withMachine(16L << 20, 0);
            RecordSession.Result rec;
            try (RecordSession s = RecordSession.start(o)) {
                rec = s.run(500_000_000L);
            }
            String live = out.toString(StandardCharsets.US_ASCII);
            assertEquals(live, StopReason.EXIT, rec.reason());
            assertEquals(live, 0, rec.exitCode());
            int h = 0;
            for (char c : BURST.toCharArray()) {
                h = h * 31 + c;
            }
            String summary = String.format("poll: 200 bytes, hash 0x%016x, 0 overruns", h & 0xffffffffL);
            assertTrue(live, live.contains(summary));
            long delivered = ReplayLog.read(log).events().stream().filter(e -> e.kind() == EventKind.UART_RX).count();
            assertEquals("every byte is logged with its delivery icount", 201, delivered);

            ByteArrayOutputStream replayed = new ByteArrayOutputStream();
            try (Timeline s = Timeline.open(log, Timeline.Options.defaults().withEcho(replayed))) {
                assertEquals(Stop.Kind.HISTORY_END, s.replayTo(Long.MAX_VALUE).kind()); // checks the final digest
                assertEquals(rec.icount(), s.icount());
            }
            assertEquals(live, replayed.toString(StandardCharsets.US_ASCII));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }
}
