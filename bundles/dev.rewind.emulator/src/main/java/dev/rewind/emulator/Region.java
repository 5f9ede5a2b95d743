package dev.rewind.emulator;

import java.util.Arrays;

/**
 * The guest code one {@link Block} translates: instructions of one page reachable from the
 * entry, and how they are laid out for {@link BlockEmitter}.
 *
 * <p>Formation follows the code from the entry: straight on, into both sides of a branch, to a
 * JAL's target (a jump, or a call: then also the instruction after it, where the callee
 * returns), stopping at anything not translatable, at the page end, and after
 * {@link BlockTranslator#MAX_INSNS} instructions (the first found are kept). So a loop, an
 * if/else, a call to a function of the same page and its return stay in one JVM method; a
 * JALR whose target is a return point or a called function of the region jumps there too
 * (a return-address check per JALR, {@link #jalrTargets}). Everything else leaves the block.
 *
 * <p>The instructions are kept in address order with their byte offsets from the entry (which
 * may be negative: a call to a function earlier in the page). Content and offsets together
 * identify the code, so one block serves every page holding the same bytes at the same
 * distances from its entry.
 */
final class Region {
    /** Instruction slot words, in address order. */
    final long[] insns;
    /** Byte offset of each instruction from the entry. */
    final int[] offsets;
    /** Index of the entry instruction. */
    final int entry;
    /** Per instruction: the order in which formation found it (0: the entry). */
    private final int[] rank;
    /** Per instruction: a JALR of this page jumped to it while it was interpreted. */
    private final boolean[] jalrSeen;
    /** Lowest offset and the offset just past the highest instruction. */
    final int start, end;
    /** Instruction index by (offset - start) / 2, -1 between or outside instructions. */
    private final int[] indexAt;
    /** JALR targets worth a check: return points and called entries inside the region, at most {@link #MAX_JALR_TARGETS}. */
    final int[] jalrTargets;

    static final int MAX_JALR_TARGETS = 8;

    private Region(long[] insns, int[] offsets, int entry, int[] rank, boolean[] jalrSeen) {
        this.insns = insns;
        this.offsets = offsets;
        this.entry = entry;
        this.rank = rank;
        this.jalrSeen = jalrSeen;
        int n = insns.length;
        this.start = offsets[0];
        this.end = offsets[n - 1] + BlockTranslator.length(insns[n - 1]);
        this.indexAt = new int[(end - start) / 2 + 1];
        Arrays.fill(indexAt, -1);
        for (int k = 0; k < n; k++) {
            indexAt[(offsets[k] - start) / 2] = k;
        }
        int[] t = new int[MAX_JALR_TARGETS];
        int m = 0;
        for (int k = 0; k < n && m < MAX_JALR_TARGETS; k++) {
            if (jalrSeen[k] || isReturnPoint(k) || isCalled(k)) {
                t[m++] = k;
            }
        }
        this.jalrTargets = Arrays.copyOf(t, m);
    }

    /** The region at {@code slot} of {@code page} (virtual pc {@code pc}), or null if its first instruction is not translatable. */
    static Region form(Hart h, DecodedPage page, int slot, long pc) {
        int max = BlockTranslator.MAX_INSNS;
        int[] found = new int[max];
        boolean[] seen = new boolean[DecodedPage.SLOTS];
        int[] work = new int[3 * max + 1];
        boolean[] jalrTarget = new boolean[DecodedPage.SLOTS];
        int todo = 0, n = 0;
        work[todo++] = slot;
        for (int w = 0; w < todo && n < max; w++) {
            int s = work[w];
            while (n < max && s < DecodedPage.SLOTS && !seen[s]) {
                long e = page.slots[s];
                if (e == 0) {
                    e = h.decodeSlot(page, s, pc + 2L * (s - slot));
                }
                if (!BlockTranslator.translatable(e)) {
                    break;
                }
                seen[s] = true;
                found[n++] = s;
                int op = DecodedPage.word(e) & 0xff;
                int next = s + (BlockTranslator.length(e) >>> 1);
                boolean links = ((DecodedPage.word(e) >>> Op.RD_SHIFT) & 63) != Op.X0_SINK;
                if (BlockEmitter.isBranch(op) || op == Op.JAL) {
                    long t = s + (DecodedPage.imm(e) >> 1);
                    if (t >= 0 && t < DecodedPage.SLOTS && todo < work.length) {
                        work[todo++] = (int) t;
                    }
                }
                if (op == Op.JALR && page.jalrTo != null && page.jalrTo[s] != 0 && todo < work.length) {
                    // Where this JALR went last while interpreted (a return, most often): likely again.
                    int t = page.jalrTo[s] - 1;
                    jalrTarget[t] = true;
                    work[todo++] = t;
                }
                if (op == Op.JAL || op == Op.JALR) {
                    if (links && todo < work.length) {
                        work[todo++] = next; // where the callee returns to
                    }
                    break;
                }
                s = next;
            }
        }
        if (n == 0) {
            return null;
        }
        int[] rankOf = new int[DecodedPage.SLOTS];
        for (int i = 0; i < n; i++) {
            rankOf[found[i]] = i;
        }
        int[] sorted = Arrays.copyOf(found, n);
        Arrays.sort(sorted);
        long[] insns = new long[n];
        int[] offsets = new int[n];
        int[] rank = new int[n];
        boolean[] targets = new boolean[n];
        int entry = 0;
        for (int k = 0; k < n; k++) {
            insns[k] = page.slots[sorted[k]];
            offsets[k] = 2 * (sorted[k] - slot);
            rank[k] = rankOf[sorted[k]];
            targets[k] = jalrTarget[sorted[k]];
            if (sorted[k] == slot) {
                entry = k;
            }
        }
        return new Region(insns, offsets, entry, rank, targets);
    }

