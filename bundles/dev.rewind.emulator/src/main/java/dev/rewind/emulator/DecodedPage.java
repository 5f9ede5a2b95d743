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
        }
    }

    void invalidate(int fromSlot, int toSlot) {
        int to = Math.min(toSlot, SLOTS - 1);
        Arrays.fill(slots, fromSlot, to + 1, 0L);
        if (blocks != null) {
            // Drop every block whose instructions overlap the changed slots, and let new code warm
            // up again before it is translated (a loader overwriting old code runs most of it once).
            Arrays.fill(heat, fromSlot, to + 1, (short) 0);
            for (int s = Math.max(0, fromSlot - BlockTranslator.MAX_SPAN + 1); s <= to; s++) {
                Block b = blocks[s];
                if (b != null && s + b.span > fromSlot) {
                    blocks[s] = null;
                    heat[s] = 0;
                }
            }
        }
    }
}
