package dev.rewind.qcow2;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Random writes, zeroes and discards against an in-memory model, then reopened, then checked by qemu-img. */
public class ReadWriteMatchesModelTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private void exercise(int clusterSize, int version, long size, int ops, long seed) throws Exception {
        Path p = tmp.getRoot().toPath().resolve("m-" + clusterSize + "-v" + version + ".qcow2");
        byte[] model = new byte[(int) size];
        Random r = new Random(seed);
        try (Qcow2Image img = Qcow2Image.create(p, size,
                Qcow2Image.CreateOptions.defaults().withClusterSize(clusterSize).withVersion(version))) {
            for (int i = 0; i < ops; i++) {
                int op = r.nextInt(10);
                int off = r.nextInt((int) size);
                int len = Math.min((int) size - off, 1 + r.nextInt(r.nextBoolean() ? 3 * clusterSize : 700));
                if (op < 7) {
                    byte[] d = new byte[len];
                    r.nextBytes(d);
                    img.write(off, d, 0, len);
                    System.arraycopy(d, 0, model, off, len);
                } else if (op == 7) {
                    img.writeZeroes(off, len);
                    java.util.Arrays.fill(model, off, off + len, (byte) 0);
                } else if (op == 8) {
                    img.discard(off, len);
                    long first = (off + clusterSize - 1) / clusterSize * clusterSize;
                    long last = (long) (off + len) / clusterSize * clusterSize;
                    for (long g = first; g < last; g++) {
                        model[(int) g] = 0;
                    }
                } else {
                    img.flush();
                }
                if (i % 50 == 0) {
                    byte[] back = new byte[len];
                    img.read(off, back, 0, len);
                    assertArrayEquals(java.util.Arrays.copyOfRange(model, off, off + len), back);
                }
            }
            byte[] all = new byte[(int) size];
            img.read(0, all, 0, all.length);
            assertArrayEquals(model, all);
        }
        try (Qcow2Image img = Qcow2Image.openReadOnly(p)) {
            byte[] all = new byte[(int) size];
            img.read(0, all, 0, all.length);
            assertArrayEquals(model, all);
        }
        QemuImg.Run check = QemuImg.run("check", p.toString());
        assertEquals(check.all(), 0, check.exit());
        Path raw = tmp.getRoot().toPath().resolve("m.raw");
        QemuImg.ok("convert", "-O", "raw", p.toString(), raw.toString());
        assertArrayEquals(model, Files.readAllBytes(raw));
        try (Qcow2Image img = Qcow2Image.open(p, Qcow2Image.Mode.CHECK)) {
            ImageCheck.Result res = new ImageCheck(img).run(ImageCheck.Repair.NONE, System.err);
            assertTrue(res.toString(), res.clean());
        }
    }

    @Test
    public void v3Default64kImagesMatchTheModel() throws Exception {
        exercise(65536, 3, 3 << 20, 400, 1);
    }

    @Test
    public void v2Compat010ImagesMatchTheModel() throws Exception {
        exercise(65536, 2, 2 << 20, 300, 2);
    }

    @Test
    public void tinyClusters512MatchTheModel() throws Exception {
        exercise(512, 3, 1 << 20, 300, 3);
    }

    @Test
    public void clusters4kMatchTheModel() throws Exception {
        exercise(4096, 3, 3 << 20, 300, 4);
    }

    @Test
    public void clusters2mMatchTheModel() throws Exception {
        exercise(2 << 20, 3, 6 << 20, 60, 5);
    }

    @Test
    public void refcountTableGrowsWithTinyClusters() throws Exception {
        // 512 B clusters: one reftable cluster covers 8 MiB of file, so 12 MiB of data forces growth.
        Path p = tmp.getRoot().toPath().resolve("grow.qcow2");
        int size = 12 << 20;
        byte[] chunk = new byte[1 << 20];
        try (Qcow2Image img = Qcow2Image.create(p, size, Qcow2Image.CreateOptions.defaults().withClusterSize(512))) {
            for (int i = 0; i < 12; i++) {
                java.util.Arrays.fill(chunk, (byte) (i + 1));
                img.write((long) i << 20, chunk, 0, chunk.length);
            }
        }
        QemuImg.Run check = QemuImg.run("check", p.toString());
        assertEquals(check.all(), 0, check.exit());
        try (Qcow2Image img = Qcow2Image.openReadOnly(p)) {
            byte[] b = new byte[1];
            for (int i = 0; i < 12; i++) {
                img.read(((long) i << 20) + 777, b, 0, 1);
                assertEquals(i + 1, b[0]);
            }
        }
    }

    @Test
    public void tinyL2CacheEvictsAndFlushesCorrectly() throws Exception {
        int saved = Qcow2Image.l2CacheBytes;
        Qcow2Image.l2CacheBytes = 4 * 512; // four 512-byte L2 tables, each mapping 32 KiB
        try {
            exercise(512, 3, 1 << 20, 400, 6);
            Path p = tmp.getRoot().toPath().resolve("evict-snap.qcow2");
            byte[] d = new byte[200_000];
            new Random(6).nextBytes(d);
            try (Qcow2Image img = Qcow2Image.create(p, 1 << 20, Qcow2Image.CreateOptions.defaults().withClusterSize(512))) {
                img.write(0, d, 0, d.length);
                img.createSnapshot("a", 1, 1, d);
                img.write(500_000, d, 0, d.length);
                img.write(1000, d, 0, 5000);
                img.createSnapshot("b", 2, 2, new byte[1000]);
                img.deleteSnapshot("a");
                img.applySnapshot("b");
            }
            QemuImg.Run check = QemuImg.run("check", p.toString());
            assertEquals(check.all(), 0, check.exit());
        } finally {
            Qcow2Image.l2CacheBytes = saved;
        }
    }
}
