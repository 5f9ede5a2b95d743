package dev.rewind.gdbstub.mi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.rewind.emulator.StopReason;
import dev.rewind.gdbstub.RspServer;
import dev.rewind.gdbstub.target.ReplayTarget;
import dev.rewind.replay.RecordSession;
import dev.rewind.replay.ReplaySession;

/**
 * A recording of guests/build/sample.elf (made once per test run) served by an in-process
 * {@link RspServer} over a {@link ReplayTarget}: what {@code rewind gdbserver --replay} serves.
 */
final class SampleReplay implements AutoCloseable {

    private static Path recording;

    final Path elf;
    private final ReplaySession session;
    final RspServer server;

    private SampleReplay(Path elf, ReplaySession session, RspServer server) {
        this.elf = elf;
        this.session = session;
        this.server = server;
    }

    static SampleReplay serve() throws Exception {
        Path elf = elf("sample");
        ReplaySession s = ReplaySession.open(recording(elf), ReplaySession.Options.defaults().withSnapshotInterval(2_000));
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
        String prop = System.getProperty("rewind.root");
        if (prop != null && Files.isDirectory(Path.of(prop, "guests"))) {
            return Path.of(prop);
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.isDirectory(p.resolve("guests")) && Files.isDirectory(p.resolve("bundles")))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository root (a folder with guests/ and bundles/)");
        }
        return p;
    }

    static synchronized Path elf(String name) throws IOException, InterruptedException {
        Path elf = root().resolve("guests/build/" + name + ".elf");
        if (!Files.exists(elf)) {
            Process make = new ProcessBuilder("make", "-s", "-C", root().resolve("guests").toString(), "build/" + name + ".elf")
                    .inheritIO().start();
            if (make.waitFor() != 0 || !Files.exists(elf)) {
                throw new IOException("could not build guest " + name + " (needs riscv64-unknown-elf-gcc)");
            }
        }
        return elf;
    }

    @Override
    public void close() throws IOException {
        server.close();
        session.close();
    }
}
