package dev.rewind.gdbstub.mi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.rewind.emulator.StopReason;
import dev.rewind.gdbstub.RspServer;
import dev.rewind.gdbstub.target.ReplayTarget;
import dev.rewind.replay.RecordSession;
import dev.rewind.replay.Timeline;

/**
 * A recording of guests/build/sample.elf (made once per test run) served by an in-process
 * {@link RspServer} over a {@link ReplayTarget}: what {@code rewind gdbserver --replay} serves.
 */
final class SampleReplay implements AutoCloseable {

    private static Path recording;

    final Path elf;
    private final Timeline session;
    final RspServer server;

    private SampleReplay(Path elf, Timeline session, RspServer server) {
        this.elf = elf;
        this.session = session;
        this.server = server;
    }

    static SampleReplay serve() throws Exception {
        Path elf = elf("sample");
        Timeline s = Timeline.open(recording(elf), Timeline.Options.defaults().withSnapshotInterval(2_000));
        RspServer server = new RspServer(new ReplayTarget(s));
        server.start();
        return new SampleReplay(elf, s, server);
    }

    int port() {
        return server.port();
    }

    private static synchronized Path recording(Path elf) throws Exception {
        if (recording == null) {
            Path dir = Files.createTempDirectory("rewind-mi");
            dir.toFile().deleteOnExit();
            Path log = dir.resolve("sample.rrlog");
            try (RecordSession r = RecordSession.start(RecordSession.Options.of(elf, log)
                    .withInput(null, new ByteArrayOutputStream()))) {
                RecordSession.Result result = r.run(50_000_000L);
                if (result.reason() != StopReason.EXIT || result.exitCode() != 0) {
                    throw new IllegalStateException("sample.elf did not exit cleanly while recording: " + result);
                }
            }
            log.toFile().deleteOnExit();
            recording = log;
        }
        return recording;
    }

    static Path root() {
        return dev.rewind.replay.GuestPrograms.root();
    }

    static Path elf(String name) throws IOException, InterruptedException {
        return dev.rewind.replay.GuestPrograms.elf(name);
    }

    @Override
    public void close() throws IOException {
        server.close();
        session.close();
    }
}
