package dev.rewind.emulator;

import java.io.OutputStream;

/**
 * How a {@link VirtMachine} is built: RAM size, icount shift, optional disk, the RTC's base and
 * clock, where UART output goes and which {@link InputPort} feeds it. Immutable; make one with {@link #builder()}.
 * Two machines with equal configuration (and equal port behaviour) execute identically.
 */
public final class MachineConfig {

    public static final long DEFAULT_RAM = 128L << 20;
    /** QEMU accepts shift 0..10; 0 means one instruction per virtual nanosecond. */
    public static final int MAX_ICOUNT_SHIFT = 10;
    /** CFI flash banks of the virt machine (QEMU's pflash0 and pflash1). */
    public static final int PFLASH_BANKS = 2;
    /** Harts: 1 to 8, as {@code --smp}. */
    public static final int MAX_HARTS = 8;

    private final long ramSize;
    private final int icountShift;
    private final int harts;
    private final BlockDevice disk;
    private final OutputStream uartOut;
    private final InputPort inputPort;
    private final FlashImage[] pflash;
    private final RtcConfig rtc;

    private MachineConfig(Builder b) {
        if (b.ramSize < (1 << 20) || b.ramSize > (1L << 31) - (1 << 20) || (b.ramSize & 0xfff) != 0) {
            throw new IllegalArgumentException("RAM size must be a multiple of 4 KiB between 1 MiB and 2047 MiB, got " + b.ramSize);
        }
        if (b.icountShift < 0 || b.icountShift > MAX_ICOUNT_SHIFT) {
            throw new IllegalArgumentException("icount shift must be 0.." + MAX_ICOUNT_SHIFT + ", got " + b.icountShift);
        }
        if (b.harts < 1 || b.harts > MAX_HARTS) {
            throw new IllegalArgumentException("harts (--smp) must be 1 to " + MAX_HARTS + ", got " + b.harts);
        }
        this.ramSize = b.ramSize;
        this.icountShift = b.icountShift;
        this.harts = b.harts;
        this.disk = b.disk;
        this.uartOut = b.uartOut != null ? b.uartOut : OutputStream.nullOutputStream();
        this.inputPort = b.inputPort != null ? b.inputPort : LiveInputPort.silent();
        this.pflash = b.pflash.clone();
        this.rtc = b.rtc;
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

    /** Number of harts (1..{@value #MAX_HARTS}). */
    public int harts() {
        return harts;
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

    /**
     * What flash bank {@code unit} (0 at 0x2000_0000, 1 at 0x2200_0000) starts with, or null when
     * no file was given: the bank is then all zero and its changes are kept only in the machine,
     * as QEMU's flash without a drive.
     */
    public FlashImage pflash(int unit) {
        return pflash[unit];
    }

    /** The goldfish RTC's base and clock (QEMU's {@code -rtc}). */
    public RtcConfig rtc() {
        return rtc;
    }

    /** A builder that starts from this configuration (e.g. to swap the input port for replay). */
    public Builder toBuilder() {
        return new Builder().ramSize(ramSize).icountShift(icountShift).harts(harts).disk(disk).uartOut(uartOut)
                .inputPort(inputPort).pflash(pflash).rtc(rtc);
    }

    public static final class Builder {
        private long ramSize = DEFAULT_RAM;
        private int icountShift;
        private int harts = 1;
        private BlockDevice disk;
        private OutputStream uartOut;
        private InputPort inputPort;
        private FlashImage[] pflash = new FlashImage[PFLASH_BANKS];
        private RtcConfig rtc = RtcConfig.DEFAULT;

        public Builder ramSize(long bytes) {
            this.ramSize = bytes;
            return this;
        }

        public Builder icountShift(int shift) {
            this.icountShift = shift;
            return this;
        }

        /** Harts, 1..{@value MachineConfig#MAX_HARTS} (checked by {@link #build()}). */
        public Builder harts(int n) {
            this.harts = n;
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

        /**
         * The flash banks' starting contents in unit order, like QEMU's {@code -pflash FILE} given
         * once per bank; null entries (or missing ones) are banks without a file.
         *
         * @throws IllegalArgumentException for more than {@value #PFLASH_BANKS} banks
         */
        public Builder pflash(FlashImage... banks) {
            if (banks.length > PFLASH_BANKS) {
                throw new IllegalArgumentException("the virt machine has " + PFLASH_BANKS + " flash banks, got "
                        + banks.length + " images");
            }
            this.pflash = java.util.Arrays.copyOf(banks, PFLASH_BANKS);
            return this;
        }

        /** The RTC's base and clock, QEMU's {@code -rtc} ({@link RtcConfig#DEFAULT} if not given). */
        public Builder rtc(RtcConfig rtc) {
            this.rtc = java.util.Objects.requireNonNull(rtc);
            return this;
        }

        /** @throws IllegalArgumentException for an impossible RAM size, shift or hart count */
        public MachineConfig build() {
            return new MachineConfig(this);
        }
    }
}
