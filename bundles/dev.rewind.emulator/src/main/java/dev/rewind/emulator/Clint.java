package dev.rewind.emulator;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Core-local interruptor (SiFive CLINT / RISC-V ACLINT MTIMER+MSWI layout), one msip and one
 * mtimecmp per hart.
 *
 * <pre>
 * 0x0000 + 4*hart  msip       bit 0 drives that hart's MIP.MSIP
 * 0x4000 + 8*hart  mtimecmp   64-bit compare value of that hart
 * 0xbff8           mtime      64-bit, 10 MHz, derived from virtual time: ns / 100 + delta
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
    static final long MSIP = 0, MTIMECMP = 0x4000, MTIME = 0xbff8;

    private final CsrFile[] harts;
    private final VirtualClock clock;
    private final long[] msip;
    private final long[] mtimecmp;
    private long timeDelta;
    /** Virtual ns at which each hart's MTIP rises, or Long.MAX_VALUE. */
    private final long[] deadlineNs;

    Clint(CsrFile[] harts, VirtualClock clock) {
        super("clint", BASE, SIZE);
        this.harts = harts;
        this.clock = clock;
        this.msip = new long[harts.length];
        this.mtimecmp = new long[harts.length];
        this.deadlineNs = new long[harts.length];
    }

    /** QEMU raises MTIP at reset because mtimecmp (0) is not above mtime (0). */
    void reset() {
        timeDelta = 0;
        for (int i = 0; i < harts.length; i++) {
            msip[i] = 0;
            mtimecmp[i] = 0;
            deadlineNs[i] = Long.MAX_VALUE;
            harts[i].setLine(CsrFile.MIP_MSIP, false);
            harts[i].setLine(CsrFile.MIP_MTIP, true);
        }
    }

    /** The earliest virtual ns at which some hart's MTIP rises, or Long.MAX_VALUE. */
    long deadlineNs() {
        long d = deadlineNs[0];
        for (int i = 1; i < deadlineNs.length; i++) {
            d = Math.min(d, deadlineNs[i]);
        }
        return d;
    }

    /** Between instructions: fire the timers whose deadline has passed. */
    void tick(long nowNs) {
        for (int i = 0; i < deadlineNs.length; i++) {
            if (nowNs >= deadlineNs[i]) {
                deadlineNs[i] = Long.MAX_VALUE;
                harts[i].setLine(CsrFile.MIP_MTIP, true);
            }
        }
    }

    private long mtime(long ns) {
        return ns / NS_PER_TICK + timeDelta;
    }

    @Override
    public long read(long off, int size) {
        long v, reg;
        int n = harts.length;
        if (off < 4L * n) {
            v = msip[(int) (off >>> 2)];
            reg = off & ~3L;
        } else if (off >= MTIMECMP && off < MTIMECMP + 8L * n) {
            v = mtimecmp[(int) ((off - MTIMECMP) >>> 3)];
            reg = off & ~7L;
        } else if (off >= MTIME && off < MTIME + 8) {
            v = mtime(clock.ioNowNs());
            reg = MTIME;
        } else {
            return 0;
        }
        v >>>= (off - reg) * 8;
        return size == 8 ? v : v & ((1L << (size * 8)) - 1);
    }

    /** msip, mtimecmp and mtime read without side effects (mtime is a function of the icount). */
    @Override
    boolean readIsPure(long off) {
        return true;
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
        int n = harts.length;
        if (off < 4L * n) {
            int h = (int) (off >>> 2);
            msip[h] = value & 1;
            harts[h].setLine(CsrFile.MIP_MSIP, msip[h] != 0);
        } else if (off >= MTIMECMP && off < MTIMECMP + 8L * n) {
            int h = (int) ((off - MTIMECMP) >>> 3);
            mtimecmp[h] = merge(mtimecmp[h], off - MTIMECMP - 8L * h, size, value);
            armTimer(h);
        } else if (off >= MTIME && off < MTIME + 8) {
            long now = clock.ioNowNs();
            long want = merge(mtime(now), off - MTIME, size, value);
            timeDelta = want - now / NS_PER_TICK;
            for (int h = 0; h < n; h++) {
                armTimer(h);
            }
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

    private void armTimer(int h) {
        long now = clock.ioNowNs();
        long rtc = mtime(now);
        if (Long.compareUnsigned(mtimecmp[h], rtc) <= 0) {
            harts[h].setLine(CsrFile.MIP_MTIP, true);
            deadlineNs[h] = Long.MAX_VALUE;
            return;
        }
        harts[h].setLine(CsrFile.MIP_MTIP, false);
        long diff = mtimecmp[h] - rtc;
        long nsDiff = Long.compareUnsigned(diff, Long.MAX_VALUE / NS_PER_TICK) > 0 ? Long.MAX_VALUE : diff * NS_PER_TICK;
        deadlineNs[h] = nsDiff > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nsDiff;
    }

    /** Hart 0's registers and the time first (the one-hart layout), then those of harts 1.. */
    @Override
    public void save(DataOutputStream out) throws IOException {
        out.writeLong(msip[0]);
        out.writeLong(mtimecmp[0]);
        out.writeLong(timeDelta);
        out.writeLong(deadlineNs[0]);
        for (int h = 1; h < harts.length; h++) {
            out.writeLong(msip[h]);
            out.writeLong(mtimecmp[h]);
            out.writeLong(deadlineNs[h]);
        }
    }

    @Override
    public void load(DataInputStream in) throws IOException {
        msip[0] = in.readLong();
        mtimecmp[0] = in.readLong();
        timeDelta = in.readLong();
        deadlineNs[0] = in.readLong();
        for (int h = 1; h < harts.length; h++) {
            msip[h] = in.readLong();
            mtimecmp[h] = in.readLong();
            deadlineNs[h] = in.readLong();
        }
    }
}
