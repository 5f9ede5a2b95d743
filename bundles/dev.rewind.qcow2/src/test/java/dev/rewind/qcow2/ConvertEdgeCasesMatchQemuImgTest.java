package dev.rewind.qcow2;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The converter's pipeline (chunks read ahead, zero granules skipped) at its edges, each
 * checked against qemu-img: data runs crossing the reader's 1 MiB chunk edges, a zero granule
 * inside a data cluster, a disk whose last cluster is partial, compressed clusters under a
 * backing chain, and a source that fails half way.
 */
public class ConvertEdgeCasesMatchQemuImgTest {

    private static final int MIB = 1 << 20;
    /** 7 MiB + 3 KiB: not a multiple of any cluster size, so the last cluster is partial. */
    private static final int SIZE = 7 * MIB + 3 * 1024;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path file(String name) {
        return tmp.getRoot().toPath().resolve(name);
    }

    /** Data straddling chunk edges, a lone zero granule inside data, data in the partial tail. */
    private static byte[] source() {
        byte[] b = new byte[SIZE];
        Random r = new Random(11);
        fill(b, r, MIB - 100, 200); // crosses the first chunk edge
        fill(b, r, 3 * MIB - 64 * 1024, 192 * 1024); // a run over the edge at 3 MiB
        fill(b, r, 4 * MIB, 64 * 1024); // data, a zero 64 KiB granule, data: one 2 MiB cluster
        fill(b, r, 4 * MIB + 128 * 1024, 64 * 1024);
        fill(b, r, 5 * MIB + 1, 1); // a single byte makes its granule data
        fill(b, r, SIZE - 1500, 1500); // the partial last cluster
        return b;
    }

    private static void fill(byte[] b, Random r, int at, int len) {
        for (int i = at; i < at + len; i++) {
            b[i] = (byte) (r.nextInt(255) + 1);
        }
    }

    @Test
    public void rawSourceConvertsToQcow2OfEveryClusterSizeAndBack() throws Exception {
        byte[] want = source();
        Path raw = file("src.raw");
        Files.write(raw, want);
        for (int cs : new int[] {4096, 64 * 1024, 2 * MIB}) {
            Path q = file("ours-" + cs + ".qcow2");
            ImageConverter.toQcow2(raw, q, Qcow2Image.CreateOptions.defaults().withClusterSize(cs), null);
            assertEquals("qemu-img check, cluster size " + cs, 0, QemuImg.run("check", q.toString()).exit());
            assertEquals("qemu-img compare, cluster size " + cs, 0,
                    QemuImg.run("compare", "-f", "raw", "-F", "qcow2", raw.toString(), q.toString()).exit());
            Path back = file("back-" + cs + ".raw");
            ImageConverter.toRaw(q, back, null);
            assertArrayEquals("round trip, cluster size " + cs, want, Files.readAllBytes(back));
        }
    }

    @Test
    public void zeroGranuleInsideADataClusterStaysAHoleInRawOutput() throws Exception {
        Path raw = file("src.raw");
        Files.write(raw, source());
        Path q = file("big.qcow2");
        QemuImg.ok("convert", "-O", "qcow2", "-o", "cluster_size=2M", raw.toString(), q.toString());
        Path ours = file("ours.raw");
        ImageConverter.toRaw(q, ours, null);
        assertArrayEquals(source(), Files.readAllBytes(ours));
        // qemu-img map sees holes through SEEK_DATA/SEEK_HOLE: the zero granule between the two
        // data granules at 4 MiB (inside one 2 MiB data cluster of the source) was not written.
        String map = QemuImg.ok("map", "--output=json", "-f", "raw", ours.toString()).out();
        long hole = 4 * MIB + 64 * 1024;
        assertTrue(map, map.contains("\"start\": " + hole + ", \"length\": 65536, \"depth\": 0, \"present\": true, "
                + "\"zero\": true, \"data\": false"));
    }

    @Test
    public void compressedClustersUnderABackingChainConvertLikeQemuImg() throws Exception {
        Path raw = file("src.raw");
        Files.write(raw, source());
        Path base = file("base.qcow2");
        QemuImg.ok("convert", "-c", "-O", "qcow2", "-o", "cluster_size=4k", raw.toString(), base.toString());
        Path top = file("top.qcow2");
        QemuImg.ok("create", "-q", "-f", "qcow2", "-o", "cluster_size=64k", "-b", "base.qcow2", "-F", "qcow2",
                top.toString());
        // Writes over the chunk edge at 2 MiB, a zeroed range over base data, and the tail.
        QemuImgInteropTest.qemuIo(top, "write -P 0x41 1984k 128k", "write -z 3M 64k", "write -P 0x42 7M 3k");
        Path expected = file("expected.raw");
        QemuImg.ok("convert", "-O", "raw", top.toString(), expected.toString());

        Path ours = file("ours.raw");
        ImageConverter.toRaw(top, ours, null);
        assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(ours));
        Path oursQ = file("ours.qcow2");
        ImageConverter.toQcow2(top, oursQ, Qcow2Image.CreateOptions.defaults(), null);
        assertEquals(0, QemuImg.run("check", oursQ.toString()).exit());
        assertEquals(0, QemuImg.run("compare", expected.toString(), oursQ.toString()).exit());
    }

    @Test
    public void sourceFailingHalfWayGivesItsTypedErrorAndNoHang() throws Exception {
        Path raw = file("src.raw");
        Files.write(raw, source());
        Path q = file("src.qcow2");
        QemuImg.ok("convert", "-O", "qcow2", "-o", "cluster_size=4k", raw.toString(), q.toString());
        // Point the L1 entry for the second 2 MiB (4 KiB clusters: 2 MiB per L2 table) at an
        // unaligned offset: the reader fails there, after the first chunks went through.
        long l1;
        try (FileChannel ch = FileChannel.open(q, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer h = ByteBuffer.allocate(8);
            ch.read(h, 40);
            l1 = h.getLong(0);
            ch.write(ByteBuffer.allocate(8).putLong(0, 0x8000000000010200L), l1 + 8);
        }
        try {
            ImageConverter.toRaw(q, file("out.raw"), null);
            fail("a broken L1 entry must fail the conversion");
        } catch (Qcow2Exception e) {
            assertEquals(l1 + 8, e.offset());
        }
    }
}
