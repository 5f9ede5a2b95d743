package dev.rewind.emulator;

/**
 * Sees every change of the bytes of the RAM pages it asked for ({@link VirtMachine#logRamWrites}),
 * just before the change: a hart's store, AMO or successful SC, and also the changes no
 * instruction makes (a device's DMA, the page-table walker's A/D bits, HTIF, a debugger's write),
 * so that an observer that starts from a known content can follow the pages exactly. Stores to
 * logged pages leave the fast path (the page's flags are no longer exactly DIRTY), so an
 * observer logs the pages it can afford to and stops logging hot ones.
 *
 * <p>For a hart's store the machine's current hart is the writer and its pc and icount are
 * those of the storing instruction.
 */
public interface RamWriteObserver {

    /**
     * RAM offsets [offset, offset+length) are about to change. {@code ram} is the RAM itself, so
     * the old bytes are read without a copy; it must not be written.
     */
    void writing(byte[] ram, int offset, int length, boolean hartStore);
}
