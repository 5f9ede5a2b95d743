package dev.rewind.qcow2;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** check -r all rebuilds a refcount structure that has lost or garbled its blocks, as qemu-img does. */
public class RefcountRebuildTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path damaged(String name, long reftableEntry) throws Exception {
        Path p = tmp.getRoot().toPath().resolve(name);
        byte[] data = new byte[3 << 20];
        new Random(8).nextBytes(data);
        try (Qcow2Image img = Qcow2Image.create(p, 16 << 20, Qcow2Image.CreateOptions.defaults())) {
            img.write(1 << 20, data, 0, data.length);
            img.createSnapshot("s", 10, 0, new byte[70_000]);
            img.write(2 << 20, data, 0, 4096);
        }
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.seek(48); // refcount_table_offset (snapshot operations move the table)
            raf.seek(raf.readLong()); // refcount table entry 0
            raf.writeLong(reftableEntry);
        }
        return p;
    }

    private void rebuildAndVerify(Path p) throws Exception {
        Path before = tmp.getRoot().toPath().resolve("before.raw");
        QemuImg.ok("convert", "-O", "raw", p.toString(), before.toString());
        QemuImg.Run theirs = QemuImg.run("check", p.toString());
        assertEquals(theirs.all(), 2, theirs.exit());
        try (Qcow2Image img = Qcow2Image.open(p, Qcow2Image.Mode.CHECK)) {
            assertEquals(2, new ImageCheck(img).run(ImageCheck.Repair.NONE, null).exitCode());
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Qcow2Image img = Qcow2Image.open(p, Qcow2Image.Mode.REPAIR)) {
            ImageCheck.Result r = new ImageCheck(img).run(ImageCheck.Repair.ALL,
                    new PrintStream(log, true, StandardCharsets.UTF_8));
            assertEquals(log.toString(), 0, r.corruptions());
        }
        assertTrue(log.toString(), log.toString().contains("Rebuilding refcount structure"));
        QemuImg.Run after = QemuImg.run("check", p.toString());
        assertEquals(after.all(), 0, after.exit());
        Path now = tmp.getRoot().toPath().resolve("after.raw");
        QemuImg.ok("convert", "-O", "raw", p.toString(), now.toString());
        assertArrayEquals(java.nio.file.Files.readAllBytes(before), java.nio.file.Files.readAllBytes(now));
        try (Qcow2Image img = Qcow2Image.open(p)) {
            assertEquals(10, img.findSnapshot("s").icount());
            assertEquals(70_000, img.readVmState("s").length);
            img.write(0, new byte[100_000], 0, 100_000);
        }
        assertEquals(0, QemuImg.run("check", p.toString()).exit());
    }

    @Test
    public void lostRefcountBlockIsRebuilt() throws Exception {
        rebuildAndVerify(damaged("lost.qcow2", 0));
    }

    @Test
    public void garbledRefcountTableEntryIsRebuilt() throws Exception {
        rebuildAndVerify(damaged("garbled.qcow2", 0x20123));
    }
}
