package dev.rewind.emulator;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Core-local interruptor (SiFive CLINT / RISC-V ACLINT MTIMER+MSWI layout), hart 0.
 *
 * <pre>
 * 0x0000  msip       bit 0 drives MIP.MSIP
 * 0x4000  mtimecmp   64-bit compare value
 * 0xbff8  mtime      64-bit, 10 MHz, derived from virtual time: ns / 100 + delta
 * </pre>
 * The timer follows QEMU 7.2's riscv_aclint_mtimer: writing mtimecmp at or below mtime raises
 * MTIP at once; otherwise MTIP drops and fires when virtual time reaches
 * now + (mtimecmp - mtime) * 100 ns, the deadline QEMU arms, so interrupts land on the same
 * instruction as under QEMU.
 */
final class Clint extends MmioDevice {

    static final long BASE = 0x0200_0000L, SIZE = 0x1_0000L;
    static final long FREQUENCY = 10_000_000L;
    static final long NS_PER_TICK = 1_000_000_000L / FREQUENCY;

    private final CsrFile hart;
    private final VirtualClock clock;
    private long msip;
    private long mtimecmp;
    private long timeDelta;
    /** Virtual ns at which MTIP rises, or Long.MAX_VALUE. */
    private long deadlineNs = Long.MAX_VALUE;

    Clint(CsrFile hart, VirtualClock clock) {
        super("clint", BASE, SIZE);
        this.hart = hart;
        this.clock = clock;
    }

    /** QEMU raises MTIP at reset because mtimecmp (0) is not above mtime (0). */
    void reset() {
        msip = 0;
        mtimecmp = 0;
        timeDelta = 0;
        deadlineNs = Long.MAX_VALUE;
        hart.setLine(CsrFile.MIP_MSIP, false);
        hart.setLine(CsrFile.MIP_MTIP, true);
    }

    long deadlineNs() {
        return deadlineNs;
    }

    /** Between instructions: fire the timer if its deadline has passed. */
    void tick(long nowNs) {
        if (nowNs >= deadlineNs) {
            deadlineNs = Long.MAX_VALUE;
            hart.setLine(CsrFile.MIP_MTIP, true);
        }
    }

    private long mtime(long ns) {
        return ns / NS_PER_TICK + timeDelta;
    }

    @Override
    public long read(long off, int size) {
        long v, reg;
        if (off < 4) {
            v = msip;
            reg = 0;
        } else if (off >= 0x4000 && off < 0x4008) {
            v = mtimecmp;
            reg = 0x4000;
        } else if (off >= 0xbff8 && off < 0xc000) {
            v = mtime(clock.ioNowNs());
            reg = 0xbff8;
        } else {
            return 0;
        }
        v >>>= (off - reg) * 8;
        return size == 8 ? v : v & ((1L << (size * 8)) - 1);
    }

    @Override
    long peek(long off, int size) {
        if (off >= 0xbff8 && off < 0xc000) {
            // between instructions (a debugger's view), not as the executing instruction sees it
            long v = mtime(clock.nowNs()) >>> (off - 0xbff8) * 8;
            return size == 8 ? v : v & ((1L << (size * 8)) - 1);
        }
        return read(off, size);
    }

    @Override
    public void write(long off, int size, long value) {
        if (off < 4) {
            msip = value & 1;
            hart.setLine(CsrFile.MIP_MSIP, msip != 0);
        } else if (off >= 0x4000 && off < 0x4008) {
            mtimecmp = merge(mtimecmp, off - 0x4000, size, value);
            armTimer();
        } else if (off >= 0xbff8 && off < 0xc000) {
            long now = clock.ioNowNs();
            long want = merge(mtime(now), off - 0xbff8, size, value);
            timeDelta = want - now / NS_PER_TICK;
            armTimer();
        }
    }

    private static long merge(long old, long off, int size, long value) {
        if (size == 8) {
            return value;
        }
        int shift = (int) off * 8;
        long mask = ((1L << (size * 8)) - 1) << shift;
        return (old & ~mask) | ((value << shift) & mask);
    }

    private void armTimer() {
        long now = clock.ioNowNs();
        long rtc = mtime(now);
        if (Long.compareUnsigned(mtimecmp, rtc) <= 0) {
            hart.setLine(CsrFile.MIP_MTIP, true);
            deadlineNs = Long.MAX_VALUE;
            return;
        }
        hart.setLine(CsrFile.MIP_MTIP, false);
        long diff = mtimecmp - rtc;
        long nsDiff = Long.compareUnsigned(diff, Long.MAX_VALUE / NS_PER_TICK) > 0 ? Long.MAX_VALUE : diff * NS_PER_TICK;
        deadlineNs = nsDiff > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nsDiff;
    }

    @Override
    public void save(DataOutputStream out) throws IOException {
        out.writeLong(msip);
        out.writeLong(mtimecmp);
        out.writeLong(timeDelta);
        out.writeLong(deadlineNs);
    }

    @Override
    public void load(DataInputStream in) throws IOException {
        msip = in.readLong();
        mtimecmp = in.readLong();
        timeDelta = in.readLong();
        deadlineNs = in.readLong();
    }
}
