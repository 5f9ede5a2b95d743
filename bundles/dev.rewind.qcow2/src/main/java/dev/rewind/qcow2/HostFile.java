package dev.rewind.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The image file: positional reads and writes that either complete or throw. Writes can be
 * forbidden as a whole, which is how an image that failed validation stays untouched.
 */
final class HostFile implements AutoCloseable {

    private final FileChannel channel;
    private final boolean writable;
    /** Length of the file as we have made it; avoids a size() syscall per allocation. */
    private long length;
    private boolean durable = true;
    /** Crash tests stop the process here, just before a write at the given position; null otherwise. */
    static java.util.function.LongConsumer beforeWrite;

    HostFile(Path path, boolean writable) throws IOException {
        this.channel = writable
                ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(path, StandardOpenOption.READ);
        this.writable = writable;
        this.length = channel.size();
    }

    static HostFile create(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        ch.close();
        return new HostFile(path, true);
    }

    boolean writable() {
        return writable;
    }

    long length() {
        return length;
    }

    /** Reads exactly {@code len} bytes; bytes past the end of the file read as zero. */
    void read(long pos, byte[] buf, int off, int len) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(buf, off, len);
        readInto(pos, bb);
    }

    void readInto(long pos, ByteBuffer bb) throws IOException {
        while (bb.hasRemaining()) {
            int n = channel.read(bb, pos);
            if (n < 0) {
                while (bb.hasRemaining()) {
                    bb.put((byte) 0);
                }
                return;
            }
            pos += n;
        }
    }

    /** Reads exactly {@code len} bytes that must lie inside the file. */
    byte[] readStrict(long pos, int len, String what) throws IOException {
        if (pos < 0 || pos + len > length || pos + len < pos) {
            throw new Qcow2Exception(what + " at 0x" + Long.toHexString(pos) + " lies beyond the end of the file", pos);
        }
        byte[] b = new byte[len];
        read(pos, b, 0, len);
        return b;
    }

    void write(long pos, byte[] buf, int off, int len) throws IOException {
        write(pos, ByteBuffer.wrap(buf, off, len));
    }

    void write(long pos, ByteBuffer bb) throws IOException {
        if (!writable) {
            throw new Qcow2Exception("image is open read-only", Qcow2Exception.NO_OFFSET);
        }
        if (beforeWrite != null) {
            beforeWrite.accept(pos);
        }
        long end = pos + bb.remaining();
        while (bb.hasRemaining()) {
            pos += channel.write(bb, pos);
        }
        if (end > length) {
            length = end;
        }
    }

    /** Makes sure the file covers {@code end} bytes (a hole is fine: it reads as zeros). */
    void extendTo(long end) throws IOException {
        if (end > length) {
            write(end - 1, new byte[1], 0, 1);
        }
    }

    /** With false, force() does nothing: write order (and so kill -9 safety) stays, power-loss safety goes. */
    void setDurable(boolean durable) {
        this.durable = durable;
    }

    void force() throws IOException {
        if (writable && durable) {
            channel.force(false);
        }
    }

    void truncate(long size) throws IOException {
        channel.truncate(size);
        length = channel.size();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
