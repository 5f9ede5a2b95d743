package dev.rewind.replay;

import java.io.IOException;
import java.util.TreeMap;

import dev.rewind.emulator.BlockDevice;

/**
 * The disk of a replay: reads come from the recording's start contents (a qcow2 snapshot or a
 * raw image, never written), writes go to an in-memory map of 4 KiB chunks. The map is part of
 * a replay snapshot, so seeking backwards rewinds the disk with the machine; chunk arrays are
 * never modified in place, so snapshots share them.
 */
public final class OverlayDisk implements BlockDevice {

    /** The unchanging start contents. */
    public interface Base {
        long size();

        void read(long offset, byte[] buf, int off, int len) throws IOException;
    }

    static final int CHUNK = 4096;

    private final Base base;
    private TreeMap<Long, byte[]> written = new TreeMap<>();

    public OverlayDisk(Base base) {
        this.base = base;
    }

    @Override
    public long sectors() {
        return base.size() / SECTOR_SIZE;
    }

    @Override
    public boolean readOnly() {
        return false;
    }

    @Override
    public void read(long offset, byte[] buf, int bufOffset, int length) throws IOException {
        while (length > 0) {
            long chunk = offset / CHUNK;
            int in = (int) (offset % CHUNK);
            int n = Math.min(length, CHUNK - in);
            byte[] c = written.get(chunk);
            if (c != null) {
                System.arraycopy(c, in, buf, bufOffset, n);
            } else {
                base.read(offset, buf, bufOffset, n);
            }
            offset += n;
            bufOffset += n;
            length -= n;
        }
    }

    @Override
    public void write(long offset, byte[] buf, int bufOffset, int length) throws IOException {
        while (length > 0) {
            long chunk = offset / CHUNK;
            int in = (int) (offset % CHUNK);
            int n = Math.min(length, CHUNK - in);
            byte[] old = written.get(chunk);
            byte[] c = new byte[CHUNK];
            if (old != null) {
                System.arraycopy(old, 0, c, 0, CHUNK);
            } else {
                long start = chunk * CHUNK;
                base.read(start, c, 0, (int) Math.min(CHUNK, base.size() - start));
            }
            System.arraycopy(buf, bufOffset, c, in, n);
            written.put(chunk, c);
            offset += n;
            bufOffset += n;
            length -= n;
        }
    }

    /** The written chunks, for a snapshot (shares the chunk arrays). */
    public Object state() {
        return new TreeMap<>(written);
    }

    /** Goes back to a state from {@link #state()}. */
    @SuppressWarnings("unchecked")
    public void restore(Object state) {
        written = new TreeMap<>((TreeMap<Long, byte[]>) state);
    }

    @Override
    public void flush() {
        // nothing to persist: a replay never changes the user's image
    }

    @Override
    public void close() {
        written.clear();
    }
}
