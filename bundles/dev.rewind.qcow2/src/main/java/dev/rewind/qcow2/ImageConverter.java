package dev.rewind.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

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

    private static final int CHUNK = 4 << 20;
    private static final int BUFFERS = 3;
    private static final int ZERO_GRANULE = 64 << 10;

    private ImageConverter() {
    }

    /** Writes {@code in} to a new raw file (sparse where the source reads as zeros). */
    public static void toRaw(DiskImage in, Path out, Progress progress) throws IOException {
        long size = in.size();
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            copy(in, size, (off, bb) -> {
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

    /** Converts the file {@code in} (qcow2 chain or raw, format probed) to a new raw file. */
    public static void toRaw(Path in, Path out, Progress progress) throws IOException {
        try (DiskImage src = Qcow2Image.openAny(in)) {
            toRaw(src, out, progress);
        }
    }

    /** Converts the file {@code in} (qcow2 chain or raw, format probed) to a new qcow2 image. */
    public static void toQcow2(Path in, Path out, Qcow2Image.CreateOptions opts, Progress progress)
            throws IOException {
        try (DiskImage src = Qcow2Image.openAny(in)) {
            toQcow2(src, out, opts, progress);
        }
    }

    private interface Sink {
        void write(long offset, ByteBuffer data) throws IOException;
    }

    /** A piece of the source: data in a buffer, or (data == null) a run that reads as zeros. */
    private record Piece(long offset, int length, ByteBuffer data, Throwable failure) {
        static final Piece END = new Piece(-1, 0, null, null);
    }

    /**
     * One reader thread fills direct buffers while this thread writes the previous ones, so
     * reading the source and writing the target overlap (qemu-img keeps several requests in
     * flight for the same reason). Direct buffers: no copies on the Java heap.
     */
    private static void copy(DiskImage in, long size, Sink sink, Progress progress) throws IOException {
        BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(BUFFERS);
        for (int i = 0; i < BUFFERS; i++) {
            free.add(ByteBuffer.allocateDirect(CHUNK));
        }
        BlockingQueue<Piece> full = new ArrayBlockingQueue<>(BUFFERS + 2);
        Thread reader = new Thread(() -> {
            Piece last = Piece.END;
            try {
                long off = 0;
                while (off < size) {
                    long st = in.status(off, Math.min(CHUNK, size - off));
                    if (st < 0) {
                        full.put(new Piece(off, (int) -st, null, null));
                        off += -st;
                    } else {
                        ByteBuffer buf = free.take();
                        buf.clear().limit((int) st);
                        in.read(off, buf);
                        full.put(new Piece(off, (int) st, buf, null));
                        off += st;
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (Throwable t) {
                last = new Piece(-1, 0, null, t);
            }
            try {
                full.put(last);
            } catch (InterruptedException e) {
                // the writer has gone
            }
        }, "qcow2-convert-reader");
        reader.setDaemon(true);
        reader.start();
        ByteBuffer zeros = ByteBuffer.allocateDirect(ZERO_GRANULE);
        try {
            for (;;) {
                Piece p = full.take();
                if (p.offset() < 0) {
                    if (p.failure() instanceof IOException e) {
                        throw e;
                    }
                    if (p.failure() != null) {
                        throw new IOException("reading the source failed: " + p.failure(), p.failure());
                    }
                    break;
                }
                if (p.data() != null) {
                    writeNonZero(sink, p.offset(), p.data(), p.length(), zeros);
                    free.put(p.data());
                }
                if (progress != null) {
                    progress.update(p.offset() + p.length(), size);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("conversion interrupted", e);
        } finally {
            reader.interrupt();
            try {
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Writes the buffer as runs of non-zero 64 KiB granules. */
    private static void writeNonZero(Sink sink, long off, ByteBuffer buf, int len, ByteBuffer zeros)
            throws IOException {
        int runStart = -1;
        for (int g = 0; g < len; g += ZERO_GRANULE) {
            int n = Math.min(ZERO_GRANULE, len - g);
            boolean zero = buf.slice(g, n).mismatch(zeros.slice(0, n)) < 0;
            if (!zero && runStart < 0) {
                runStart = g;
            } else if (zero && runStart >= 0) {
                sink.write(off + runStart, buf.slice(runStart, g - runStart));
                runStart = -1;
            }
        }
        if (runStart >= 0) {
            sink.write(off + runStart, buf.slice(runStart, len - runStart));
        }
    }
}
