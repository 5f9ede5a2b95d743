package dev.rewind.emulator;

/**
 * Guest time derived from the instruction count: ns = (icount &lt;&lt; shift) + bias. The bias only
 * grows by idle warps the {@link InputPort} grants, so time is a pure function of icount and
 * logged inputs. During an instruction that touches a device, QEMU counts that instruction as
 * already executed; {@link #ioNowNs()} reproduces that so timer reads match QEMU exactly.
 */
public final class VirtualClock {

    /** The running hart: its icount is the machine's global position. */
    private Hart hart;
    private final int shift;
    private long biasNs;

    VirtualClock(Hart hart, int shift) {
        this.hart = hart;
        this.shift = shift;
    }

    /** Time now follows {@code h}'s count (its turn began: see {@link HartScheduler}). */
    void follow(Hart h) {
        this.hart = h;
    }

    public int shift() {
        return shift;
    }

    public long biasNs() {
        return biasNs;
    }

    void setBiasNs(long bias) {
        this.biasNs = bias;
    }

    void warp(long ns) {
        biasNs += ns;
    }

    /** Virtual time between instructions. */
    public long nowNs() {
        return (hart.icount << shift) + biasNs;
    }

    /** Virtual time as seen by the instruction being executed (it counts as retired). */
    long ioNowNs() {
        return ((hart.icount + 1) << shift) + biasNs;
    }

    /** The first icount at which virtual time reaches {@code ns} (Long.MAX_VALUE if never). */
    long icountAt(long ns) {
        if (ns == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long d = ns - biasNs;
        if (d <= 0) {
            return 0;
        }
        return (d + (1L << shift) - 1) >>> shift;
    }
}
