package dev.rewind.emulator;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * A device on the bus at [{@link #base()}, base + {@link #size()}). Accesses arrive with the
 * offset inside that range and a size of 1, 2, 4 or 8 bytes. State save/load must capture
 * everything guest-visible and must not call into other devices while loading.
 */
abstract class MmioDevice {

    private final String name;
    private final long base;
    private final long size;

    MmioDevice(String name, long base, long size) {
        this.name = name;
        this.base = base;
        this.size = size;
    }

    /** The name its state is saved under. */
    final String name() {
        return name;
    }

    final long base() {
        return base;
    }

    final long size() {
        return size;
    }

    abstract long read(long offset, int size);

    /**
     * What {@link #read} would return now, without its side effects (no FIFO pop, no interrupt
     * claim, no input-port read, no state change): for debuggers. Registers whose value only a
     * real read can produce (host time) peek as their last latched value or 0.
     */
    abstract long peek(long offset, int size);

    abstract void write(long offset, int size, long value);

    /**
     * A read of this register changes nothing (no device state, no interrupt line, no input),
     * so the hart need not stop after it for the machine to look at its devices: a timer polled
     * in a delay loop then costs an access, not a return to the machine loop.
     */
    boolean readIsPure(long offset) {
        return false;
    }

    /**
     * The memory instructions are fetched from when they lie in this device's range (flash that
     * firmware runs from), or null: instruction fetch from other devices is an access fault.
     */
    Memory code() {
        return null;
    }

    abstract void save(DataOutputStream out) throws IOException;

    abstract void load(DataInputStream in) throws IOException;
}
