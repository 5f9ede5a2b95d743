package dev.rewind.qcow2;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Random writes with snapshot create / apply / delete / rename against an in-memory model of
 * the active disk and of every snapshot. Small clusters give many refcount blocks and make the
 * refcount table grow inside snapshot transactions. qemu-img check must call the image clean
 * after every snapshot operation, and qemu-img must read every snapshot as the model has it.
 */
public class SnapshotOperationsMatchModelTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private void exercise(int clusterSize, int size, int maxWrite, int maxVmState, int ops, long seed)
            throws Exception {
        Path p = tmp.getRoot().toPath().resolve("snap-" + clusterSize + ".qcow2");
        Random r = new Random(seed);
        byte[] active = new byte[size];
        Map<String, byte[]> snaps = new LinkedHashMap<>();
        Map<String, byte[]> states = new LinkedHashMap<>();
        int snapshotOps = 0;
        try (Qcow2Image img = Qcow2Image.create(p, size,
                Qcow2Image.CreateOptions.defaults().withClusterSize(clusterSize))) {
            for (int i = 0; i < ops; i++) {
                int op = r.nextInt(20);
                List<String> names = new ArrayList<>(snaps.keySet());
                if (op < 12) {
                    int off = r.nextInt(size);
                    int len = Math.min(size - off, 1 + r.nextInt(r.nextBoolean() ? maxWrite : 3000));
                    byte[] d = new byte[len];
                    r.nextBytes(d);
                    img.write(off, d, 0, len);
                    System.arraycopy(d, 0, active, off, len);
                    continue;
                }
                if (op < 15 || names.isEmpty()) {
                    String name = "s" + i;
                    byte[] vm = new byte[r.nextInt(maxVmState)];
                    r.nextBytes(vm);
                    img.createSnapshot(name, i, i, vm);
                    snaps.put(name, active.clone());
                    states.put(name, vm);
                } else if (op < 17) {
                    String name = names.get(r.nextInt(names.size()));
                    img.applySnapshot(name);
                    active = snaps.get(name).clone();
                } else if (op < 19) {
                    String name = names.get(r.nextBoolean() ? names.size() - 1 : r.nextInt(names.size()));
                    img.deleteSnapshot(name);
                    snaps.remove(name);
                    states.remove(name);
                } else {
                    String name = names.get(r.nextInt(names.size()));
                    String now = "r" + i;
                    img.renameSnapshot(name, now);
                    snaps.put(now, snaps.remove(name));
                    states.put(now, states.remove(name));
                }
                snapshotOps++;
                QemuImg.Run check = QemuImg.run("check", p.toString());
                assertEquals("after snapshot operation " + snapshotOps + ":\n" + check.all(), 0, check.exit());
                byte[] all = new byte[size];
                img.read(0, all, 0, size);
                assertArrayEquals(active, all);
            }
        }
        assertTrue(snapshotOps > 20);
        try (Qcow2Image img = Qcow2Image.openReadOnly(p)) {
            assertEquals(snaps.keySet(), snapshotNames(img));
            for (Map.Entry<String, byte[]> e : snaps.entrySet()) {
                Snapshot s = img.findSnapshot(e.getKey());
                byte[] back = new byte[size];
                img.readSnapshot(s, 0, back, 0, size);
                assertArrayEquals(e.getKey(), e.getValue(), back);
                assertArrayEquals(e.getKey(), states.get(e.getKey()), img.readVmState(e.getKey()));
            }
        }
        Path raw = tmp.getRoot().toPath().resolve("snap.raw");
        for (Map.Entry<String, byte[]> e : snaps.entrySet()) {
            QemuImg.ok("convert", "-l", "snapshot.name=" + e.getKey(), "-O", "raw", p.toString(), raw.toString());
            assertArrayEquals("qemu-img's view of " + e.getKey(), e.getValue(), Files.readAllBytes(raw));
        }
        QemuImg.ok("convert", "-O", "raw", p.toString(), raw.toString());
        assertArrayEquals(active, Files.readAllBytes(raw));
    }

    private static java.util.Set<String> snapshotNames(Qcow2Image img) {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        for (Snapshot s : img.snapshots()) {
            names.add(s.name());
        }
        return names;
    }

    @Test
    public void snapshotOperationsOnTinyClustersMatchTheModelAcrossManyRefcountBlocks() throws Exception {
        // 512 B clusters: a refcount block covers 128 KiB and a table cluster 8 MiB of file;
        // the file grows past 8 MiB, so transactions relocate many blocks and grow the table.
        exercise(512, 1 << 20, 64 << 10, 400_000, 160, 11);
    }

    /** Thrown by the write hook to stop a transaction exactly where a kill would. */
    private static final class SimulatedKill extends Error {
        private static final long serialVersionUID = 1L;
    }

    /**
     * A 512 B-cluster image whose file ends just below what one refcount table cluster covers
     * (8 MiB): the next snapshot's new L1 and L2 copies and refcount blocks must go beyond it.
     * Returns how many guest bytes of {@code data} were written from offset 0.
     */
    private static int fillToCoverageEdge(Qcow2Image img, byte[] data) throws Exception {
        long coverage = img.refcounts.coveredClusters() * 512;
        int guest = 0;
        while (img.fileLength() < coverage - 4 * 512) {
            img.write(guest, data, guest, 512);
            guest += 512;
        }
        img.flush();
        assertEquals(1, img.header.refcountTableClusters);
        return guest;
    }

    @Test
    public void refcountTableGrowsInsideASnapshotTransaction() throws Exception {
        Path p = tmp.getRoot().toPath().resolve("edge.qcow2");
        int size = 12 << 20;
        byte[] active = new byte[size];
        new Random(13).nextBytes(active);
        int guest;
        try (Qcow2Image img = Qcow2Image.create(p, size, Qcow2Image.CreateOptions.defaults().withClusterSize(512))) {
            guest = fillToCoverageEdge(img, active);
            long coverage = img.refcounts.coveredClusters() * 512;
            img.createSnapshot("edge", 1, 1, (byte[]) null);
            assertTrue("file " + img.fileLength() + " should pass " + coverage, img.fileLength() > coverage);
            assertTrue(img.header.refcountTableClusters > 1);
        }
        QemuImg.Run check = QemuImg.run("check", p.toString());
        assertEquals(check.all(), 0, check.exit());
        try (Qcow2Image img = Qcow2Image.open(p)) {
            byte[] back = new byte[guest];
            img.readSnapshot(img.findSnapshot("edge"), 0, back, 0, guest);
            assertArrayEquals(java.util.Arrays.copyOf(active, guest), back);
            img.write(0, new byte[100_000], 0, 100_000);
            img.deleteSnapshot("edge");
            img.read(100_000, back, 0, guest - 100_000);
            assertArrayEquals(java.util.Arrays.copyOfRange(active, 100_000, guest),
                    java.util.Arrays.copyOf(back, guest - 100_000));
        }
        check = QemuImg.run("check", p.toString());
        assertEquals(check.all(), 0, check.exit());
    }

    @Test
    public void killJustBeforeTheHeaderSwitchLeavesTheOldImageWithoutLeaks() throws Exception {
        // Everything of the unfinished snapshot lies in clusters the old refcounts count as
        // free, some beyond what the old refcount table covers: neither qemu-img nor we may
        // see more than an unchanged image.
        Path p = tmp.getRoot().toPath().resolve("killed.qcow2");
        int size = 12 << 20;
        byte[] active = new byte[size];
        new Random(14).nextBytes(active);
        Qcow2Image img = Qcow2Image.create(p, size, Qcow2Image.CreateOptions.defaults().withClusterSize(512));
        int guest = fillToCoverageEdge(img, active);
        long coverage = img.refcounts.coveredClusters() * 512;
        long before = img.fileLength();
        HostFile.beforeWrite = pos -> {
            if (pos == Qcow2Header.OFF_L1) {
                throw new SimulatedKill();
            }
        };
        try {
            img.createSnapshot("never", 1, 1, (byte[]) null);
            org.junit.Assert.fail("the header switch was not reached");
        } catch (SimulatedKill expected) {
            // as if killed: nothing more reaches the file
        } finally {
            HostFile.beforeWrite = null;
            img.file.close();
        }
        long after = java.nio.file.Files.size(p);
        assertTrue("new metadata should lie beyond the old coverage: " + before + " -> " + after, after > coverage);
        QemuImg.Run check = QemuImg.run("check", p.toString());
        assertEquals(check.all(), 0, check.exit());
        assertTrue(check.all(), check.all().contains("No errors were found"));
        try (Qcow2Image again = Qcow2Image.open(p, Qcow2Image.Mode.CHECK)) {
            ImageCheck.Result res = new ImageCheck(again).run(ImageCheck.Repair.NONE, null);
            assertTrue(res.toString(), res.clean());
        }
        try (Qcow2Image again = Qcow2Image.open(p)) {
            assertTrue(again.snapshots().isEmpty());
            byte[] back = new byte[guest];
            again.read(0, back, 0, guest);
            assertArrayEquals(java.util.Arrays.copyOf(active, guest), back);
            again.createSnapshot("now", 2, 2, new byte[5000]);
        }
        check = QemuImg.run("check", p.toString());
        assertEquals(check.all(), 0, check.exit());
    }

    @Test
    public void failedSnapshotLeavesAConsistentUsableImage() throws Exception {
        // 2-bit refcounts (qemu-img allows them): a third snapshot of the same clusters would
        // need a refcount of 4 and fails inside the transaction.
        Path p = tmp.getRoot().toPath().resolve("rc2.qcow2");
        QemuImg.ok("create", "-q", "-f", "qcow2", "-o", "refcount_bits=2,cluster_size=4096", p.toString(), "1M");
        byte[] data = new byte[300_000];
        new Random(15).nextBytes(data);
        try (Qcow2Image img = Qcow2Image.open(p)) {
            img.write(0, data, 0, data.length);
            img.createSnapshot("a", 1, 1, new byte[9000]);
            img.createSnapshot("b", 2, 2, new byte[9000]);
            try {
                img.createSnapshot("c", 3, 3, new byte[9000]);
                org.junit.Assert.fail("refcount 4 fits in 2 bits?");
            } catch (Qcow2Exception e) {
                assertTrue(e.getMessage(), e.getMessage().contains("overflow"));
            }
            assertEquals(2, img.snapshots().size());
            img.write(1000, data, 0, 5000);
            System.arraycopy(data, 0, data, 1000, 5000);
            byte[] back = new byte[data.length];
            img.read(0, back, 0, back.length);
            assertArrayEquals(data, back);
        }
        QemuImg.Run check = QemuImg.run("check", p.toString());
        assertEquals(check.all(), 0, check.exit());
    }

    @Test
    public void snapshotOperationsOnDefaultClustersMatchTheModel() throws Exception {
        exercise(65536, 4 << 20, 600_000, 300_000, 120, 12);
    }
}
