package dev.rewind.emulator;

/**
 * A QEMU {@code virt} machine with one RV64IMAC hart: RAM at 0x8000_0000, boot ROM at 0x1000,
 * UART, CLINT, PLIC, SiFive test finisher, virtio-mmio block, HTIF. Execution is a pure function
 * of the loaded program, the configuration and what the {@link InputPort} delivers.
 *
 * <p>Time: {@link #icount()} counts retired instructions; virtual ns = (icount &lt;&lt; shift) + bias,
 * where the bias only grows by idle warps granted by the input port.
 *
 * <p>Work in progress: the API below is the contract; the implementation lands with the hart.
 */
public final class VirtMachine {

    public VirtMachine(MachineConfig config) {
        throw new UnsupportedOperationException("VirtMachine is being implemented (issue 3)");
    }

    /** Loads the program and resets as QEMU virt does: boot ROM jumps to the ELF entry with a0=hartid, a1=FDT. */
    public void load(ElfImage elf) {
        throw new UnsupportedOperationException();
    }

    /**
     * Runs until icount reaches {@code icountLimit} (absolute), or a breakpoint, watchpoint,
     * guest exit or permanent idle stops it.
     */
    public StopReason run(long icountLimit) {
        throw new UnsupportedOperationException();
    }

    public long icount() {
        throw new UnsupportedOperationException();
    }

    /** Virtual time in ns: (icount &lt;&lt; shift) + bias. */
    public long virtualNs() {
        throw new UnsupportedOperationException();
    }

    public long pc() {
        throw new UnsupportedOperationException();
    }

    /** Integer register x{@code i} (x0 reads 0). */
    public long reg(int i) {
        throw new UnsupportedOperationException();
    }

    /** 0 = U, 1 = S, 3 = M. */
    public int privilege() {
        throw new UnsupportedOperationException();
    }

    /** Reads a CSR without side effects, or -1 ... for unknown numbers see implementation. */
    public long csr(int number) {
        throw new UnsupportedOperationException();
    }

    /**
     * Debugger read of guest virtual memory through the current translation, without side
     * effects (no A/D bits, no MMIO reads: device ranges read as zero). Returns bytes read
     * before the first unmapped address.
     */
    public int readMemory(long vaddr, byte[] dst, int off, int len) {
        throw new UnsupportedOperationException();
    }

    /** Stop <em>before</em> executing the instruction at virtual address {@code pc}. */
    public void addBreakpoint(long pc) {
        throw new UnsupportedOperationException();
    }

    public void removeBreakpoint(long pc) {
        throw new UnsupportedOperationException();
    }

    /** Stop after an instruction that accesses [addr, addr+len) the given way (virtual addresses). */
    public void addWatchpoint(long addr, long len, WatchKind kind) {
        throw new UnsupportedOperationException();
    }

    public void removeWatchpoint(long addr, long len, WatchKind kind) {
        throw new UnsupportedOperationException();
    }

    /** The access that caused the last {@link StopReason#WATCHPOINT}. */
    public WatchHit lastWatchHit() {
        throw new UnsupportedOperationException();
    }

    /** Exit code the guest reported (finisher or HTIF); meaningful after {@link StopReason#EXIT}. */
    public int exitCode() {
        throw new UnsupportedOperationException();
    }

    /** Full state capture. */
    public MachineState saveState() {
        throw new UnsupportedOperationException();
    }

    /** Pages written since the previous capture (full or delta), plus hart/devices. */
    public MachineState saveDelta() {
        throw new UnsupportedOperationException();
    }

    /** Restores a full state. */
    public void restoreState(MachineState state) throws StateFormatException {
        throw new UnsupportedOperationException();
    }
}
