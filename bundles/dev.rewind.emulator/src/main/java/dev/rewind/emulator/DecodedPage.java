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

    void invalidate(int fromSlot, int toSlot) {
        Arrays.fill(slots, fromSlot, Math.min(toSlot, SLOTS - 1) + 1, 0L);
    }
}
