package dev.rewind.emulator;

/**
 * A watchpoint that fired: the address and size of the access (guest virtual, or physical for a
 * {@link #PHYSICAL} watchpoint), whether it was a write, the icount after the accessing
 * instruction retired, that instruction's pc, and the address space of the watchpoint that fired.
 */
public record WatchHit(long address, int size, boolean write, long icount, long pc, long space) {

    /** A watchpoint on virtual addresses in every address space (bare-metal, or all processes). */
    public static final long ANY_SPACE = -1;
    /** A watchpoint on physical addresses: RAM written through any mapping, device registers. */
    public static final long PHYSICAL = -2;

    /** A hit of a watchpoint on virtual addresses in any address space. */
    public WatchHit(long address, int size, boolean write, long icount, long pc) {
        this(address, size, write, icount, pc, ANY_SPACE);
    }

    public boolean physical() {
        return space == PHYSICAL;
    }
}