    /** The same region cut to the n instructions found first (the entry, then what formation reached earliest), for a method that came out too large. */
    Region cut(int n) {
        if (n >= insns.length) {
            return this;
        }
        long[] ki = new long[n];
        int[] ko = new int[n];
        int[] kr = new int[n];
        boolean[] ks = new boolean[n];
        int m = 0, entryAt = 0;
        for (int k = 0; k < insns.length; k++) {
            if (rank[k] < n) {
                if (k == entry) {
                    entryAt = m;
                }
                ki[m] = insns[k];
                ko[m] = offsets[k];
                kr[m] = rank[k];
                ks[m++] = jalrSeen[k];
            }
        }
        return new Region(ki, ko, entryAt, kr, ks);
    }

    int size() {
        return insns.length;
    }

    static int op(long e) {
        return DecodedPage.word(e) & 0xff;
    }

    /** The index of the region's instruction at byte offset t from the entry, or -1 if t leaves the region. */
    int internal(long t) {
        return t >= start && t < end && (t & 1) == 0 ? indexAt[(int) (t - start) / 2] : -1;
    }

    /** Instruction k directly follows instruction k - 1 in memory. */
    boolean contiguous(int k) {
        return k > 0 && offsets[k - 1] + BlockTranslator.length(insns[k - 1]) == offsets[k];
    }

    /** Instruction k follows a JAL or JALR that links, so a return may jump to it. */
    boolean isReturnPoint(int k) {
        if (!contiguous(k)) {
            return false;
        }
        long e = insns[k - 1];
        int op = op(e);
        return (op == Op.JAL || op == Op.JALR) && ((DecodedPage.word(e) >>> Op.RD_SHIFT) & 63) != Op.X0_SINK;
    }

    /** A linking JAL of the region calls instruction k. */
    private boolean isCalled(int k) {
        for (int j = 0; j < insns.length; j++) {
            long e = insns[j];
            if (op(e) == Op.JAL && ((DecodedPage.word(e) >>> Op.RD_SHIFT) & 63) != Op.X0_SINK
                    && offsets[j] + (long) DecodedPage.imm(e) == offsets[k]) {
                return true;
            }
        }
        return false;
    }

    /** Instructions from k up to and including the next control transfer, or to the end of k's contiguous stretch. */
    int runLength(int k) {
        for (int j = k; j < insns.length; j++) {
            if (j > k && !contiguous(j)) {
                return j - k;
            }
            if (BlockEmitter.transfersControl(op(insns[j]))) {
                return j - k + 1;
            }
        }
        return insns.length - k;
    }

    /** Lowest and highest slot the region covers, relative to the entry slot (for invalidation). */
    int firstSlot() {
        return start / 2;
    }

    int slotsAfterEntry() {
        return end / 2;
    }

    /** The cache key: instruction words, their offsets, and which are known JALR targets. */
    long[] key() {
        long[] k = Arrays.copyOf(insns, 2 * insns.length + 1);
        for (int i = 0; i < offsets.length; i++) {
            k[insns.length + i] = 2L * offsets[i] + (jalrSeen[i] ? 1 : 0);
        }
        k[2 * insns.length] = entry;
        return k;
    }
}
