package dev.rewind.replay;

import java.io.IOException;

import dev.rewind.emulator.BlockDevice;
import dev.rewind.qcow2.Qcow2Image;

/** The emulator's virtio disk backed by a qcow2 image (live runs and recordings). */
public final class Qcow2Disk implements BlockDevice {

    private final Qcow2Image image;

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
