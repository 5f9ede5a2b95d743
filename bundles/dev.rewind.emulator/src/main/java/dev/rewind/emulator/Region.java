package dev.rewind.emulator;

import java.util.Arrays;

/**
 * The guest code one {@link Block} translates: instructions of one page reachable from the
 * entry, and how they are laid out for {@link BlockEmitter}.
 *
 * <p>Formation follows the code in stretches: from the entry straight on, past a jump only
 * where a branch of the stretch jumps beyond it. That is all for a first translation; a block
 * that often leaves for another instruction of its page is translated again with chaining
 * ({@link Hart#CHAIN_AFTER}): then stretches also go past calls (the callee returns to the next
 * instruction), and each call's target (a function of the same page, also below the entry)
 * and the target a JALR last jumped to while interpreted ({@link DecodedPage#jalrTo}: most
 * often a return to a caller) start further stretches. It stops at anything not translatable,
 * at the page end, and after {@link BlockTranslator#MAX_INSNS} instructions (the first found
 * are kept). So a loop, an if/else, a call to a function of the same page and its return stay
 * in one JVM method; a JALR whose target is its last-seen target or (a return) a return point
 * of the region jumps there too (a target check per JALR, {@link #jalrTargets}).
 * Backward branches out of a stretch and everything else leave the block; formation does not
 * follow them, which keeps cold code (and compile time) out.
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
    /** Per JALR: the offset of the target it last jumped to in this page while interpreted, else {@link #NO_TARGET}. */
    private final int[] seenTarget;
    /** Per load: it read a device register (the interpreter saw it, {@link DecodedPage#deviceLoads}). */
    private final boolean[] deviceLoad;
    /** Lowest offset and the offset just past the highest instruction. */
    final int start, end;
    /** Instruction index by (offset - start) / 2, -1 between or outside instructions. */
    private final int[] indexAt;
    static final int MAX_JALR_TARGETS = 4, NO_TARGET = Integer.MIN_VALUE;

    private Region(long[] insns, int[] offsets, int entry, int[] rank, int[] seenTarget, boolean[] deviceLoad) {
        this.insns = insns;
        this.offsets = offsets;
        this.entry = entry;
        this.rank = rank;
        this.seenTarget = seenTarget;
        this.deviceLoad = deviceLoad;
        int n = insns.length;
        this.start = offsets[0];
        this.end = offsets[n - 1] + BlockTranslator.length(insns[n - 1]);
        this.indexAt = new int[(end - start) / 2 + 1];
        Arrays.fill(indexAt, -1);
        for (int k = 0; k < n; k++) {
            indexAt[(offsets[k] - start) / 2] = k;
        }
    }

    /** The region at {@code slot} of {@code page} (virtual pc {@code pc}), or null if its first instruction is not translatable. */
    static Region form(Hart h, DecodedPage page, int slot, long pc, boolean chain) {
        int max = BlockTranslator.MAX_INSNS;
        int[] found = new int[max];
        boolean[] seen = new boolean[DecodedPage.SLOTS];
        int[] work = new int[3 * max + 1];
        int todo = 0, n = 0;
        work[todo++] = slot;
        for (int w = 0; w < todo && n < max; w++) {
            // A stretch: straight on from the seed, past a jump only where a branch of the
            // stretch jumps beyond it, past calls (their return points follow).
            int s = work[w];
            long furthest = s;
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
                    if (op == Op.JAL && links) {
                        if (chain && t >= 0 && t < DecodedPage.SLOTS && todo < work.length) {
                            work[todo++] = (int) t; // the called function
                        }
                    } else {
                        furthest = Math.max(furthest, t);
                    }
                }
                if (chain && op == Op.JALR && page.jalrTo[s] != 0 && todo < work.length) {
                    // Where this JALR went last while interpreted (a return, most often): likely again.
                    work[todo++] = page.jalrTo[s] - 1;
                }
                s = next;
                if ((op == Op.JAL || op == Op.JALR) && (!links || !chain) && furthest < s) {
                    break;
                }
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
        int[] targets = new int[n];
        boolean[] devices = new boolean[n];
        int entry = 0;
        for (int k = 0; k < n; k++) {
            insns[k] = page.slots[sorted[k]];
            offsets[k] = 2 * (sorted[k] - slot);
            rank[k] = rankOf[sorted[k]];
            int op = op(insns[k]);
            targets[k] = op == Op.JALR && page.jalrTo[sorted[k]] != 0 ? 2 * (page.jalrTo[sorted[k]] - 1 - slot) : NO_TARGET;
            devices[k] = op >= Op.LB && op <= Op.LWU && page.deviceLoads[sorted[k]];
            if (sorted[k] == slot) {
                entry = k;
            }
        }
        return new Region(insns, offsets, entry, rank, targets, devices);
    }

    /** The same region cut to the n instructions found first (the entry, then what formation reached earliest), for a method that came out too large. */
    Region cut(int n) {
        if (n >= insns.length) {
            return this;
        }
        long[] ki = new long[n];
        int[] ko = new int[n];
        int[] kr = new int[n];
        int[] ks = new int[n];
        boolean[] kd = new boolean[n];
        int m = 0, entryAt = 0;
        for (int k = 0; k < insns.length; k++) {
            if (rank[k] < n) {
                if (k == entry) {
                    entryAt = m;
                }
                ki[m] = insns[k];
                ko[m] = offsets[k];
                kr[m] = rank[k];
                kd[m] = deviceLoad[k];
                ks[m++] = seenTarget[k];
            }
        }
        return new Region(ki, ko, entryAt, kr, ks, kd);
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

    /**
     * The instructions worth a target check for the JALR at k, at most {@link #MAX_JALR_TARGETS}:
     * where it last jumped while interpreted, and for a return (ra or t0, not linking) the
     * region's return points.
     */
    int[] jalrTargets(int k) {
        int[] t = new int[MAX_JALR_TARGETS];
        int m = 0;
        int seen = seenTarget[k] == NO_TARGET ? -1 : internal(seenTarget[k]);
        if (seen >= 0) {
            t[m++] = seen;
        }
        int w = DecodedPage.word(insns[k]);
        int rs1 = (w >>> Op.RS1_SHIFT) & 31;
        if (((w >>> Op.RD_SHIFT) & 63) == Op.X0_SINK && (rs1 == 1 || rs1 == 5)) {
            for (int j = 0; j < insns.length && m < MAX_JALR_TARGETS; j++) {
                if (j != seen && isReturnPoint(j)) {
                    t[m++] = j;
                }
            }
        }
        return Arrays.copyOf(t, m);
    }

    /** Load k may read a device register: translate its device path. */
    boolean deviceLoad(int k) {
        return deviceLoad[k];
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

    /** The cache key: instruction words, their offsets, last-seen JALR targets and device loads. */
    long[] key() {
        long[] k = Arrays.copyOf(insns, 2 * insns.length + 1);
        for (int i = 0; i < offsets.length; i++) {
            k[insns.length + i] = (long) offsets[i] << 33 ^ (long) seenTarget[i] << 1 ^ (deviceLoad[i] ? 1 : 0);
        }
        k[2 * insns.length] = entry;
        return k;
    }
}
