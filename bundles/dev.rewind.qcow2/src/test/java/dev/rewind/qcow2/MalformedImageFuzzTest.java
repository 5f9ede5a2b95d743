package dev.rewind.qcow2;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * 2,080 seeded mutations of valid images (header fields, extensions, L1/L2 tables, refcount
 * structures, snapshot table, truncation). Each either opens (and then reads, checks and
 * writes with only {@link Qcow2Exception}s) or fails to open with a Qcow2Exception that
 * names a file offset and leaves the file byte-for-byte unchanged.
 */
public class MalformedImageFuzzTest {

    private static final int CASES_PER_SEED = 520;

    /** On tmpfs when there is one: thousands of fsyncs on a real disk would dominate the run. */
    @Rule
    public TemporaryFolder tmp = java.nio.file.Files.isDirectory(Path.of("/dev/shm"))
            ? new TemporaryFolder(new java.io.File("/dev/shm")) : new TemporaryFolder();

    private int opened;
    private int rejected;

    private byte[] ourImage(int clusterSize, int version) throws Exception {
        Path p = tmp.getRoot().toPath().resolve("seed-" + clusterSize + "-" + version + ".qcow2");
        Random r = new Random(clusterSize + version);
        try (Qcow2Image img = Qcow2Image.create(p, 1 << 20,
                Qcow2Image.CreateOptions.defaults().withClusterSize(clusterSize).withVersion(version))) {
            byte[] d = new byte[100_000];
            r.nextBytes(d);
            img.write(1000, d, 0, d.length);
            img.createSnapshot("a", 77, 5, new byte[3000]);
            img.write(300_000, d, 0, 50_000);
            img.writeZeroes(0, 8192);
            img.createSnapshot("b", Snapshot.NO_ICOUNT, 0, (byte[]) null);
            img.write(700_000, d, 0, 20_000);
        }
        return Files.readAllBytes(p);
    }

