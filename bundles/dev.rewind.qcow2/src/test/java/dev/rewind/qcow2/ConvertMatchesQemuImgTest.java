package dev.rewind.qcow2;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Our converters (parallel file-based and single-reader) produce what qemu-img convert produces. */
public class ConvertMatchesQemuImgTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void chainWithCompressedAndZeroClustersConvertsBothWays() throws Exception {
        Path root = tmp.getRoot().toPath();
        Path raw = root.resolve("base.raw");
        byte[] b = new byte[21 << 20];
        Random r = new Random(4);
        for (int i = 0; i < b.length; i += 1 << 20) {
            if (r.nextInt(3) > 0) {
                for (int j = 0; j < 300_000; j++) {
                    b[i + j] = (byte) (j / 77 + i);
                }
            }
        }
        Files.write(raw, b);
        Path base = root.resolve("base.qcow2");
        QemuImg.ok("convert", "-c", "-O", "qcow2", "-o", "cluster_size=16k", raw.toString(), base.toString());
        Path top = root.resolve("top.qcow2");
        QemuImg.ok("create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", top.toString());
        QemuImgInteropTest.qemuIo(top, "write -P 0x31 5M 3M", "write -z 9M 1M", "write -P 0x32 20M 100k");
        Path expected = root.resolve("expected.raw");
        QemuImg.ok("convert", "-O", "raw", top.toString(), expected.toString());
        byte[] want = Files.readAllBytes(expected);

        Path ours = root.resolve("ours.raw");
        ImageConverter.toRaw(top, ours, null);
        assertArrayEquals(want, Files.readAllBytes(ours));
        try (DiskImage in = Qcow2Image.openAny(top)) {
            ImageConverter.toRaw(in, ours, null);
        }
        assertArrayEquals(want, Files.readAllBytes(ours));

        Path q = root.resolve("ours.qcow2");
        long[] last = {0};
        ImageConverter.toQcow2(top, q, Qcow2Image.CreateOptions.defaults().withClusterSize(4096),
                (done, total) -> last[0] = done);
        assertEquals(want.length, last[0]);
        assertEquals(0, QemuImg.run("check", q.toString()).exit());
        assertEquals(0, QemuImg.run("compare", expected.toString(), q.toString()).exit());
        try (DiskImage in = Qcow2Image.openAny(expected)) {
            ImageConverter.toQcow2(in, q, Qcow2Image.CreateOptions.defaults().withVersion(2), null);
        }
        assertEquals(0, QemuImg.run("check", q.toString()).exit());
        assertEquals(0, QemuImg.run("compare", expected.toString(), q.toString()).exit());
        try (DiskImage x = Qcow2Image.openAny(q); DiskImage y = Qcow2Image.openAny(top)) {
            assertEquals(ImageComparison.IDENTICAL, ImageComparison.firstDifference(x, y));
        }
    }
}
