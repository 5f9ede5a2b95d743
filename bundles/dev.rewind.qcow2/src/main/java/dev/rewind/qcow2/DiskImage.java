package dev.rewind.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A readable virtual disk: a qcow2 image (any layer of a chain) or a raw file. */
public interface DiskImage extends AutoCloseable {

    /** Virtual disk size in bytes. */
    long size();

    /** Reads {@code len} bytes of guest data at {@code offset}; the range must lie inside the disk. */
    void read(long offset, byte[] buf, int off, int len) throws IOException;

    /** Reads {@code dst.remaining()} bytes at {@code offset}, advancing the buffer's position. */
    default void read(long offset, ByteBuffer dst) throws IOException {
        int n = dst.remaining();
        if (dst.hasArray()) {
            read(offset, dst.array(), dst.arrayOffset() + dst.position(), n);
        } else {
            byte[] tmp = new byte[n];
            read(offset, tmp, 0, n);
            dst.put(dst.position(), tmp);
        }
        dst.position(dst.position() + n);
    }

    /**
     * What the disk holds from {@code offset}: a positive length of a run that may hold data,
     * or a negative length of a run known to read as zeros. Never 0 when {@code max > 0}.
     */
    long status(long offset, long max) throws IOException;

    @Override
    void close() throws IOException;
}
