package dev.rewind.qcow2;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * L2 entries whose host offset is not cluster aligned (iotest 060's case): a data cluster is a
 * corruption check cannot repair; a preallocated zero cluster reads as zeros whatever its
 * offset, so {@code -r all} makes it a plain zero cluster. Checked against qemu-img on copies of
 * the same damaged image, down to the repaired file's bytes.
 */
public class MisalignedL2EntriesMatchQemuImgTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** Cluster 0 holds data, cluster 1 is a preallocated zero cluster; both entries then point 512 bytes too far. */
    private Path damaged() throws Exception {
        Path p = tmp.getRoot().toPath().resolve("misaligned.qcow2");
        QemuImg.ok("create", "-q", "-f", "qcow2", p.toString(), "4M");
        Process io = new ProcessBuilder("qemu-io", "-c", "write -P 0x11 0 64k", "-c", "write -P 0x22 64k 64k", "-c",
                "write -z 64k 64k", p.toString()).redirectErrorStream(true).start();
        String out = new String(io.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(out, 0, io.waitFor());
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(16);
            ch.read(b, 40);
            long l1 = b.getLong(0);
            b.clear();
            ch.read(b, l1);
            long l2 = b.getLong(0) & Qcow2Image.L2E_OFFSET_MASK;
            b.clear();
            ch.read(b, l2);
            long data = b.getLong(0);
            long zero = b.getLong(8);
            assertEquals("cluster 1 is a preallocated zero cluster", Qcow2Image.ZERO, zero & Qcow2Image.ZERO);
            b.clear();
            b.putLong(data + 0x200).putLong(zero + 0x200).flip();
            ch.write(b, l2);
        }
        return p;
    }

    private static List<String> alignmentLines(String text) {
        return text.lines().filter(l -> l.contains("not properly aligned")).sorted().toList();
    }

    private static String ours(Path p, ImageCheck.Repair repair, int[] exit) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Qcow2Image img = Qcow2Image.open(p, repair == ImageCheck.Repair.NONE ? Qcow2Image.Mode.CHECK
                : Qcow2Image.Mode.REPAIR)) {
            exit[0] = new ImageCheck(img).run(repair, new PrintStream(log, true, StandardCharsets.UTF_8)).exitCode();
        }
        return log.toString(StandardCharsets.UTF_8);
    }

    @Test
    public void checkReportsBothAsQemuImgDoes() throws Exception {
        Path a = damaged();
        Path b = Files.copy(a, tmp.getRoot().toPath().resolve("b.qcow2"));
        QemuImg.Run theirs = QemuImg.run("check", a.toString());
        int[] exit = new int[1];
        String log = ours(b, ImageCheck.Repair.NONE, exit);
        assertEquals(log, theirs.exit(), exit[0]);
        assertEquals(alignmentLines(theirs.out() + theirs.err()), alignmentLines(log));
        assertEquals(2, alignmentLines(log).size());
        assertArrayEquals("a check without repair changed the image", Files.readAllBytes(a), Files.readAllBytes(b));
    }

    @Test
    public void repairAllMakesThePreallocatedClusterAPlainZeroClusterAsQemuImgDoes() throws Exception {
        Path a = damaged();
        Path b = Files.copy(a, tmp.getRoot().toPath().resolve("b.qcow2"));
        QemuImg.Run theirs = QemuImg.run("check", "-r", "all", a.toString());
        int[] exit = new int[1];
        String log = ours(b, ImageCheck.Repair.ALL, exit);
        assertEquals(log, theirs.exit(), exit[0]);
        assertEquals(List.of("ERROR offset=50200: Data cluster is not properly aligned; L2 entry corrupted.",
                "Repairing offset=60200: Preallocated cluster is not properly aligned; L2 entry corrupted."),
                alignmentLines(log));
        assertArrayEquals("the repaired images differ", Files.readAllBytes(a), Files.readAllBytes(b));
        // what is left is the data cluster, which no repair can place
        assertEquals(QemuImg.run("check", a.toString()).exit(), QemuImg.run("check", b.toString()).exit());
    }
}
