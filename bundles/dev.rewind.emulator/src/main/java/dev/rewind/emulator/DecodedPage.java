package dev.rewind.emulator;

import java.util.Arrays;

/**
 * Pre-decoded instructions of one 4 KiB physical page, one slot per halfword: a slot word
 * ({@link Op#word}) and an immediate. Slot word 0 means "not decoded yet"; invalidation zeroes
 * slots in place so a running block sees the change at its next instruction.
 */
final class DecodedPage {
    static final int SLOTS = 2048;

    final int[] ops = new int[SLOTS];
    final int[] imms = new int[SLOTS];
    /** Offset of the page inside its {@link Memory}. */
    final int memOffset;

    DecodedPage(int memOffset) {
        this.memOffset = memOffset;
    }

    void invalidate(int fromSlot, int toSlot) {
        Arrays.fill(ops, fromSlot, toSlot + 1, 0);
    }
}
