package dev.rewind.qcow2;

import java.io.IOException;

/** A readable virtual disk: a qcow2 image (any layer of a chain) or a raw file. */
public interface DiskImage extends AutoCloseable {

    /** Virtual disk size in bytes. */
    long size();

    /** Reads {@code len} bytes of guest data at {@code offset}; the range must lie inside the disk. */
    void read(long offset, byte[] buf, int off, int len) throws IOException;

    /**
     * What the disk holds from {@code offset}: a positive length of a run that may hold data,
     * or a negative length of a run known to read as zeros. Never 0 when {@code max > 0}.
     */
    long status(long offset, long max) throws IOException;

    @Override
    void close() throws IOException;
}