    private byte[] qemuCompressed() throws Exception {
        Path raw = tmp.getRoot().toPath().resolve("c.raw");
        byte[] b = new byte[1 << 20];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i / 300);
        }
        Files.write(raw, b);
        Path p = tmp.getRoot().toPath().resolve("c.qcow2");
        QemuImg.ok("convert", "-c", "-O", "qcow2", "-o", "cluster_size=4096", raw.toString(), p.toString());
        QemuImg.ok("snapshot", "-c", "q", p.toString());
        return Files.readAllBytes(p);
    }

    @Test(timeout = 600_000) // only a guard against hangs; a quiet machine needs ~10 s
    public void everyMutationOpensOrFailsWithAnOffset() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(ourImage(4096, 3));
        seeds.add(ourImage(512, 2));
        seeds.add(ourImage(65536, 3));
        seeds.add(qemuCompressed());
        Path p = tmp.getRoot().toPath().resolve("fuzz.qcow2");
        Random r = new Random(424242);
        int cases = 0;
        for (byte[] seed : seeds) {
            for (int i = 0; i < CASES_PER_SEED; i++) {
                byte[] img = mutate(seed, r);
                Files.write(p, img);
                exercise(p, img, "seed " + seeds.indexOf(seed) + " case " + i);
                cases++;
            }
        }
        System.out.println("fuzz: " + cases + " images, " + opened + " opened, " + rejected + " rejected");
        assertTrue(cases >= 2000);
        assertTrue("mutations too gentle: nothing rejected", rejected > cases / 10);
    }

    private void exercise(Path p, byte[] img, String what) throws Exception {
        Qcow2Image image;
        try {
            image = Qcow2Image.open(p);
        } catch (Qcow2Exception e) {
            rejected++;
            assertTrue(what + ": no offset in " + e.getMessage(), e.offset() >= 0);
            assertArrayEquals(what + ": a rejected image was modified", img, Files.readAllBytes(p));
            return;
        } catch (Throwable t) {
            throw new AssertionError(what + ": open threw " + t, t);
        }
        opened++;
        try (image) {
            byte[] buf = new byte[(int) Math.min(image.size(), 4 << 20)];
            use(() -> image.read(0, buf, 0, buf.length));
            for (Snapshot s : image.snapshots()) {
                byte[] sb = new byte[(int) Math.min(s.diskSize(), 2 << 20)];
                use(() -> image.readSnapshot(s, 0, sb, 0, Math.max(0, sb.length)));
                use(() -> image.readVmState(s, 0, new byte[(int) Math.min(s.vmStateSize(), 1 << 20)], 0,
                        (int) Math.min(s.vmStateSize(), 1 << 20)));
            }
            use(() -> image.write(image.size() / 3, buf, 0, (int) Math.min(buf.length, 70_000)));
            use(image::flush);
        } catch (Qcow2Exception e) {
            // closing (final flush) of a damaged image may fail, cleanly
        } catch (Throwable t) {
            Files.write(Path.of(System.getProperty("java.io.tmpdir"), "qcow2-fuzz-failure.qcow2"), img);
            throw new AssertionError(what + ": close threw " + t, t);
        }
        try (Qcow2Image check = Qcow2Image.open(p, Qcow2Image.Mode.CHECK)) {
            use(() -> new ImageCheck(check).run(ImageCheck.Repair.NONE, null));
        } catch (Qcow2Exception e) {
            // the write above may have marked it corrupt or similar
        } catch (Throwable t) {
            throw new AssertionError(what + ": check threw " + t, t);
        }
    }

    interface Step {
        void run() throws Exception;
    }

    private static void use(Step s) {
        try {
            s.run();
        } catch (Qcow2Exception e) {
            // a clean, typed refusal
        } catch (Throwable t) {
            throw new AssertionError("unexpected " + t, t);
        }
    }

    private static final int[] HEADER_FIELDS = {4, 8, 16, 20, 24, 32, 36, 40, 48, 56, 60, 64, 72, 80, 88, 96, 100, 104};

    static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        ByteBuffer bb = ByteBuffer.wrap(b);
        int cs = 1 << bb.getInt(20);
        int kind = r.nextInt(8);
        int n = 1 + r.nextInt(3);
        for (int k = 0; k < n; k++) {
            switch (kind) {
                case 0, 1 -> { // a header field gets a nasty value
                    int f = HEADER_FIELDS[r.nextInt(HEADER_FIELDS.length)];
                    long v = switch (r.nextInt(6)) {
                        case 0 -> 0;
                        case 1 -> -1;
                        case 2 -> r.nextLong();
                        case 3 -> (long) r.nextInt(64) * cs;
                        case 4 -> 1L << r.nextInt(63);
                        default -> bb.getInt(f) ^ (1 << r.nextInt(32));
                    };
                    if (f == 24 || f == 8 || f == 40 || f == 48 || f == 64 || f >= 72 && f < 96) {
                        bb.putLong(f, v);
                    } else {
                        bb.putInt(f, (int) v);
                    }
                }
                case 2 -> flipIn(b, r, 72, Math.min(cs, b.length)); // extensions, backing name
                case 3 -> tableEntry(b, r, bb.getLong(40), bb.getInt(36), cs); // L1
                case 4 -> tableEntry(b, r, bb.getLong(48), bb.getInt(56) * cs / 8, cs); // reftable
                case 5 -> flipIn(b, r, (int) Math.min(b.length - 1, Math.max(0, bb.getLong(64))),
                        (int) Math.min(b.length, Math.max(0, bb.getLong(64)) + 400)); // snapshot table
                case 6 -> flipIn(b, r, cs, Math.min(b.length, 16 * cs)); // L2 tables, refblocks, anything
                default -> {
                    int len = r.nextInt(b.length);
                    return java.util.Arrays.copyOf(b, len);
                }
            }
        }
        return b;
    }

    private static void tableEntry(byte[] b, Random r, long off, long entries, int cs) {
        if (off <= 0 || entries <= 0 || off + 8 > b.length) {
            flipIn(b, r, 0, Math.min(b.length, 112));
            return;
        }
        int i = (int) (off + 8L * r.nextInt((int) Math.min(entries, (b.length - off) / 8)));
        long v = switch (r.nextInt(4)) {
            case 0 -> r.nextLong();
            case 1 -> ByteBuffer.wrap(b).getLong(i) + 1 + r.nextInt(cs);
            case 2 -> (long) r.nextInt(1 << 20) * cs;
            default -> ByteBuffer.wrap(b).getLong(i) ^ (1L << r.nextInt(64));
        };
        ByteBuffer.wrap(b).putLong(i, v);
    }

    private static void flipIn(byte[] b, Random r, int from, int to) {
        if (to <= from) {
            return;
        }
        int i = from + r.nextInt(to - from);
        b[i] ^= (byte) (1 << r.nextInt(8));
        if (r.nextBoolean()) {
            b[i] = (byte) r.nextInt(256);
        }
    }

    @Test
    public void unknownIncompatibleBitIsRefusedWithItsOffset() throws Exception {
        Path p = tmp.getRoot().toPath().resolve("inc.qcow2");
        Qcow2Image.create(p, 1 << 20, Qcow2Image.CreateOptions.defaults()).close();
        byte[] b = Files.readAllBytes(p);
        ByteBuffer.wrap(b).putLong(72, 1L << 40);
        Files.write(p, b);
        try {
            Qcow2Image.open(p).close();
            fail("opened with an unknown incompatible feature");
        } catch (Qcow2Exception e) {
            assertTrue(e.getMessage(), e.getMessage().contains("incompatible feature"));
            assertTrue(e.offset() == 72);
        }
        assertArrayEquals(b, Files.readAllBytes(p));
    }

    @Test
    public void corruptImageOpensReadOnlyOnly() throws Exception {
        Path p = tmp.getRoot().toPath().resolve("corrupt.qcow2");
        try (Qcow2Image img = Qcow2Image.create(p, 1 << 20, Qcow2Image.CreateOptions.defaults())) {
            img.write(0, new byte[] {1, 2, 3}, 0, 3);
        }
        byte[] b = Files.readAllBytes(p);
        ByteBuffer.wrap(b).putLong(72, Qcow2Header.INCOMPAT_CORRUPT);
        Files.write(p, b);
        try {
            Qcow2Image.open(p).close();
            fail("opened a corrupt image for writing");
        } catch (Qcow2Exception e) {
            assertTrue(e.getMessage(), e.getMessage().contains("corrupt"));
        }
        try (Qcow2Image img = Qcow2Image.openReadOnly(p)) {
            byte[] d = new byte[3];
            img.read(0, d, 0, 3);
            assertArrayEquals(new byte[] {1, 2, 3}, d);
        }
        assertArrayEquals(b, Files.readAllBytes(p));
    }
}
