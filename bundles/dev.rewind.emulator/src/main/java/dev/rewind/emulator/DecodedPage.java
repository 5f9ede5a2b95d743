package dev.rewind.emulator;

import java.util.Arrays;

/**
 * Pre-decoded instructions of one 4 KiB physical page, one slot per halfword, each a long:
 * the slot word ({@link Op#word}) in the low half, the immediate in the high half, so the hot
 * loop fetches both with one load. 0 means "not decoded yet"; invalidation zeroes slots in place
 * so a running block sees the change at its next instruction. An extra slot past the end holds
 * {@link Op#PAGE_END}, so falling off the page needs no per-instruction bounds test.
 */
final class DecodedPage {
    static final int SLOTS = 2048;

    final long[] slots = new long[SLOTS + 1];
    /** Offset of the page inside its {@link Memory}. */
    final int memOffset;
    /** Translated blocks by first slot ({@link Block#NONE}: none can start there); null until the page runs. */
    Block[] blocks;
    /** Entries per slot while it has no block; it is translated when this reaches {@link Hart#hot}. */
    short[] heat;
    /** Per JALR slot: 1 + the slot of this page it last jumped to in the interpreter, 0 if none yet (region formation follows it). */
    short[] jalrTo;
    /** Per load slot: it read a pure device register in the interpreter (its block then translates the device read). */
    boolean[] deviceLoads;
    /** The furthest any block of this page reaches below and above its entry slot (for invalidation). */
    private int reachBelow, reachAbove = 1;

    DecodedPage(int memOffset) {
        this.memOffset = memOffset;
        slots[SLOTS] = Op.PAGE_END;
    }

    static long pack(int word, int imm) {
        return (word & 0xffffffffL) | ((long) imm << 32);
    }

    static int word(long slot) {
        return (int) slot;
    }

    static int imm(long slot) {
        return (int) (slot >> 32);
    }

    void startBlocks() {
        if (blocks == null) {
            blocks = new Block[SLOTS];
            heat = new short[SLOTS];
            jalrTo = new short[SLOTS];
            deviceLoads = new boolean[SLOTS];
        }
    }

    /** Notes how far a block entered in this page reaches. */
    void covers(Block b) {
        reachBelow = Math.max(reachBelow, -b.firstSlot);
        reachAbove = Math.max(reachAbove, b.span);
    }

    void invalidate(int fromSlot, int toSlot) {
        int to = Math.min(toSlot, SLOTS - 1);
        Arrays.fill(slots, fromSlot, to + 1, 0L);
        if (blocks != null) {
            // Drop every block whose instructions overlap the changed slots, and let new code warm
            // up again before it is translated (a loader overwriting old code runs most of it once).
            Arrays.fill(heat, fromSlot, to + 1, (short) 0);
            int last = Math.min(SLOTS - 1, to + reachBelow);
            for (int s = Math.max(0, fromSlot - reachAbove + 1); s <= last; s++) {
                Block b = blocks[s];
                if (b != null && s + b.span > fromSlot && s + b.firstSlot <= to) {
                    blocks[s] = null;
                    heat[s] = 0;
                    Block.unlink();
                }
            }
        }
    }
}
