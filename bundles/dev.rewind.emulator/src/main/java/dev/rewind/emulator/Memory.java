package dev.rewind.emulator;

import java.util.Arrays;

/**
 * A byte-array backed physical memory range (RAM, or the read-only boot ROM) with one flag
 * byte per 4 KiB page ({@link #DIRTY}, {@link #CODE}, {@link #SPECIAL}) and the pre-decoded
 * instruction cache of its pages. The hart's store fast path only runs when a page's flags are
 * exactly DIRTY, so marking dirty pages, invalidating decoded code, catching HTIF writes and
 * logging writes for a query index ({@link #LOGGED}) all cost nothing on ordinary stores.
 */
final class Memory {

    static final byte DIRTY = 1, CODE = 2, SPECIAL = 4;
    /** Every change of the page's bytes is reported to {@link #writes} first (see {@link RamWriteObserver}). */
    static final byte LOGGED = 8;
    static final int PAGE = 4096;

    final long base;
    final int size;
    final byte[] data;
    final byte[] flags;
    final boolean writable;
    private final DecodedPage[] decoded;
    /**
     * The pages whose DIRTY flag is set, in the order they were first written: a capture and a
     * restore visit these, not every page of a large RAM. A page is listed exactly while its flag is set.
     */
    private final int[] dirtyList;
    private int dirtyCount;
    /**
     * Pages that may hold non-zero bytes (one bit each): every page a store, DMA, debugger write,
     * loader or restore has reached; a superset, since RAM starts zero. A full capture, a full
     * restore and the final-state digest visit these instead of all of RAM (a tiny program on the
     * default 128 MiB: a few pages instead of 32,768). The hart's fast store path needs DIRTY,
     * which only {@link #beforeStore} sets, so every page it writes passed through here first.
     */
    private final long[] used;
    /** Sees changes of LOGGED pages; null unless a query index is being built. */
    RamWriteObserver writes;

    Memory(long base, int size, boolean writable) {
        this.base = base;
        this.size = size;
        this.data = new byte[size];
        this.flags = new byte[size / PAGE];
        this.writable = writable;
        this.decoded = new DecodedPage[size / PAGE];
        this.dirtyList = new int[size / PAGE];
        this.used = new long[(size / PAGE + 63) >>> 6];
    }

    boolean contains(long paddr) {
        long o = paddr - base;
        return o >= 0 && o < size;
    }

    /** The decode cache of the page holding RAM offset {@code offset}; marks the page as code. */
    DecodedPage decodedPage(int offset) {
        int pg = offset >>> 12;
        DecodedPage p = decoded[pg];
        if (p == null) {
            p = new DecodedPage(pg << 12);
            decoded[pg] = p;
            flags[pg] |= CODE;
        }
        return p;
    }

    /**
     * Called before a slow-path store of {@code len} bytes at {@code offset}: marks pages dirty
     * and forgets decoded instructions the store may overlap. Returns true if a SPECIAL page was hit.
     * Not a hart's store instruction: a device's DMA, a page-table A/D update, HTIF, a debugger.
     */
    boolean beforeStore(int offset, int len) {
        return beforeStore(offset, len, false);
    }

    /** {@link #beforeStore(int, int)} for a hart's store, AMO or SC instruction. */
    boolean beforeHartStore(int offset, int len) {
        return beforeStore(offset, len, true);
    }

    private boolean beforeStore(int offset, int len, boolean hartStore) {
        boolean special = false;
        boolean logged = false;
        int first = offset >>> 12;
        int last = (offset + len - 1) >>> 12;
        for (int pg = first; pg <= last; pg++) {
            byte f = flags[pg];
            if ((f & CODE) != 0) {
                int from = Math.max(pg << 12, offset - 2);
                int to = Math.min((pg << 12) + PAGE - 1, offset + len - 1);
                decoded[pg].invalidate((from & 0xfff) >>> 1, (to & 0xfff) >>> 1);
            }
            special |= (f & SPECIAL) != 0;
            if ((f & DIRTY) == 0) {
                dirtyList[dirtyCount++] = pg;
            }
            logged |= (f & LOGGED) != 0;
            flags[pg] = (byte) (f | DIRTY);
            used[pg >>> 6] |= 1L << pg;
        }
        if (logged && writes != null) {
            writes.writing(data, offset, len, hartStore); // the old bytes are still there
        }
        // An instruction crossing from the previous page is never cached, so nothing to do there.
        return special;
    }

    /** Starts or stops reporting changes of page {@code pg} (RAM offset / 4096). */
    void log(int pg, boolean on) {
        flags[pg] = (byte) (on ? flags[pg] | LOGGED : flags[pg] & ~LOGGED);
    }

    void markSpecial(int offset) {
        flags[offset >>> 12] |= SPECIAL;
    }

    /** Drops every decoded page (after a state restore or a breakpoint change). */
    void forgetDecoded() {
        for (int pg = 0; pg < decoded.length; pg++) {
            if (decoded[pg] != null) {
                decoded[pg].invalidate(0, DecodedPage.SLOTS - 1);
            }
        }
    }

    /** Drops the decoded instructions of one page (its bytes were replaced). */
    void forgetDecoded(int pg) {
        if (decoded[pg] != null) {
            decoded[pg].invalidate(0, DecodedPage.SLOTS - 1);
        }
    }

    void clearDirty() {
        for (int i = 0; i < dirtyCount; i++) {
            flags[dirtyList[i]] &= ~DIRTY;
        }
        dirtyCount = 0;
    }

    /** How many pages are dirty. */
    int dirtyCount() {
        return dirtyCount;
    }

    /** The {@code i}th dirty page (0 &lt;= i &lt; {@link #dirtyCount()}), in first-write order. */
    int dirtyPage(int i) {
        return dirtyList[i];
    }

    boolean isDirty(int page) {
        return (flags[page] & DIRTY) != 0;
    }

    void fill(byte v) {
        Arrays.fill(data, v);
        if (v != 0) {
            markUsed(0, size);
        }
    }

    /** Notes that {@code len} bytes at {@code offset} may now be non-zero (written without {@link #beforeStore}). */
    void markUsed(int offset, int len) {
        if (len <= 0) {
            return;
        }
        for (int pg = offset >>> 12, last = (offset + len - 1) >>> 12; pg <= last; pg++) {
            used[pg >>> 6] |= 1L << pg;
        }
    }

    /** The first page at or after {@code pg} that may hold non-zero bytes, or -1. */
    int nextUsed(int pg) {
        int w = pg >>> 6;
        if (w >= used.length) {
            return -1;
        }
        long bits = used[w] & (-1L << pg);
        while (bits == 0) {
            if (++w == used.length) {
                return -1;
            }
            bits = used[w];
        }
        return (w << 6) + Long.numberOfTrailingZeros(bits);
    }

    /** Zeroes every page that may hold non-zero bytes; afterwards none is marked. */
    void clearUsed() {
        for (int pg = nextUsed(0); pg >= 0; pg = nextUsed(pg + 1)) {
            Arrays.fill(data, pg * PAGE, (pg + 1) * PAGE, (byte) 0);
        }
        Arrays.fill(used, 0L);
    }
}
