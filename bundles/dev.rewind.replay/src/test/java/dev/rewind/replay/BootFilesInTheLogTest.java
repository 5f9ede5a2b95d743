package dev.rewind.replay;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;

import org.junit.After;
import org.junit.Test;

import dev.rewind.emulator.BootFiles;
import dev.rewind.emulator.StopReason;
import dev.rewind.replay.log.ReplayLog;
import dev.rewind.replay.log.ReplayLogHeader;

/**
 * A recording names every boot file with its path and SHA-256, and the kernel command line, so
 * that {@code replay} rebuilds the machine from the log alone and refuses a changed file,
 * naming its role.
 */
public class BootFilesInTheLogTest {

    private final Path dir;

    public BootFilesInTheLogTest() throws IOException {
        dir = Files.createTempDirectory("rewind-bootlog");
    }

    @After
    public void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    private RecordSession.Result record(BootFiles boot, Path log, ByteArrayOutputStream out) throws Exception {
        RecordSession.Options o = RecordSession.Options.of(boot, log).withInput(null, out).withMachine(16L << 20, 0);
        try (RecordSession s = RecordSession.start(o)) {
            return s.run(Long.MAX_VALUE);
        }
    }

    @Test
    public void theHeaderNamesEveryBootFileAndTheReplayNeedsNothingElse() throws Exception {
        Path kernel = GuestPrograms.elf("boot");
        Path initrd = dir.resolve("initrd.img");
        Files.write(initrd, "an initial ramdisk".getBytes(StandardCharsets.US_ASCII));
        Path log = dir.resolve("boot.rrlog");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordSession.Result rec = record(new BootFiles(null, kernel, initrd, "console=ttyS0", null), log, out);
        assertEquals(out.toString(StandardCharsets.US_ASCII), StopReason.EXIT, rec.reason());

        ReplayLogHeader h = ReplayLog.read(log).header();
        List<ReplayLogHeader.BootFile> files = h.bootFiles();
        assertEquals(2, files.size());
        assertEquals("kernel", files.get(0).role());
        assertEquals(kernel.toAbsolutePath().toString(), files.get(0).path());
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(kernel)), files.get(0).sha256());
        assertArrayEquals("the program is the kernel, hashed once", files.get(0).sha256(), h.programSha256());
        assertEquals("initrd", files.get(1).role());
        assertEquals(initrd.toAbsolutePath().toString(), files.get(1).path());
        assertEquals("console=ttyS0", h.append());

        ByteArrayOutputStream replayed = new ByteArrayOutputStream();
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults().withEcho(replayed))) {
            assertEquals(Stop.Kind.HISTORY_END, s.replayTo(Long.MAX_VALUE).kind());
            assertEquals(rec.icount(), s.icount());
        }
        assertEquals(out.toString(StandardCharsets.US_ASCII), replayed.toString(StandardCharsets.US_ASCII));

        Files.write(initrd, "another ramdisk".getBytes(StandardCharsets.US_ASCII));
        try {
            Timeline.open(log, Timeline.Options.defaults()).close();
            fail("replayed with a changed initrd");
        } catch (ReplaySetupException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("initrd: " + initrd.toAbsolutePath()
                    + " is not the initrd that was recorded"));
        }
    }

    @Test
    public void aKernelChangedAfterTheRecordingIsRefusedAsTheProgram() throws Exception {
        Path kernel = dir.resolve("kernel.elf");
        Files.copy(GuestPrograms.elf("boot"), kernel);
        Path log = dir.resolve("changed.rrlog");
        record(new BootFiles(null, kernel, null, null, null), log, new ByteArrayOutputStream());
        Timeline.open(log, Timeline.Options.defaults()).close();
        byte[] bytes = Files.readAllBytes(kernel);
        bytes[bytes.length - 1] ^= 1;
        Files.write(kernel, bytes);
        try {
            Timeline.open(log, Timeline.Options.defaults()).close();
            fail("replayed with a changed kernel");
        } catch (ReplaySetupException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("program: " + kernel.toAbsolutePath()
                    + " is not the program that was recorded"));
        }
    }

    @Test
    public void aBootThatCannotStartWritesNoRecording() throws Exception {
        Path log = dir.resolve("never.rrlog");
        Path missing = dir.resolve("missing-fw.bin");
        try {
            record(new BootFiles(missing, GuestPrograms.elf("boot"), null, null, null), log, new ByteArrayOutputStream());
            fail("recorded without firmware");
        } catch (ReplaySetupException e) {
            assertEquals("bios " + missing + ": no such file", e.getMessage());
        }
        assertTrue(Files.notExists(log));
    }
}
