package dev.rewind.replay;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Test;

import dev.rewind.emulator.StopReason;

/**
 * Recordings that start from a qcow2 snapshot, as QEMU's rrsnapshot: the start snapshot must
 * be visible to qemu-img with its icount, leave the image clean, and let the replay rebuild the
 * disk the guest saw (the virtio-blk guest writes and reads back sectors).
 */
public class SnapshotImageRecordingTest {

    private final Path dir;

    public SnapshotImageRecordingTest() throws IOException {
        dir = Files.createTempDirectory("rewind-snap");
    }

    @After
    public void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }

    private static Path diskImage() throws IOException, InterruptedException {
        Path raw = GuestPrograms.root().resolve("guests/build/disk.img");
        if (!Files.exists(raw)) {
            run("make", "-s", "-C", GuestPrograms.root().resolve("guests").toString(), "build/disk.img");
        }
        return raw;
    }

    @Test
    public void diskRecordingStartsFromAQemuVisibleSnapshotAndReplaysTheSameIo() throws Exception {
        Path disk = dir.resolve("d.qcow2");
        run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", diskImage().toString(), disk.toString());
        Path log = dir.resolve("blk.rrlog");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordSession.Result r;
        try (RecordSession s = RecordSession.start(RecordSession.Options.of(GuestPrograms.elf("blk"), log).withInput(null, out)
                .withDisk(disk, "init"))) {
            r = s.run(Long.MAX_VALUE);
        }
        String recorded = out.toString(StandardCharsets.ISO_8859_1);
        assertEquals(recorded, StopReason.EXIT, r.reason());
        assertEquals(recorded, 0, r.exitCode());

        String list = run("qemu-img", "snapshot", "-l", disk.toString());
        assertTrue(list, list.lines().anyMatch(l -> l.matches("\\s*1\\s+init\\s+.*\\s0\\s*$")));
        run("qemu-img", "check", disk.toString()); // exit 0: no errors, no leaks

        ByteArrayOutputStream replayed = new ByteArrayOutputStream();
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults().withEcho(replayed))) {
            assertEquals(Stop.Kind.HISTORY_END, s.replayTo(Long.MAX_VALUE).kind());
            assertEquals(r.icount(), s.icount());
            // and back in time: the disk rewinds with the machine
            s.seek(r.icount() / 2);
            s.seek(r.icount());
        }
        assertEquals(recorded, replayed.toString(StandardCharsets.ISO_8859_1));
        run("qemu-img", "check", disk.toString()); // the replay never wrote to the image
    }

    @Test
    public void disklessRecordingKeepsItsStartInAnOrphanImage() throws Exception {
        Path image = dir.resolve("rr.qcow2");
        Path log = dir.resolve("timer.rrlog");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordSession s = RecordSession.start(RecordSession.Options.of(GuestPrograms.elf("timer"), log).withInput(null, out)
                .withSnapshotImage(image, "init"))) {
            s.run(Long.MAX_VALUE);
        }
        String list = run("qemu-img", "snapshot", "-l", image.toString());
        assertTrue(list, list.lines().anyMatch(l -> l.matches("\\s*1\\s+init\\s+.*\\s0\\s*$")));
        run("qemu-img", "check", image.toString());
        ByteArrayOutputStream replayed = new ByteArrayOutputStream();
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults().withEcho(replayed))) {
            s.replayTo(Long.MAX_VALUE);
        }
        assertEquals(out.toString(StandardCharsets.ISO_8859_1), replayed.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    public void aRecordingMovedWithItsProgramAndImageStillOpensAndListsItsSnapshots() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a"));
        Path elf = Files.copy(GuestPrograms.elf("timer"), a.resolve("timer.elf"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordSession s = RecordSession.start(RecordSession.Options.of(elf, a.resolve("t.rrlog")).withInput(null, out)
                .withSnapshotImage(a.resolve("rr.qcow2"), "init"))) {
            s.run(Long.MAX_VALUE);
        }
        Path log = Files.move(a, dir.resolve("b")).resolve("t.rrlog"); // the header still names a/
        var header = dev.rewind.replay.log.ReplayLog.read(log).header();
        assertEquals(java.util.List.of("init"),
                Timeline.savedSnapshots(log, header).stream().map(Timeline.SavedSnapshot::name).toList());
        ByteArrayOutputStream replayed = new ByteArrayOutputStream();
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults().withEcho(replayed))) {
            assertEquals(Stop.Kind.HISTORY_END, s.replayTo(Long.MAX_VALUE).kind());
            assertEquals("init", s.savedSnapshots().get(0).name());
        }
        assertEquals(out.toString(StandardCharsets.ISO_8859_1), replayed.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    public void replayCanStartFromAnyPersistedSnapshot() throws Exception {
        Path image = dir.resolve("rr.qcow2");
        Path log = dir.resolve("tt.rrlog");
        long every = 10_000_000L;
        try (RecordSession s = RecordSession.start(RecordSession.Options.of(GuestPrograms.elf("ticktock"), log)
                .withInput(null, new ByteArrayOutputStream()).withSnapshotImage(image, "init").withSnapshotEvery(every))) {
            s.run(3 * every + 12345);
            assertEquals(3, s.snapshotsTaken());
        }
        String list = run("qemu-img", "snapshot", "-l", image.toString());
        for (long at = every; at <= 3 * every; at += every) {
            long icount = at;
            assertTrue(list, list.lines().anyMatch(l -> l.contains("auto-" + icount) && l.trim().endsWith(" " + icount)));
        }
        run("qemu-img", "check", image.toString());
        byte[] fromStart;
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults())) {
            s.replayTo(Long.MAX_VALUE);
            fromStart = s.captureState().digest();
        }
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults().fromSnapshot("auto-" + 2 * every))) {
            assertEquals(2 * every, s.startIcount());
            s.replayTo(Long.MAX_VALUE);
            assertEquals(3 * every + 12345, s.icount());
            org.junit.Assert.assertArrayEquals(fromStart, s.captureState().digest());
        }
    }

    @Test
    public void sleepOnWarpsByRealTimeAndReplaysThemInstantly() throws Exception {
        Path log = dir.resolve("sleep.rrlog");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long recordNs;
        try (RecordSession s = RecordSession.start(RecordSession.Options.of(GuestPrograms.elf("timer"), log).withInput(null, out)
                .withMachine(16L << 20, 0).withSleep(true))) {
            long t0 = System.nanoTime();
            s.run(Long.MAX_VALUE);
            recordNs = System.nanoTime() - t0;
        }
        // 10 ticks of 10 ms of virtual time: sleep=on really waits them out (load can only add to it)
        assertTrue("recording took " + recordNs / 1e6 + " ms", recordNs >= 90_000_000L);
        ByteArrayOutputStream replayed = new ByteArrayOutputStream();
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults().withEcho(replayed))) {
            long t0 = System.nanoTime();
            s.replayTo(s.endIcount() - 1); // every sleep, but not the final state check
            long replayNs = System.nanoTime() - t0;
            s.replayTo(Long.MAX_VALUE);
            // a few thousand instructions and no waiting: far below the 100 ms the guest slept
            assertTrue("replay took " + replayNs / 1e6 + " ms", replayNs < 60_000_000L);
        }
        assertEquals(out.toString(StandardCharsets.ISO_8859_1), replayed.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    public void aRawDiskIsRefusedWithTheCommandThatConvertsItAndStaysUntouched() throws Exception {
        Path raw = dir.resolve("d.img");
        Files.copy(diskImage(), raw);
        byte[] before = Files.readAllBytes(raw);
        try (RecordSession s = RecordSession.start(RecordSession.Options.of(GuestPrograms.elf("blk"), dir.resolve("r.rrlog"))
                .withInput(null, new ByteArrayOutputStream()).withDisk(raw, "init"))) {
            org.junit.Assert.fail("recorded on a raw disk");
        } catch (ReplaySetupException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("is a raw image")
                    && e.getMessage().contains("rewind img convert -O qcow2 " + raw));
        }
        assertTrue("the raw disk was changed", java.util.Arrays.equals(before, Files.readAllBytes(raw)));
    }
}
