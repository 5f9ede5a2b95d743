package dev.rewind.emulator;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Goldfish RTC at 0x10_1000 as on QEMU virt (PLIC source 11). Time is the host's wall clock,
 * read only through {@link InputPort#hostClockNs}, so a recorder logs every value the guest sees.
 *
 * <pre>
 * 0x00 TIME_LOW    read: low 32 bits of ns since the epoch (latches TIME_HIGH); write: set low
 * 0x04 TIME_HIGH   read: latched high 32 bits; write: high part for the next TIME_LOW write
 * 0x08 ALARM_LOW   0x0c ALARM_HIGH   0x10 IRQ_ENABLED   0x14 CLEAR_ALARM
 * 0x18 ALARM_STATUS  0x1c CLEAR_INTERRUPT
 * </pre>
 * Alarms are stored and read back but never fire (a host-time alarm would need its own logged
 * event; no guest here uses one).
 */
final class GoldfishRtc extends MmioDevice {

    static final long BASE = 0x10_1000L, SIZE = 0x1000L;
    static final int IRQ = 11;

    interface HostClock {
        long nowNs();
    }

    private final HostClock clock;
    private long offsetNs;
    private long latchedHigh;
    private long writeHigh;
    private long alarm;
    private int irqEnabled;

    GoldfishRtc(HostClock clock) {
        super("rtc", BASE, SIZE);
        this.clock = clock;
    }

    @Override
    public long read(long off, int size) {
        switch ((int) off) {
            case 0x00 -> {
                long t = clock.nowNs() + offsetNs;
                latchedHigh = t >>> 32;
                return t & 0xffffffffL;
            }
            case 0x04 -> {
                return latchedHigh;
            }
            case 0x08 -> {
                return alarm & 0xffffffffL;
            }
            case 0x0c -> {
                return alarm >>> 32;
            }
            case 0x10 -> {
                return irqEnabled;
            }
            default -> {
                return 0;
            }
        }
    }

    /** TIME_LOW needs the host clock, an input the port would log or consume: it peeks as 0. */
    @Override
    long peek(long off, int size) {
        return off == 0x00 ? 0 : read(off, size);
    }

    @Override
    public void write(long off, int size, long value) {
        long v = value & 0xffffffffL;
        switch ((int) off) {
            case 0x00 -> offsetNs = ((writeHigh << 32) | v) - clock.nowNs();
            case 0x04 -> writeHigh = v;
            case 0x08 -> alarm = (alarm & ~0xffffffffL) | v;
            case 0x0c -> alarm = (alarm & 0xffffffffL) | (v << 32);
            case 0x10 -> irqEnabled = (int) v & 1;
            default -> { }
        }
    }

    @Override
    public void save(DataOutputStream out) throws IOException {
        out.writeLong(offsetNs);
        out.writeLong(latchedHigh);
        out.writeLong(writeHigh);
        out.writeLong(alarm);
        out.writeInt(irqEnabled);
    }

    @Override
    public void load(DataInputStream in) throws IOException {
        offsetNs = in.readLong();
        latchedHigh = in.readLong();
        writeHigh = in.readLong();
        alarm = in.readLong();
        irqEnabled = in.readInt();
    }
}
