package dev.rewind.qcow2;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Images go both ways between this implementation and qemu-img 7.2 / qemu-io, and agree byte for byte. */
public class QemuImgInteropTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path file(String name) {
        return tmp.getRoot().toPath().resolve(name);
    }

    private static byte[] readAll(DiskImage img) throws Exception {
        byte[] b = new byte[(int) img.size()];
        img.read(0, b, 0, b.length);
        return b;
    }

    private static byte[] readSnapshot(Qcow2Image img, Snapshot s) throws Exception {
        byte[] b = new byte[(int) s.diskSize()];
        img.readSnapshot(s, 0, b, 0, b.length);
        return b;
    }

    private static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    public void ourSnapshotsWithIcountAndVmStateSatisfyQemuImg() throws Exception {
        Path p = file("ours.qcow2");
        int size = 8 << 20;
        byte[] state1 = random(11, 300_000);
        byte[] state2 = random(12, 70_001);
        try (Qcow2Image img = Qcow2Image.create(p, size, Qcow2Image.CreateOptions.defaults())) {
            img.write(0, random(1, 1 << 20), 0, 1 << 20);
            img.write(5_000_000, random(2, 100_000), 0, 100_000);
            img.createSnapshot("boot", 123_456_789L, 2_500_000_000L, state1);
            img.write(4096, random(3, 200_000), 0, 200_000);
            img.writeZeroes(3 << 20, 1 << 20);
            img.createSnapshot("later", Snapshot.NO_ICOUNT, 0, state2);
            img.write(7 << 20, random(4, 9999), 0, 9999);
            img.createSnapshot("tmp", 5, 6, (byte[]) null);
            img.deleteSnapshot("tmp");
        }
        QemuImg.Run check = QemuImg.run("check", p.toString());
        assertEquals(check.all(), 0, check.exit());
        assertTrue(check.out(), check.out().contains("No errors were found on the image."));

        String list = QemuImg.ok("snapshot", "-l", p.toString()).out();
        List<String> lines = list.lines().toList();
        assertEquals(list, "Snapshot list:", lines.get(0));
        assertTrue(lines.get(1).trim().endsWith("ICOUNT"));
        String boot = lines.stream().filter(l -> l.contains(" boot ")).findFirst().orElseThrow();
        assertTrue(boot, boot.trim().endsWith("123456789"));
        assertTrue(boot, boot.contains("00:00:02.500"));
        assertTrue(boot, boot.contains("293 KiB"));
        String later = lines.stream().filter(l -> l.contains(" later ")).findFirst().orElseThrow();
        assertTrue("no icount column value for -1: " + later, later.endsWith("00:00:00.000") || later.trim().endsWith(".000"));
        assertFalse(list.contains(" tmp "));

        // qemu-img's view of each snapshot equals ours.
        try (Qcow2Image img = Qcow2Image.openReadOnly(p)) {
            assertArrayEquals(state1, img.readVmState("boot"));
            assertArrayEquals(state2, img.readVmState("later"));
            for (Snapshot s : img.snapshots()) {
                Path raw = file("snap-" + s.name() + ".raw");
                QemuImg.ok("convert", "-l", "snapshot.name=" + s.name(), "-O", "raw", p.toString(), raw.toString());
                assertArrayEquals("snapshot " + s.name(), Files.readAllBytes(raw), readSnapshot(img, s));
            }
            Path raw = file("active.raw");
            QemuImg.ok("convert", "-O", "raw", p.toString(), raw.toString());
            assertArrayEquals(Files.readAllBytes(raw), readAll(img));
            QemuImg.ok("compare", p.toString(), raw.toString());
        }

        // qemu-img reverts to our snapshot; we see the same disk.
        QemuImg.ok("snapshot", "-a", "boot", p.toString());
        try (Qcow2Image img = Qcow2Image.openReadOnly(p)) {
            assertArrayEquals(Files.readAllBytes(file("snap-boot.raw")), readAll(img));
        }
        // We revert; qemu-img check stays clean and qemu-img sees the snapshot content.
        try (Qcow2Image img = Qcow2Image.open(p)) {
            img.applySnapshot("later");
            img.write(100, random(5, 5000), 0, 5000);
            img.applySnapshot("later");
            assertArrayEquals(state2, img.readVmState("later"));
        }
        assertEquals(0, QemuImg.run("check", p.toString()).exit());
        QemuImg.ok("compare", p.toString(), file("snap-later.raw").toString());
        // qemu-img's own snapshot on our image, read back by us (qemu-img stores icount 0).
        QemuImg.ok("snapshot", "-c", "fromqemu", p.toString());
        try (Qcow2Image img = Qcow2Image.open(p)) {
            Snapshot q = img.findSnapshot("fromqemu");
            assertEquals(0, q.icount());
            img.renameSnapshot("fromqemu", "renamed");
            img.deleteSnapshot("boot");
        }
        QemuImg.Run after = QemuImg.run("check", p.toString());
        assertEquals(after.all(), 0, after.exit());
        assertTrue(QemuImg.ok("snapshot", "-l", p.toString()).out().contains("renamed"));
    }

    /** Builds content with qemu-io: patterns, explicit zeroes, a hole, and snapshots in between. */
    private void qemuImage(Path p, String... createOpts) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("create", "-q", "-f", "qcow2"));
        for (String o : createOpts) {
            args.add("-o");
            args.add(o);
        }
        args.add(p.toString());
        args.add("12M");
        QemuImg.ok(args.toArray(String[]::new));
        qemuIo(p, "write -P 0x11 0 3M", "write -P 0x22 5000 70000", "write -P 0x33 9M 1M");
        QemuImg.ok("snapshot", "-c", "one", p.toString());
        qemuIo(p, "write -P 0x44 1M 2M", "write -z 0 64k", "write -P 0x55 11M 4097");
        QemuImg.ok("snapshot", "-c", "two", p.toString());
        qemuIo(p, "discard 2M 1M", "write -P 0x66 123 45678");
    }

    static void qemuIo(Path p, String... cmds) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
        for (String c : cmds) {
            cmd.add("-c");
            cmd.add(c);
        }
        cmd.add(p.toString());
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes());
        assertEquals(out, 0, proc.waitFor());
    }

    private void assertSameAsQemu(Path p) throws Exception {
        try (Qcow2Image img = Qcow2Image.openReadOnly(p)) {
            Path raw = file("q-active.raw");
            QemuImg.ok("convert", "-O", "raw", p.toString(), raw.toString());
            assertArrayEquals(Files.readAllBytes(raw), readAll(img));
            for (Snapshot s : img.snapshots()) {
                Path sr = file("q-" + s.name() + ".raw");
                QemuImg.ok("convert", "-l", "snapshot.name=" + s.name(), "-O", "raw", p.toString(), sr.toString());
                assertArrayEquals("snapshot " + s.name(), Files.readAllBytes(sr), readSnapshot(img, s));
                assertEquals(0, s.icount());
            }
            try (Qcow2Image rw = null) {
                assertTrue(rw == null);
            }
        }
        try (Qcow2Image img = Qcow2Image.open(p, Qcow2Image.Mode.CHECK)) {
            ImageCheck.Result r = new ImageCheck(img).run(ImageCheck.Repair.NONE, System.err);
            assertTrue(r.toString(), r.clean());
        }
    }

    @Test
    public void qemuV2Compat010ImagesReadLikeQemuImgReadsThem() throws Exception {
        Path p = file("v2.qcow2");
        qemuImage(p, "compat=0.10");
        assertSameAsQemu(p);
        try (Qcow2Image img = Qcow2Image.openReadOnly(p)) {
            assertEquals(2, img.version());
            assertEquals(2, img.snapshots().size());
        }
    }

    @Test
    public void qemuV3Clusters4kReadLikeQemuImgReadsThem() throws Exception {
        Path p = file("c4k.qcow2");
        qemuImage(p, "cluster_size=4096");
        assertSameAsQemu(p);
    }

    @Test
    public void qemuV3Clusters64kReadLikeQemuImgReadsThem() throws Exception {
        Path p = file("c64k.qcow2");
        qemuImage(p, "cluster_size=65536");
        assertSameAsQemu(p);
    }

    @Test
    public void qemuV3Clusters2mReadLikeQemuImgReadsThem() throws Exception {
        Path p = file("c2m.qcow2");
        qemuImage(p, "cluster_size=2M");
        assertSameAsQemu(p);
    }

    @Test
    public void qemuCompressedClustersReadAndCopiedOnWrite() throws Exception {
        Path raw = file("src.raw");
        byte[] data = new byte[6 << 20];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) ((i / 1000) * 7 + (i % 13));
        }
        Arrays.fill(data, 2 << 20, 3 << 20, (byte) 0);
        Files.write(raw, data);
        Path p = file("comp.qcow2");
        QemuImg.ok("convert", "-c", "-O", "qcow2", raw.toString(), p.toString());
        assertTrue(Files.size(p) < data.length / 4);
        try (Qcow2Image img = Qcow2Image.openReadOnly(p)) {
            assertArrayEquals(data, readAll(img));
        }
        // Overwriting part of a compressed cluster decompresses it into a fresh one.
        byte[] patch = random(9, 3000);
        try (Qcow2Image img = Qcow2Image.open(p)) {
            img.write(70_000, patch, 0, patch.length);
        }
        System.arraycopy(patch, 0, data, 70_000, patch.length);
        QemuImg.Run check = QemuImg.run("check", p.toString());
        assertEquals(check.all(), 0, check.exit());
        Path back = file("back.raw");
        QemuImg.ok("convert", "-O", "raw", p.toString(), back.toString());
        assertArrayEquals(data, Files.readAllBytes(back));
    }

    @Test
    public void aBackingChainQcow2OverQcow2OverRawReadsAsQemuImgDoes() throws Exception {
        Path base = file("base.raw");
        byte[] b = random(21, 4 << 20);
        Files.write(base, b);
        Path mid = file("mid.qcow2");
        QemuImg.ok("create", "-q", "-f", "qcow2", "-b", "base.raw", "-F", "raw", mid.toString());
        qemuIo(mid, "write -P 0x77 1M 100k");
        Path top = file("top.qcow2");
        QemuImg.ok("create", "-q", "-f", "qcow2", "-b", "mid.qcow2", "-F", "qcow2", top.toString(), "6M");
        qemuIo(top, "write -P 0x88 1050k 8k", "write -z 3M 64k");
        Path raw = file("chain.raw");
        QemuImg.ok("convert", "-O", "raw", top.toString(), raw.toString());
        try (Qcow2Image img = Qcow2Image.openReadOnly(top)) {
            assertArrayEquals(Files.readAllBytes(raw), readAll(img));
        }
        // Our writes to the top layer copy up from the chain and leave the backing files alone.
        byte[] baseBefore = Files.readAllBytes(base);
        byte[] midBefore = Files.readAllBytes(mid);
        byte[] patch = random(22, 10_000);
        try (Qcow2Image img = Qcow2Image.open(top)) {
            img.write(1_040_000, patch, 0, patch.length);
            img.discard(2 << 20, 1 << 20);
        }
        assertArrayEquals(baseBefore, Files.readAllBytes(base));
        assertArrayEquals(midBefore, Files.readAllBytes(mid));
        assertEquals(0, QemuImg.run("check", top.toString()).exit());
        QemuImg.ok("convert", "-O", "raw", top.toString(), raw.toString());
        try (Qcow2Image img = Qcow2Image.openReadOnly(top)) {
            assertArrayEquals(Files.readAllBytes(raw), readAll(img));
            byte[] z = new byte[1 << 20];
            img.read(2 << 20, z, 0, z.length);
            assertArrayEquals(new byte[1 << 20], z);
        }
    }

    @Test
    public void ourFreshImageMatchesQemuLayout() throws Exception {
        Path ours = file("ours.qcow2");
        Path theirs = file("theirs.qcow2");
        Qcow2Image.create(ours, 1L << 30, Qcow2Image.CreateOptions.defaults()).close();
        QemuImg.ok("create", "-q", "-f", "qcow2", theirs.toString(), "1G");
        assertArrayEquals(Files.readAllBytes(theirs), Files.readAllBytes(ours));
        Path ours2 = file("ours2.qcow2");
        Path theirs2 = file("theirs2.qcow2");
        Qcow2Image.create(ours2, 64L << 20, Qcow2Image.CreateOptions.defaults().withVersion(2)).close();
        QemuImg.ok("create", "-q", "-f", "qcow2", "-o", "compat=0.10", theirs2.toString(), "64M");
        assertArrayEquals(Files.readAllBytes(theirs2), Files.readAllBytes(ours2));
    }
}
