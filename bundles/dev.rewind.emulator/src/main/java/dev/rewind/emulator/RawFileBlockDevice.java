package dev.rewind.emulator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A {@link BlockDevice} backed by a raw image file; the size is rounded down to whole sectors. */
public final class RawFileBlockDevice implements BlockDevice {

    private final FileChannel channel;
    private final boolean readOnly;
    private final long sectors;

    public RawFileBlockDevice(Path file, boolean readOnly) throws IOException {
        this.channel = readOnly ? FileChannel.open(file, StandardOpenOption.READ)
                : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.readOnly = readOnly;
        this.sectors = channel.size() / SECTOR_SIZE;
    }

    @Override
    public long sectors() {
        return sectors;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public void read(long offset, byte[] buf, int bufOffset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(buf, bufOffset, length);
        while (b.hasRemaining()) {
            int n = channel.read(b, offset + (length - b.remaining()));
            if (n < 0) {
                while (b.hasRemaining()) {
                    b.put((byte) 0);
                }
            }
        }
    }

    @Override
    public void write(long offset, byte[] buf, int bufOffset, int length) throws IOException {
        if (readOnly) {
            throw new IOException("read-only block device");
        }
        ByteBuffer b = ByteBuffer.wrap(buf, bufOffset, length);
        while (b.hasRemaining()) {
            channel.write(b, offset + (length - b.remaining()));
        }
    }

    @Override
    public void flush() throws IOException {
        if (!readOnly) {
            channel.force(false);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
