package dev.rewind.emulator;

/**
 * Sees every change of privilege: trap entries (exceptions and interrupts) and xRET; and every
 * write of satp. Called on the cold trap and CSR paths only, so installing one costs nothing per
 * instruction. Positions are
 * icounts at which the next instruction (the handler's first, or the one returned to) runs.
 */
public interface TrapObserver {

    /**
     * A trap was taken: {@code epc} is the interrupted or faulting pc, {@code cause} the
     * exception or interrupt number, {@code from}/{@code to} the privileges (0 U, 1 S, 3 M).
     */
    void trap(long icount, long epc, int cause, boolean interrupt, long tval, int from, int to, long handler);

    /** An MRET or SRET at {@code pc} returned from privilege {@code from} to {@code to} at {@code target}. */
    void trapReturn(long icount, long pc, int from, int to, long target);

    /**
     * A CSR instruction of the current hart wrote satp (a switch of address space, or of
     * translation on or off): from position {@code icount} on it holds {@code satp}.
     */
    default void satpWritten(long icount, long satp) {
    }
}
