package dev.rewind.emulator;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Goldfish RTC at 0x10_1000 as on QEMU virt (PLIC source 11). What it counts and from where is
 * {@link RtcConfig} (QEMU's {@code -rtc}): the value is a source plus an offset, the source being
 * the host's wall clock (read only through {@link InputPort#hostClockNs}, so a recorder logs every
 * value the guest sees) or virtual time (a pure function of icount).
 *
 * <pre>
 * 0x00 TIME_LOW    read: low 32 bits of ns since the epoch (latches TIME_HIGH); write: the running
 *                  count's low half becomes the value (QEMU's deposit; the high half is kept)
 * 0x04 TIME_HIGH   read: latched high 32 bits; write: the running count's high half becomes the value
 * 0x08 ALARM_LOW   0x0c ALARM_HIGH   0x10 IRQ_ENABLED   0x14 CLEAR_ALARM
 * 0x18 ALARM_STATUS  0x1c CLEAR_INTERRUPT
 * </pre>
 * Alarms are stored and read back but never fire (a host-time alarm would need its own logged
 * event; no guest here uses one).
 */
final class GoldfishRtc extends MmioDevice {

    static final long BASE = 0x10_1000L, SIZE = 0x1000L;
    static final int IRQ = 11;
    /** The offset before a base that needs the host's time (utc, localtime) has been read. */
    static final long UNSET = Long.MIN_VALUE;

    interface HostClock {
        long nowNs();
    }

    private final RtcConfig config;
    private final HostClock host;
    private final VirtualClock clock;
    /** value = source + offsetNs ({@link #UNSET} until a base that needs the host's time is read). */
    private long offsetNs;
    private long latchedHigh;
    /** Unused since writes deposit into the count as QEMU's do; kept so saved states keep their layout. */
    private long writeHigh;
    private long alarm;
    private int irqEnabled;

    GoldfishRtc(RtcConfig config, HostClock host, VirtualClock clock) {
        super("rtc", BASE, SIZE);
        this.config = config;
        this.host = host;
        this.clock = clock;
        // The default (host time, utc) needs no start; a DATETIME base on virtual time is known now.
        this.offsetNs = config.isDefault() ? 0
                : config.clock() == RtcConfig.Clock.VM && config.base() == RtcConfig.Base.DATETIME ? config.startNs(0, 0)
                : UNSET;
    }

    /** The RTC's value in ns since the epoch, as the accessing instruction sees it. */
    private long count() {
        if (config.clock() == RtcConfig.Clock.VM) {
            long v = clock.ioNowNs();
            if (offsetNs == UNSET) {
                offsetNs = config.startNs(host.nowNs(), v);
            }
            return v + offsetNs;
        }
        long h = host.nowNs();
        if (offsetNs == UNSET) {
            long v = clock.ioNowNs();
            offsetNs = config.startNs(h, v) + v - h;
        }
        return h + offsetNs;
    }

    @Override
    public long read(long off, int size) {
        switch ((int) off) {
            case 0x00 -> {
                long t = count();
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

    /**
     * TIME_LOW on the host's clock needs an input the port would log or consume: it peeks as 0; on
     * virtual time it peeks as the value between instructions, without latching TIME_HIGH.
     */
    @Override
    long peek(long off, int size) {
        if (off != 0x00) {
            return read(off, size);
        }
        return config.clock() == RtcConfig.Clock.VM && offsetNs != UNSET ? (clock.nowNs() + offsetNs) & 0xffffffffL : 0;
    }

    @Override
    public void write(long off, int size, long value) {
        long v = value & 0xffffffffL;
        switch ((int) off) {
            case 0x00 -> {
                long now = count();
                offsetNs += ((now & ~0xffffffffL) | v) - now;
            }
            case 0x04 -> {
                long now = count();
                offsetNs += ((v << 32) | (now & 0xffffffffL)) - now;
            }
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
