package dev.rewind.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Copies the active layer of a disk image (qcow2 chain or raw) into a new raw or qcow2 file,
 * as {@code qemu-img convert} does: large sequential reads, runs known to be zero skipped
 * (the output stays sparse), zero clusters inside data not written, and, like qemu-img's
 * default cache=unsafe for the output, no fsync (write order is still kept).
 */
public final class ImageConverter {

    /** Receives progress: bytes of the virtual disk done so far, out of the total. */
    public interface Progress {
        void update(long done, long total);
    }

    private static final int CHUNK = 8 << 20;
    private static final int ZERO_GRANULE = 64 << 10;
    private static final byte[] ZEROS = new byte[ZERO_GRANULE];

    private ImageConverter() {
    }

    /** Writes {@code in} to a new raw file (sparse where the source reads as zeros). */
    public static void toRaw(DiskImage in, Path out, Progress progress) throws IOException {
        long size = in.size();
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            copy(in, size, (off, buf, from, len) -> {
                ByteBuffer bb = ByteBuffer.wrap(buf, from, len);
                long pos = off;
                while (bb.hasRemaining()) {
                    pos += ch.write(bb, pos);
                }
            }, progress);
            if (ch.size() < size) {
                // Extend to the full size: the tail is a hole.
                ch.write(ByteBuffer.allocate(1), size - 1);
            }
        }
    }

    /** Writes {@code in} to a new qcow2 image with the given options. */
    public static void toQcow2(DiskImage in, Path out, Qcow2Image.CreateOptions opts, Progress progress)
            throws IOException {
        try (Qcow2Image img = Qcow2Image.create(out, in.size(), opts)) {
            img.setDurable(false);
            copy(in, in.size(), img::write, progress);
            img.flush();
        }
    }

    private interface Sink {
        void write(long offset, byte[] buf, int from, int len) throws IOException;
    }

    private static void copy(DiskImage in, long size, Sink sink, Progress progress) throws IOException {
        byte[] buf = new byte[CHUNK];
        long off = 0;
        while (off < size) {
            long st = in.status(off, Math.min(CHUNK, size - off));
            if (st < 0) {
                off += -st;
            } else {
                int len = (int) st;
                in.read(off, buf, 0, len);
                writeNonZero(sink, off, buf, len);
                off += len;
            }
            if (progress != null) {
                progress.update(off, size);
            }
        }
    }

    /** Writes the buffer as runs of non-zero 64 KiB granules. */
    private static void writeNonZero(Sink sink, long off, byte[] buf, int len) throws IOException {
        int runStart = -1;
        for (int g = 0; g < len; g += ZERO_GRANULE) {
            int n = Math.min(ZERO_GRANULE, len - g);
            boolean zero = Arrays.mismatch(buf, g, g + n, ZEROS, 0, n) < 0;
            if (!zero && runStart < 0) {
                runStart = g;
            } else if (zero && runStart >= 0) {
                sink.write(off + runStart, buf, runStart, g - runStart);
                runStart = -1;
            }
        }
        if (runStart >= 0) {
            sink.write(off + runStart, buf, runStart, len - runStart);
        }
    }
}
