package dev.rewind.emulator;

import java.io.IOException;

/**
 * Storage behind the virtio block device. Sector size is 512 bytes. Reads and writes are
 * synchronous and must be deterministic: the same sequence of calls on the same initial
 * image yields the same bytes (so replay only needs completion order, not data).
 */
public interface BlockDevice extends AutoCloseable {

    int SECTOR_SIZE = 512;

    /** Capacity in 512-byte sectors. */
    long sectors();

    boolean readOnly();

    /** Reads {@code length} bytes at byte {@code offset} into {@code buf[bufOffset..]}. */
    void read(long offset, byte[] buf, int bufOffset, int length) throws IOException;

    void write(long offset, byte[] buf, int bufOffset, int length) throws IOException;

    void flush() throws IOException;

    @Override
    void close() throws IOException;
}
