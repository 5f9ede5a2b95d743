package dev.rewind.qcow2;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The scenarios of QEMU's iotest 261 (snapshot table entries with 0, 8, 50 bytes of extra
 * data, unknown extra data, a botched v3 table, too much extra data), with our own code,
 * checked against qemu-img's view of the same files.
 */
public class SnapshotExtraDataTest {

    private static final byte[] UNKNOWN = "very important data".getBytes(StandardCharsets.US_ASCII);
    private static final long SIZE = 64L << 20;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path v2orig;

    /** One entry of the table as the file holds it. */
    record Entry(String id, String name, int extraSize, long vmState, long diskSize, long icount, byte[] unknown) { }

    static List<Entry> table(Path p) throws Exception {
        ByteBuffer f = ByteBuffer.wrap(Files.readAllBytes(p));
        int n = f.getInt(60);
        long off = f.getLong(64);
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int o = (int) off;
            int idLen = Short.toUnsignedInt(f.getShort(o + 12));
            int nameLen = Short.toUnsignedInt(f.getShort(o + 14));
            int extra = f.getInt(o + 36);
            byte[] id = new byte[idLen];
            f.get(o + 40 + extra, id);
            byte[] name = new byte[nameLen];
            f.get(o + 40 + extra + idLen, name);
            long vm = extra >= 8 ? f.getLong(o + 40) : -2;
            long disk = extra >= 16 ? f.getLong(o + 48) : -2;
            long icount = extra >= 24 ? f.getLong(o + 56) : -2;
            byte[] unknown = new byte[Math.max(0, extra - 24)];
            f.get(o + 64, unknown, 0, unknown.length);
            out.add(new Entry(new String(id), new String(name), extra, vm, disk, icount, unknown));
            off += (40 + extra + idLen + nameLen + 7) & ~7;
        }
        return out;
    }

    /** qemu-img makes three snapshots; we rewrite their entries with 0, 50 and 8 bytes of extra data. */
    @Before
    public void makeV2Template() throws Exception {
        v2orig = tmp.getRoot().toPath().resolve("t.v2.orig");
        QemuImg.ok("create", "-q", "-f", "qcow2", "-o", "compat=0.10", v2orig.toString(), "64M");
        for (String sn : new String[] {"sn0", "sn1", "sn2"}) {
            QemuImg.ok("snapshot", "-c", sn, v2orig.toString());
        }
        rewriteExtraSizes(v2orig, 0, 50, 8);
        QemuImg.Run check = QemuImg.run("check", v2orig.toString());
        assertEquals(check.all(), 0, check.exit());
    }

    /** Rewrites the snapshot table with the given extra data sizes (truncating or zero-extending). */
    private static void rewriteExtraSizes(Path img, int... newExtra) throws Exception {
        ByteBuffer f = ByteBuffer.wrap(Files.readAllBytes(img));
        long tableOff = f.getLong(64);
        ByteBuffer out = ByteBuffer.allocate(4096);
        long pos = tableOff;
        for (int i = 0; i < newExtra.length; i++) {
            int o = (int) pos;
            int idLen = Short.toUnsignedInt(f.getShort(o + 12));
            int nameLen = Short.toUnsignedInt(f.getShort(o + 14));
            int extra = f.getInt(o + 36);
            byte[] fixed = new byte[40];
            f.get(o, fixed);
            byte[] oldExtra = new byte[extra];
            f.get(o + 40, oldExtra);
            byte[] idName = new byte[idLen + nameLen];
            f.get(o + 40 + extra, idName);
            int start = out.position();
            ByteBuffer.wrap(fixed).putInt(36, newExtra[i]);
            out.put(fixed);
            byte[] x = new byte[newExtra[i]];
            System.arraycopy(oldExtra, 0, x, 0, Math.min(oldExtra.length, x.length));
            if (newExtra[i] == 50) {
                System.arraycopy(UNKNOWN, 0, x, 24, UNKNOWN.length);
            }
            out.put(x).put(idName);
            out.position(start + ((40 + newExtra[i] + idLen + nameLen + 7) & ~7));
            pos += (40 + extra + idLen + nameLen + 7) & ~7;
        }
        try (RandomAccessFile raf = new RandomAccessFile(img.toFile(), "rw")) {
            raf.seek(tableOff);
            raf.write(out.array(), 0, out.position());
        }
    }

    @Test
    public void sixteenBytesOfExtraDataMeanDiskSizeButNoIcount() throws Exception {
        Path p = tmp.getRoot().toPath().resolve("sixteen.qcow2");
        QemuImg.ok("create", "-q", "-f", "qcow2", p.toString(), "64M");
        QemuImg.ok("snapshot", "-c", "a", p.toString());
        QemuImg.ok("snapshot", "-c", "b", p.toString());
        rewriteExtraSizes(p, 16, 24);
        QemuImg.Run theirs = QemuImg.run("check", p.toString());
        assertEquals(theirs.all(), 0, theirs.exit());
        try (Qcow2Image img = Qcow2Image.open(p)) {
            Snapshot a = img.findSnapshot("a");
            assertEquals(16, a.extraDataSize());
            assertEquals(SIZE, a.diskSize());
            assertEquals(Snapshot.NO_ICOUNT, a.icount());
            assertEquals(0, img.findSnapshot("b").icount());
            img.createSnapshot("c", 99, 0, (byte[]) null);
        }
        List<Entry> t = table(p);
        assertEquals(24, t.get(0).extraSize());
        assertEquals(-1, t.get(0).icount());
        assertEquals(99, t.get(2).icount());
        assertEquals(0, QemuImg.run("check", p.toString()).exit());
        String list = QemuImg.ok("snapshot", "-l", p.toString()).out();
        assertTrue(list, list.lines().anyMatch(l -> l.contains(" a ") && l.stripTrailing().endsWith(".000")));
    }

    private Path copy(String name) throws Exception {
        Path p = tmp.getRoot().toPath().resolve(name);
        Files.copy(v2orig, p, StandardCopyOption.REPLACE_EXISTING);
        return p;
    }

    @Test
    public void readsEntriesWithZeroEightAndFiftyBytesOfExtraData() throws Exception {
        try (Qcow2Image img = Qcow2Image.openReadOnly(v2orig)) {
            List<Snapshot> s = img.snapshots();
            assertEquals(3, s.size());
            assertEquals(0, s.get(0).extraDataSize());
            assertEquals(Snapshot.NO_ICOUNT, s.get(0).icount());
            assertEquals(SIZE, s.get(0).diskSize());
            assertEquals(50, s.get(1).extraDataSize());
            assertEquals(0, s.get(1).icount());
            assertArrayEquals(java.util.Arrays.copyOf(UNKNOWN, 26), s.get(1).unknownExtraData());
            assertEquals(8, s.get(2).extraDataSize());
            assertEquals(Snapshot.NO_ICOUNT, s.get(2).icount());
            assertEquals(0, s.get(2).vmStateSize());
        }
        // qemu-img agrees on the count and on icount: 0 for sn1, blank for the others.
        String list = QemuImg.ok("snapshot", "-l", v2orig.toString()).out();
        String sn1 = list.lines().filter(l -> l.contains(" sn1 ")).findFirst().orElseThrow();
        assertTrue(sn1, sn1.trim().endsWith(" 0"));
        String sn0 = list.lines().filter(l -> l.contains(" sn0 ")).findFirst().orElseThrow();
        assertTrue(sn0, sn0.trim().endsWith(".000"));
    }

    @Test
    public void addingASnapshotRewritesEntriesAndKeepsUnknownExtraData() throws Exception {
        Path p = copy("add.qcow2");
        try (Qcow2Image img = Qcow2Image.open(p)) {
            img.createSnapshot("sn3", 42, 0, (byte[]) null);
        }
        assertEquals(0, QemuImg.run("check", p.toString()).exit());
        List<Entry> t = table(p);
        assertEquals(4, t.size());
        assertEquals(24, t.get(0).extraSize());
        assertEquals(-1, t.get(0).icount());
        assertEquals(SIZE, t.get(0).diskSize());
        assertEquals(50, t.get(1).extraSize());
        assertEquals(0, t.get(1).icount());
        assertArrayEquals(java.util.Arrays.copyOf(UNKNOWN, 26), t.get(1).unknown());
        assertEquals(24, t.get(2).extraSize());
        assertEquals("4", t.get(3).id());
        assertEquals(42, t.get(3).icount());
        assertTrue(QemuImg.ok("snapshot", "-l", p.toString()).out().lines().anyMatch(
                l -> l.contains(" sn3 ") && l.trim().endsWith(" 42")));
    }

    @Test
    public void removingEachSnapshotKeepsTheOthersIntact() throws Exception {
        for (String victim : new String[] {"sn0", "sn1", "sn2"}) {
            Path p = copy("rm-" + victim + ".qcow2");
            try (Qcow2Image img = Qcow2Image.open(p)) {
                img.deleteSnapshot(victim);
            }
            QemuImg.Run check = QemuImg.run("check", p.toString());
            assertEquals(check.all(), 0, check.exit());
            List<Entry> t = table(p);
            assertEquals(2, t.size());
            for (Entry e : t) {
                assertTrue(!e.name().equals(victim));
                if (e.name().equals("sn1")) {
                    assertEquals(50, e.extraSize());
                    assertArrayEquals(java.util.Arrays.copyOf(UNKNOWN, 26), e.unknown());
                } else {
                    assertEquals(24, e.extraSize());
                    assertEquals(-1, e.icount());
                }
            }
        }
    }

    @Test
    public void qemuUpgradedToV3IsReadable() throws Exception {
        Path p = copy("v3.qcow2");
        QemuImg.ok("amend", "-o", "compat=1.1", p.toString());
        try (Qcow2Image img = Qcow2Image.open(p, Qcow2Image.Mode.CHECK)) {
            assertEquals(3, img.version());
            assertEquals(24, img.snapshots().get(0).extraDataSize());
            assertEquals(50, img.snapshots().get(1).extraDataSize());
            assertTrue(new ImageCheck(img).run(ImageCheck.Repair.NONE, null).clean());
        }
    }

    private static void poke(Path p, long off, byte... bytes) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.seek(off);
            raf.write(bytes);
        }
    }

    @Test
    public void botchedV3TableIsReportedLikeQemuAndRepairedByCheckAll() throws Exception {
        Path p = copy("botched.qcow2");
        poke(p, 4, (byte) 0, (byte) 0, (byte) 0, (byte) 3);
        poke(p, 100, (byte) 0, (byte) 0, (byte) 0, (byte) 0x68);
        poke(p, 96, (byte) 0, (byte) 0, (byte) 0, (byte) 4);
        QemuImg.Run theirs = QemuImg.run("check", p.toString());
        assertEquals(theirs.all(), 2, theirs.exit());
        assertTrue(theirs.all(), theirs.all().contains("snapshot table entry 0 is incomplete"));
        try (Qcow2Image img = Qcow2Image.open(p, Qcow2Image.Mode.CHECK)) {
            ImageCheck.Result r = new ImageCheck(img).run(ImageCheck.Repair.NONE, null);
            assertEquals(2, r.corruptions());
            assertEquals(theirs.exit(), r.exitCode());
        }
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        try (Qcow2Image img = Qcow2Image.open(p, Qcow2Image.Mode.REPAIR)) {
            ImageCheck.Result r = new ImageCheck(img).run(ImageCheck.Repair.ALL,
                    new java.io.PrintStream(log, true, StandardCharsets.UTF_8));
            assertEquals(2, r.corruptionsFixed());
            assertEquals(0, r.corruptions());
        }
        assertTrue(log.toString(), log.toString().contains("Repairing snapshot table entry 0 is incomplete"));
        assertTrue(log.toString(), log.toString().contains("Repairing snapshot table entry 2 is incomplete"));
        QemuImg.Run after = QemuImg.run("check", p.toString());
        assertEquals(after.all(), 0, after.exit());
        List<Entry> t = table(p);
        assertEquals(24, t.get(0).extraSize());
        assertEquals(-1, t.get(0).icount());
        assertEquals(SIZE, t.get(0).diskSize());
        assertEquals(50, t.get(1).extraSize());
        assertArrayEquals(java.util.Arrays.copyOf(UNKNOWN, 26), t.get(1).unknown());
        assertEquals(24, t.get(2).extraSize());
    }

    @Test
    public void tooMuchExtraDataIsRejectedAndRepairable() throws Exception {
        Path p = copy("toomuch.qcow2");
        QemuImg.ok("snapshot", "-c", "sn3", p.toString());
        List<Entry> t = table(p);
        ByteBuffer f = ByteBuffer.wrap(Files.readAllBytes(p));
        long off = f.getLong(64);
        for (int i = 0; i < 3; i++) {
            Entry e = t.get(i);
            off += (40 + e.extraSize() + e.id().length() + e.name().length() + 7) & ~7;
        }
        long field = off + 36;
        poke(p, field, (byte) 0, (byte) 1, (byte) 0, (byte) 0);
        byte[] before = Files.readAllBytes(p);
        QemuImg.Run info = QemuImg.run("info", p.toString());
        assertTrue(info.all(), info.exit() != 0 && info.all().contains("Too much extra metadata in snapshot table entry 3"));
        try (Qcow2Image img = Qcow2Image.open(p)) {
            fail("opened an image with 64 KiB of snapshot extra data");
        } catch (Qcow2Exception e) {
            assertEquals(field, e.offset());
            assertTrue(e.getMessage(), e.getMessage().contains("too much extra metadata in snapshot table entry 3"));
        }
        assertArrayEquals("a rejected image must not be written", before, Files.readAllBytes(p));
        try (Qcow2Image img = Qcow2Image.open(p, Qcow2Image.Mode.REPAIR)) {
            ImageCheck.Result r = new ImageCheck(img).run(ImageCheck.Repair.ALL, null);
            assertEquals(0, r.corruptions());
            assertTrue(r.corruptionsFixed() >= 1);
        }
        QemuImg.Run after = QemuImg.run("check", p.toString());
        assertEquals(after.all(), 0, after.exit());
        try (Qcow2Image img = Qcow2Image.openReadOnly(p)) {
            assertEquals(4, img.snapshots().size());
            assertEquals(SnapshotTable.MAX_EXTRA_DATA, img.snapshots().get(3).extraDataSize());
        }
    }

    @Test
    public void limitsGiveClearErrors() throws Exception {
        Path p = copy("limits.qcow2");
        try (Qcow2Image img = Qcow2Image.open(p)) {
            try {
                img.createSnapshot("sn1", 1, 1, (byte[]) null);
                fail("duplicate name accepted");
            } catch (Qcow2Exception e) {
                assertTrue(e.getMessage().contains("already exists"));
            }
            try {
                img.createSnapshot("x".repeat(70_000), 1, 1, (byte[]) null);
                fail("overlong name accepted");
            } catch (Qcow2Exception e) {
                assertTrue(e.getMessage().contains("longer than"));
            }
            try {
                img.deleteSnapshot("nope");
                fail("deleting a missing snapshot");
            } catch (Qcow2Exception e) {
                assertTrue(e.getMessage().contains("not found"));
            }
        }
        assertEquals(0, QemuImg.run("check", p.toString()).exit());
    }
}
