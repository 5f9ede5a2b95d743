package dev.rewind.replay.query;

import java.util.Arrays;

/**
 * The logged changes of RAM that touch one range over a stretch of positions, in the order they
 * happened: each one's position, pc, privilege and hart (for a hart's store), RAM offset and
 * length, and the bytes it replaced and wrote. Read from the index's page blocks (a change that
 * crosses into the next page is in both blocks, once here).
 */
final class LoggedChanges {

    private final long[] icount;
    private final long[] pc;
    private final long[] before;
    private final long[] after;
    private final int[] offset;
    private final int[] meta;
    private final int n;

    private LoggedChanges(long[] icount, long[] pc, long[] before, long[] after, int[] offset, int[] meta, int n) {
        this.icount = icount;
        this.pc = pc;
        this.before = before;
        this.after = after;
        this.offset = offset;
        this.meta = meta;
        this.n = n;
    }

    /** One page's logged changes, as its block holds them (seq: the change's number in the whole log). */
    record Page(int[] written, int[] uncovered, long[] uncoveredLines, int[] seq, long[] icount, long[] pc, long[] before,
            long[] after, int[] offset, int[] meta, int[] imageInterval, long[] imageLines, byte[] imageBytes) {

        static final Page EMPTY = new Page(new int[0], new int[0], new long[0], new int[0], new long[0], new long[0],
                new long[0], new long[0], new int[0], new int[0], new int[0], new long[0], new byte[0]);

        /**
         * Line {@code line}'s 64 bytes when it was next logged again after interval {@code u}:
         * the first image taken at the start of an interval after {@code u}, as {interval, offset
         * in imageBytes}, or null.
         */
        int[] imageAfter(int u, int line) {
            int at = 0;
            for (int i = 0; i < imageInterval.length; i++) {
                int n = Long.bitCount(imageLines[i]);
                if (imageInterval[i] > u && (imageLines[i] & 1L << line) != 0) {
                    return new int[] {imageInterval[i], at + Long.bitCount(imageLines[i] & ((1L << line) - 1)) * WriteLog.LINE};
                }
                at += n * WriteLog.LINE;
            }
            return null;
        }

        /** First change at a position >= {@code at}. */
        int lowerBound(long at) {
            int lo = 0;
            int hi = icount.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (icount[mid] < at) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }

    /**
     * The changes of {@code pages} (those of the range, in page order: at most two for a range of
     * up to 8 bytes) touching RAM offsets [off, off+len) at positions in [from, to), in order.
     */
    static LoggedChanges of(Page[] pages, long off, int len, long from, long to) {
        int total = 0;
        int[] lo = new int[pages.length];
        int[] hi = new int[pages.length];
        for (int i = 0; i < pages.length; i++) {
            lo[i] = pages[i].lowerBound(from);
            hi[i] = pages[i].lowerBound(to);
            total += hi[i] - lo[i];
        }
        LoggedChanges c = new LoggedChanges(new long[total], new long[total], new long[total], new long[total],
                new int[total], new int[total], 0);
        int n = 0;
        int lastSeq = -1;
        int[] at = lo.clone();
        while (true) {
            int best = -1;
            for (int i = 0; i < pages.length; i++) {
                if (at[i] < hi[i] && (best < 0 || pages[i].seq()[at[i]] < pages[best].seq()[at[best]])) {
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            Page p = pages[best];
            int j = at[best]++;
            int seq = p.seq()[j];
            int length = p.meta()[j] & 15;
            if (seq == lastSeq || p.offset()[j] >= off + len || off >= p.offset()[j] + length) {
                continue;
            }
            lastSeq = seq;
            c.icount[n] = p.icount()[j];
            c.pc[n] = p.pc()[j];
            c.before[n] = p.before()[j];
            c.after[n] = p.after()[j];
            c.offset[n] = p.offset()[j];
            c.meta[n] = p.meta()[j];
            n++;
        }
        return new LoggedChanges(c.icount, c.pc, c.before, c.after, c.offset, c.meta, n);
    }

    int size() {
        return n;
    }

    long icount(int i) {
        return icount[i];
    }

    long pc(int i) {
        return pc[i];
    }

    int hart(int i) {
        return meta[i] >>> 8 & 0xff;
    }

    int privilege(int i) {
        return meta[i] >>> 5 & 3;
    }

    boolean hartStore(int i) {
        return (meta[i] & 16) != 0;
    }

    int offset(int i) {
        return offset[i];
    }

    int length(int i) {
        return meta[i] & 15;
    }

    /** The bytes change {@code i} replaced and wrote, little-endian in the low {@link #length} bytes. */
    long before(int i) {
        return before[i];
    }

    long after(int i) {
        return after[i];
    }

    /** True if a hart's store in [s, e) is among the changes. */
    boolean storesIn(long s, long e) {
        for (int i = 0; i < n; i++) {
            if (hartStore(i) && icount[i] >= s && icount[i] < e) {
                return true;
            }
        }
        return false;
    }

    /** Undoes change {@code i} in {@code range} (see {@link #apply}): its bytes in the range take their old value. */
    void undo(int i, long rangeOff, byte[] range) {
        put(before[i], i, rangeOff, range);
    }

    /**
     * Applies change {@code i} to {@code range}, the bytes of RAM offsets [rangeOff,
     * rangeOff+range.length): the bytes it wrote that fall in the range take their new value.
     */
    void apply(int i, long rangeOff, byte[] range) {
        put(after[i], i, rangeOff, range);
    }

    private void put(long v, int i, long rangeOff, byte[] range) {
        int len = meta[i] & 15;
        for (int b = 0; b < len; b++) {
            long at = offset[i] + b - rangeOff;
            if (at >= 0 && at < range.length) {
                range[(int) at] = (byte) (v >>> (8 * b));
            }
        }
    }

    @Override
    public String toString() {
        return n + " changes at " + Arrays.toString(Arrays.copyOf(icount, n));
    }
}
