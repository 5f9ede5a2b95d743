package dev.rewind.gdbstub.target;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import dev.rewind.emulator.StopReason;
import dev.rewind.gdbstub.RspServer;
import dev.rewind.replay.RecordSession;
import dev.rewind.replay.Timeline;

/**
 * A guest from {@code guests/} recorded in-process once per test JVM, and served to gdb as a
 * {@link ReplayTarget} on 127.0.0.1 (a fresh replay session per {@link #serve}).
 */
final class RecordedGuest {

    private static final Map<String, RecordedGuest> RECORDED = new HashMap<>();

    final String name;
    final Path elf;
    final Path log;
    final long endIcount;
    final String output;

    private RecordedGuest(String name, Path elf, Path log, long endIcount, String output) {
        this.name = name;
        this.elf = elf;
        this.log = log;
        this.endIcount = endIcount;
        this.output = output;
    }

    /** Records {@code guest} (fed {@code input} on its UART, if not null) until it exits. */
    static synchronized RecordedGuest of(String guest, String input) throws Exception {
        String key = guest + "\0" + input;
        RecordedGuest g = RECORDED.get(key);
        if (g == null) {
            g = record(guest, input);
            RECORDED.put(key, g);
        }
        return g;
    }

    private static RecordedGuest record(String guest, String input) throws Exception {
        Path dir = Files.createTempDirectory("rewind-gdb-" + guest);
        dir.toFile().deleteOnExit();
        // a private copy: guests/build may be rebuilt while the tests run
        Path elf = Files.copy(elf(guest), dir.resolve(guest + ".elf"));
        elf.toFile().deleteOnExit();
        Path log = dir.resolve(guest + ".rrlog");
        log.toFile().deleteOnExit();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = input == null ? null : new SlowTyping(input);
        RecordSession.Options o = RecordSession.Options.of(elf, log).withInput(in, out).withPollInterval(500);
        try (RecordSession s = RecordSession.start(o)) {
            RecordSession.Result r = s.run(Long.MAX_VALUE);
            if (r.reason() != StopReason.EXIT) {
                throw new AssertionError(guest + " did not exit while recording: " + r);
            }
            return new RecordedGuest(guest, elf, log, r.icount(), out.toString(StandardCharsets.ISO_8859_1));
        }
    }

    /** A replay of this recording served on a free loopback port; close it after gdb is done. */
    Served serve(long snapshotInterval) throws Exception {
        Timeline timeline = Timeline.open(log, Timeline.Options.defaults().withSnapshotInterval(snapshotInterval));
        ReplayTarget target = new ReplayTarget(timeline);
        RspServer server = new RspServer(target);
        server.start();
        return new Served(timeline, target, server);
    }

    record Served(Timeline timeline, ReplayTarget target, RspServer server) implements AutoCloseable {
        int port() {
            return server.port();
        }

        @Override
        public void close() throws IOException {
            server.close();
            timeline.close();
        }
    }

    /** The repository root: the first directory upwards holding guests/ and bundles/. */
    static Path root() {
        return dev.rewind.replay.GuestPrograms.root();
    }

    static Path elf(String name) throws IOException, InterruptedException {
        return dev.rewind.replay.GuestPrograms.elf(name);
    }

    /**
     * Input that arrives one byte per poll, so the bytes land at separate instructions spread
     * through the run (deterministic: it does not depend on host time).
     */
    static final class SlowTyping extends InputStream {
        private final byte[] text;
        private int visible;
        private int pos;
        private int polls;

        SlowTyping(String text) {
            this.text = text.getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public int available() {
            if (visible < text.length && ++polls % 4 == 0) {
                visible++;
            }
            return visible - pos;
        }

        @Override
        public int read() {
            if (pos >= text.length) {
                return -1;
            }
            visible = Math.max(visible, pos + 1);
            return text[pos++] & 0xff;
        }
    }
}
