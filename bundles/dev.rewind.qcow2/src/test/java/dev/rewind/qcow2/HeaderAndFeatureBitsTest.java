package dev.rewind.qcow2;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Header extensions, feature bits, refcount widths and the diskless (size 0) vmstate-only image. */
public class HeaderAndFeatureBitsTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path file(String n) {
        return tmp.getRoot().toPath().resolve(n);
    }

    @Test
    public void headerWithBackingFileIsByteIdenticalToQemuImgs() throws Exception {
        Path base = file("base.qcow2");
        QemuImg.ok("create", "-q", "-f", "qcow2", base.toString(), "32M");
        Path theirs = file("theirs.qcow2");
        QemuImg.ok("create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", theirs.toString(), "32M");
        Path ours = file("ours.qcow2");
        Qcow2Image.create(ours, 32 << 20, Qcow2Image.CreateOptions.defaults().withBacking("base.qcow2", "qcow2"))
                .close();
        assertArrayEquals(Files.readAllBytes(theirs), Files.readAllBytes(ours));
    }

    @Test
    public void unknownHeaderExtensionSurvivesWritesAndSnapshots() throws Exception {
        Path p = file("ext.qcow2");
        Qcow2Image.create(p, 8 << 20, Qcow2Image.CreateOptions.defaults()).close();
        // Put an extension QEMU does not know in front of the end marker (after the feature table).
        byte[] b = Files.readAllBytes(p);
        ByteBuffer bb = ByteBuffer.wrap(b);
        int end = 112 + 8 + 384;
        assertEquals(0, bb.getInt(end));
        bb.putInt(end, 0x12345678).putInt(end + 4, 5).put(end + 8, "hello".getBytes()).putInt(end + 16, 0);
        Files.write(p, b);
        byte[] headerBefore = Arrays.copyOf(b, 4096);
        try (Qcow2Image img = Qcow2Image.open(p)) {
            assertEquals(1, img.header().unknownExtensions().size());
            assertEquals(0x12345678, img.header().unknownExtensions().get(0).type());
            img.write(0, new byte[100_000], 0, 100_000);
            img.createSnapshot("s", 1, 1, new byte[5000]);
            img.deleteSnapshot("s");
        }
        byte[] after = Files.readAllBytes(p);
        // Only the fields that change (L1, snapshots) differ; the extension area is untouched.
        assertArrayEquals(Arrays.copyOfRange(headerBefore, 72, 4096), Arrays.copyOfRange(after, 72, 4096));
        assertEquals(0, QemuImg.run("check", p.toString()).exit());
        // and the encoder keeps it when it rebuilds cluster 0
        try (Qcow2Image img = Qcow2Image.openReadOnly(p)) {
            byte[] enc = img.header().encode();
            assertArrayEquals(Arrays.copyOfRange(after, 72, 4096), Arrays.copyOfRange(enc, 72, 4096));
        }
    }

    @Test
    public void dirtyImageIsRepairedOnWritableOpenAndTheBitCleared() throws Exception {
        Path p = file("dirty.qcow2");
        try (Qcow2Image img = Qcow2Image.create(p, 8 << 20, Qcow2Image.CreateOptions.defaults())) {
            img.write(0, new byte[] {9}, 0, 1);
        }
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.seek(72);
            raf.writeLong(Qcow2Header.INCOMPAT_DIRTY);
            raf.seek(2 * 65536 + 2 * 10); // refcount of cluster 10: a leak, as lazy refcounts may leave
            raf.writeShort(1);
            raf.setLength(11 * 65536);
        }
        try (Qcow2Image img = Qcow2Image.openReadOnly(p)) {
            assertTrue(img.isDirty());
        }
        try (Qcow2Image img = Qcow2Image.open(p)) {
            assertFalse(img.isDirty());
        }
        QemuImg.Run check = QemuImg.run("check", p.toString());
        assertEquals(check.all(), 0, check.exit());
        assertEquals(0, ByteBuffer.wrap(Files.readAllBytes(p)).getLong(72));
    }

    @Test
    public void everyRefcountWidthFromQemuIsReadAndWritten() throws Exception {
        for (int bits : new int[] {1, 2, 4, 8, 16, 32, 64}) {
            Path p = file("rc" + bits + ".qcow2");
            QemuImg.ok("create", "-q", "-f", "qcow2", "-o", "refcount_bits=" + bits + ",cluster_size=4096",
                    p.toString(), "4M");
            QemuImgInteropTest.qemuIo(p, "write -P 0x5a 0 300k", "write -P 0x6b 2M 64k");
            byte[] extra = new byte[200_000];
            new Random(bits).nextBytes(extra);
            try (Qcow2Image img = Qcow2Image.open(p)) {
                assertEquals(Integer.numberOfTrailingZeros(bits), img.header().refcountOrder());
                byte[] b = new byte[300 * 1024];
                img.read(0, b, 0, b.length);
                for (byte x : b) {
                    assertEquals(0x5a, x);
                }
                img.write(1 << 20, extra, 0, extra.length);
                if (bits > 1) {
                    img.createSnapshot("s", 3, 0, new byte[10_000]);
                    img.write(0, extra, 0, 1000);
                }
            }
            QemuImg.Run check = QemuImg.run("check", p.toString());
            assertEquals("refcount_bits=" + bits + ": " + check.all(), 0, check.exit());
            Path raw = file("rc.raw");
            QemuImg.ok("convert", "-O", "raw", p.toString(), raw.toString());
            byte[] all = Files.readAllBytes(raw);
            assertArrayEquals(extra, Arrays.copyOfRange(all, 1 << 20, (1 << 20) + extra.length));
        }
    }

    @Test
    public void snapshotsNeedMoreThanOneRefcountBit() throws Exception {
        Path p = file("rc1.qcow2");
        QemuImg.ok("create", "-q", "-f", "qcow2", "-o", "refcount_bits=1", p.toString(), "1M");
        try (Qcow2Image img = Qcow2Image.open(p)) {
            img.createSnapshot("s", 1, 1, (byte[]) null);
            org.junit.Assert.fail("snapshot with 1-bit refcounts");
        } catch (Qcow2Exception e) {
            assertTrue(e.getMessage(), e.getMessage().contains("wider than 1 bit"));
        }
    }

    @Test
    public void disklessImageHoldsOnlyVmStateSnapshots() throws Exception {
        Path p = file("orphan.qcow2");
        byte[] s1 = new byte[1_000_000];
        byte[] s2 = new byte[77];
        new Random(1).nextBytes(s1);
        new Random(2).nextBytes(s2);
        try (Qcow2Image img = Qcow2Image.create(p, 0, Qcow2Image.CreateOptions.defaults())) {
            assertEquals(0, img.vmStateOffset());
            img.createSnapshot("a", 1000, 10, s1);
            img.createSnapshot("b", 2000, 20, new java.io.ByteArrayInputStream(s2));
        }
        QemuImg.Run check = QemuImg.run("check", p.toString());
        assertEquals(check.all(), 0, check.exit());
        try (Qcow2Image img = Qcow2Image.open(p)) {
            assertArrayEquals(s1, img.readVmState("a"));
            assertArrayEquals(s2, Qcow2Image.readAll(img.openVmState("b")));
            assertEquals(2000, img.findSnapshot("b").icount());
            img.applySnapshot("a");
            img.deleteSnapshot("a");
            assertArrayEquals(s2, img.readVmState("b"));
        }
        assertEquals(0, QemuImg.run("check", p.toString()).exit());
    }

    @Test
    public void failingVmStateStreamLeavesNoSnapshotAndACleanImage() throws Exception {
        Path p = file("failing.qcow2");
        java.io.InputStream broken = new java.io.InputStream() {
            private int left = 2_500_000;

            @Override
            public int read() throws java.io.IOException {
                if (left-- <= 0) {
                    throw new java.io.IOException("machine state serializer failed");
                }
                return 0x42;
            }
        };
        try (Qcow2Image img = Qcow2Image.create(p, 4 << 20, Qcow2Image.CreateOptions.defaults())) {
            img.write(0, new byte[4096], 0, 4096);
            try {
                img.createSnapshot("x", 1, 1, broken);
                org.junit.Assert.fail("stream failure swallowed");
            } catch (java.io.IOException e) {
                assertEquals("machine state serializer failed", e.getMessage());
            }
            assertTrue(img.snapshots().isEmpty());
        }
        QemuImg.Run check = QemuImg.run("check", p.toString());
        assertEquals(check.all(), 0, check.exit());
    }
}
