package dev.rewind.emulator;

import java.io.DataInputStream;
import java.io.DataOutputStream;

/**
 * An empty virtio-mmio transport slot (Virtio 1.1 §4.2.2): QEMU virt has eight at
 * 0x1000_1000 + i * 0x1000 with PLIC sources 1..8; a slot without a device reads magic,
 * version and device ID 0 so drivers skip it.
 *
 * <pre>
 * 0x000 MagicValue "virt"   0x004 Version (2)   0x008 DeviceID (0 = none)   0x00c VendorID
 * </pre>
 */
final class VirtioMmio extends MmioDevice {

    static final long BASE = 0x1000_1000L, SIZE = 0x1000L;
    static final int SLOTS = 8, FIRST_IRQ = 1;
    static final int MAGIC = 0x74726976, VENDOR = 0x554d4551; // "virt", "QEMU"

    private final int slot;

    VirtioMmio(int slot) {
        super("virtio" + slot, BASE + slot * SIZE, SIZE);
        this.slot = slot;
    }

    @Override
    public long read(long off, int size) {
        return switch ((int) off) {
            case 0x000 -> MAGIC;
            case 0x004 -> 2;
            case 0x00c -> VENDOR;
            default -> 0;
        };
    }

    @Override
    long peek(long offset, int size) {
        return read(offset, size); // reads have no side effects here
    }

    @Override
    public void write(long off, int size, long value) {
    }

    @Override
    public void save(DataOutputStream out) {
    }

    @Override
    public void load(DataInputStream in) {
    }
}
