package dev.rewind.replay;

import java.io.IOException;
import java.util.TreeMap;

import dev.rewind.emulator.BlockDevice;
import dev.rewind.qcow2.Qcow2Image;

/** The emulator's virtio disk backed by a qcow2 image (live runs and recordings). */
public final class Qcow2Disk implements BlockDevice {

    private final Qcow2Image image;
    /** Chunk index -> contents of each chunk written, if kept; arrays never change once stored. */
    private TreeMap<Long, byte[]> written;

    public Qcow2Disk(Qcow2Image image) {
        this.image = image;
    }

    public Qcow2Image image() {
        return image;
    }

    @Override
    public long sectors() {
        return image.size() / SECTOR_SIZE;
    }

    @Override
    public boolean readOnly() {
        return image.isReadOnly();
    }

    @Override
    public void read(long offset, byte[] buf, int bufOffset, int length) throws IOException {
        image.read(offset, buf, bufOffset, length);
    }

    @Override
    public void write(long offset, byte[] buf, int bufOffset, int length) throws IOException {
        image.write(offset, buf, bufOffset, length);
        if (written != null) {
            for (long c = offset / OverlayDisk.CHUNK; c * OverlayDisk.CHUNK < offset + length; c++) {
                // the chunk as it now reads, in a fresh array: states taken earlier keep theirs
                long start = c * OverlayDisk.CHUNK;
                byte[] chunk = new byte[OverlayDisk.CHUNK];
                image.read(start, chunk, 0, (int) Math.min(OverlayDisk.CHUNK, image.size() - start));
                written.put(c, chunk);
            }
        }
    }

    /**
     * From now on, keeps a copy of every {@value OverlayDisk#CHUNK}-byte chunk written, as a
     * replay's {@link OverlayDisk} does: a recording's snapshots then carry the disk's changes
     * since the recording started.
     */
    void keepWrittenChunks() {
        written = new TreeMap<>();
    }

    /** The chunks written since {@link #keepWrittenChunks()}, as {@link OverlayDisk#state()} gives them. */
    TreeMap<Long, byte[]> writtenChunks() {
        return new TreeMap<>(written);
    }

    @Override
    public void flush() throws IOException {
        image.flush();
    }

    @Override
    public void close() throws IOException {
        image.close();
    }
}
