package dev.rewind.emulator;

import java.io.OutputStream;

/**
 * How a {@link VirtMachine} is built: RAM size, icount shift, optional disk, where UART output
 * goes and which {@link InputPort} feeds it. Immutable; make one with {@link #builder()}.
 * Two machines with equal configuration (and equal port behaviour) execute identically.
 */
public final class MachineConfig {

    public static final long DEFAULT_RAM = 128L << 20;
    /** QEMU accepts shift 0..10; 0 means one instruction per virtual nanosecond. */
    public static final int MAX_ICOUNT_SHIFT = 10;

    private final long ramSize;
    private final int icountShift;
    private final BlockDevice disk;
    private final OutputStream uartOut;
    private final InputPort inputPort;

    private MachineConfig(Builder b) {
        if (b.ramSize < (1 << 20) || b.ramSize > (1L << 31) - (1 << 20) || (b.ramSize & 0xfff) != 0) {
            throw new IllegalArgumentException("RAM size must be a multiple of 4 KiB between 1 MiB and 2047 MiB, got " + b.ramSize);
        }
        if (b.icountShift < 0 || b.icountShift > MAX_ICOUNT_SHIFT) {
            throw new IllegalArgumentException("icount shift must be 0.." + MAX_ICOUNT_SHIFT + ", got " + b.icountShift);
        }
        this.ramSize = b.ramSize;
        this.icountShift = b.icountShift;
        this.disk = b.disk;
        this.uartOut = b.uartOut != null ? b.uartOut : OutputStream.nullOutputStream();
        this.inputPort = b.inputPort != null ? b.inputPort : LiveInputPort.silent();
    }

    public static Builder builder() {
        return new Builder();
    }

    public long ramSize() {
        return ramSize;
    }

    public int icountShift() {
        return icountShift;
    }

    /** The disk behind virtio-mmio slot 0, or {@code null} for a diskless machine. */
    public BlockDevice disk() {
        return disk;
    }

    public OutputStream uartOut() {
        return uartOut;
    }

    public InputPort inputPort() {
        return inputPort;
    }

    /** A builder that starts from this configuration (e.g. to swap the input port for replay). */
    public Builder toBuilder() {
        return new Builder().ramSize(ramSize).icountShift(icountShift).disk(disk).uartOut(uartOut).inputPort(inputPort);
    }

    public static final class Builder {
        private long ramSize = DEFAULT_RAM;
        private int icountShift;
        private BlockDevice disk;
        private OutputStream uartOut;
        private InputPort inputPort;

        public Builder ramSize(long bytes) {
            this.ramSize = bytes;
            return this;
        }

        public Builder icountShift(int shift) {
            this.icountShift = shift;
            return this;
        }

        public Builder disk(BlockDevice disk) {
            this.disk = disk;
            return this;
        }

        public Builder uartOut(OutputStream out) {
            this.uartOut = out;
            return this;
        }

        public Builder inputPort(InputPort port) {
            this.inputPort = port;
            return this;
        }

        /** @throws IllegalArgumentException for an impossible RAM size or shift */
        public MachineConfig build() {
            return new MachineConfig(this);
        }
    }
}
