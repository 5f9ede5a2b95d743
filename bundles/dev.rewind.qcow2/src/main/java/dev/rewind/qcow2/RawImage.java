package dev.rewind.qcow2;

import java.io.IOException;
import java.nio.file.Path;

/** A raw disk image file, used as a backing file or as a convert source. */
public final class RawImage implements DiskImage {

    private final HostFile file;
    private final long size;

    private RawImage(HostFile file) {
        this.file = file;
        this.size = file.length();
    }

    public static RawImage open(Path path) throws IOException {
        return new RawImage(new HostFile(path, false));
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long offset, byte[] buf, int off, int len) throws IOException {
        if (offset < 0 || offset + len > size) {
            throw new Qcow2Exception("read outside the raw disk", offset);
        }
        file.read(offset, buf, off, len);
    }

    @Override
    public void read(long offset, java.nio.ByteBuffer dst) throws IOException {
        int n = dst.remaining();
        if (offset < 0 || offset + n > size) {
            throw new Qcow2Exception("read outside the raw disk", offset);
        }
        file.readInto(offset, dst);
    }

    @Override
    public long status(long offset, long max) {
        // Without SEEK_HOLE we cannot see holes: everything may hold data.
        return Math.max(1, Math.min(max, size - offset));
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
