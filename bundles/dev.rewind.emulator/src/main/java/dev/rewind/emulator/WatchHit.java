package dev.rewind.emulator;

/**
 * A watchpoint that fired: the guest virtual address and size of the access, whether it was a
 * write, the icount after the accessing instruction retired, and that instruction's pc.
 */
public record WatchHit(long address, int size, boolean write, long icount, long pc) {
}
