package dev.rewind.emulator;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The RAM pages of a full {@link MachineState}, as an immutable two-level table (a root of
 * leaves of {@value #LEAF} page references, one leaf per 2 MiB) that successive states share:
 * laying a delta of k pages over a state copies the root and the leaves those pages fall in,
 * never the whole table, so a snapshot costs the pages written since the previous one, not the
 * pages in use. Two states of one timeline differ exactly where their references differ, and
 * whole shared leaves are skipped by one comparison. Zero pages are absent (null).
 */
final class PageTree {

    private static final int LEAF_BITS = 9;
    static final int LEAF = 1 << LEAF_BITS;
    /** Heap bytes of a leaf (array header + compressed references), for the snapshot memory account. */
    static final long LEAF_BYTES = 16 + 4L * LEAF;

    private final byte[][][] leaves;
    private final int pages;
    private final int present;

    private PageTree(byte[][][] leaves, int pages, int present) {
        this.leaves = leaves;
        this.pages = pages;
        this.present = present;
    }

    /** A table of {@code pages} pages holding {@code content} (page index to its 4 KiB; zero pages may be left out). */
    static PageTree of(NavigableMap<Long, byte[]> content, int pages) {
        return new PageTree(new byte[(pages + LEAF - 1) >>> LEAF_BITS][][], pages, 0).with(content);
    }

    /** This table with {@code changes} applied (an all-zero page removes its entry); this one is unchanged. */
    PageTree with(NavigableMap<Long, byte[]> changes) {
        byte[][][] root = leaves.clone();
        int count = present;
        int copied = -1; // changes come in ascending order: each leaf is copied once
        for (Map.Entry<Long, byte[]> e : changes.entrySet()) {
            long pg = e.getKey();
            if (pg < 0 || pg >= pages) {
                throw new IllegalArgumentException("page " + pg + " outside a RAM of " + pages + " pages");
            }
            int li = (int) (pg >>> LEAF_BITS);
            if (li != copied) {
                root[li] = root[li] == null ? new byte[LEAF][] : root[li].clone();
                copied = li;
            }
            byte[] page = MachineState.isZero(e.getValue()) ? null : e.getValue();
            byte[] old = root[li][(int) pg & (LEAF - 1)];
            count += (page != null ? 1 : 0) - (old != null ? 1 : 0);
            root[li][(int) pg & (LEAF - 1)] = page;
        }
        return new PageTree(root, pages, count);
    }

    /** The page at {@code pg}, or null if it is zero. */
    byte[] get(long pg) {
        byte[][] leaf = leaves[(int) (pg >>> LEAF_BITS)];
        return leaf == null ? null : leaf[(int) pg & (LEAF - 1)];
    }

    /** Non-zero pages. */
    int size() {
        return present;
    }

    void forEach(MachineState.PageVisitor v) {
        for (int li = 0; li < leaves.length; li++) {
            byte[][] leaf = leaves[li];
            if (leaf != null) {
                for (int j = 0; j < LEAF; j++) {
                    if (leaf[j] != null) {
                        v.page(((long) li << LEAF_BITS) + j, leaf[j]);
                    }
                }
            }
        }
    }

    NavigableMap<Long, byte[]> asMap() {
        TreeMap<Long, byte[]> out = new TreeMap<>();
        forEach(out::put);
        return out;
    }

    /** Sets in {@code out} every page whose reference differs between the two tables: shared leaves cost one comparison. */
    static void differing(PageTree a, PageTree b, java.util.BitSet out) {
        int n = Math.max(a.leaves.length, b.leaves.length);
        for (int li = 0; li < n; li++) {
            byte[][] la = li < a.leaves.length ? a.leaves[li] : null;
            byte[][] lb = li < b.leaves.length ? b.leaves[li] : null;
            if (la == lb) {
                continue;
            }
            for (int j = 0; j < LEAF; j++) {
                if ((la == null ? null : la[j]) != (lb == null ? null : lb[j])) {
                    out.set((li << LEAF_BITS) + j);
                }
            }
        }
    }

    /**
     * Heap bytes this table holds that {@code other} does not share: its root, its leaves that
     * are not {@code other}'s, and the pages in them that {@code other} does not reference at
     * the same index. With {@code other} null, everything.
     */
    long bytesNotIn(PageTree other) {
        long bytes = 16 + 4L * leaves.length;
        for (int li = 0; li < leaves.length; li++) {
            byte[][] leaf = leaves[li];
            byte[][] theirs = other != null && li < other.leaves.length ? other.leaves[li] : null;
            if (leaf == null || leaf == theirs) {
                continue;
            }
            bytes += LEAF_BYTES;
            for (int j = 0; j < LEAF; j++) {
                if (leaf[j] != null && (theirs == null || theirs[j] != leaf[j])) {
                    bytes += 16 + MachineState.PAGE_SIZE;
                }
            }
        }
        return bytes;
    }
}
