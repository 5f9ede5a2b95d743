package dev.rewind.gdbstub;

/**
 * The machine as the GDB server sees it: the only way {@link RspServer} reaches a hart.
 *
 * <p><b>Threading.</b> The server calls every method from one thread (its session thread), never
 * concurrently. Only {@link Interruption#isRequested()} is flipped from another thread.
 *
 * <p><b>Registers</b> are named by GDB's RISC-V numbers, which the server also uses on the wire
 * (the target description gives them as explicit {@code regnum}s): 0–31 = x0–x31, {@link #REG_PC}
 * = pc, {@link #REG_CSR_BASE}{@code + n} = CSR {@code n} for each {@code n} in
 * {@link #csrNumbers()}, {@link #REG_PRIV} = current privilege level (0 U, 1 S, 3 M). All are
 * 64 bits wide.
 *
 * <p><b>Positions.</b> A position is an instruction count: "at icount N" means N instructions have
 * retired and the instruction at pc has not executed yet. Every stop leaves the target at such a
 * boundary.
 */
public interface DebugTarget {

    /** Register number of pc. */
    int REG_PC = 32;
    /** Register number of CSR 0; CSR n is {@code REG_CSR_BASE + n}. */
    int REG_CSR_BASE = 65;
    /** Register number of the virtual privilege-level register. */
    int REG_PRIV = 4161;

    /** CSR numbers (0..4095) that {@link #readRegister} accepts, in the order gdb should list them. */
    int[] csrNumbers();

    /**
     * Reads a register (numbering above).
     *
     * @throws TargetException if the number is not one this target exposes
     */
    long readRegister(int regnum) throws TargetException;

    /**
     * Writes a register; writes to x0 are accepted and ignored.
     *
     * @throws TargetException if the register does not exist or writes are refused (a replay must
     *     not diverge from its log, so a replaying target refuses with {@link TargetException#EPERM})
     */
    void writeRegister(int regnum, long value) throws TargetException;

    /**
     * Copies guest memory at {@code address} (as the hart currently addresses it) into
     * {@code buffer}. Must have no effect on guest state: no device side effects, no dirty-page
     * marking, no change of icount or of the replay position.
     *
     * @return the number of bytes copied, from {@code address} up to the first unreadable byte
     *     (0 if {@code address} itself is unreadable)
     */
    int readMemory(long address, byte[] buffer, int offset, int length);

    /**
     * Writes guest memory.
     *
     * @throws TargetException if any byte is not writable ({@link TargetException#EFAULT}) or writes
     *     are refused while replaying ({@link TargetException#EPERM})
     */
    void writeMemory(long address, byte[] data, int offset, int length) throws TargetException;

    /**
     * Whether {@link ResumeMode#REVERSE_STEP} and {@link ResumeMode#REVERSE_CONTINUE} work; the
     * server advertises {@code ReverseStep+;ReverseContinue+} to gdb only when this is true.
     */
    boolean supportsReverse();

    /**
     * Runs the machine and returns why it stopped. Semantics per mode:
     * <ul>
     *   <li>{@code STEP}: retire exactly one instruction (a trap taken by it counts as that step),
     *       then {@link StopEvent#stepped()}, or a watchpoint event if it made a watched access.
     *   <li>{@code CONTINUE}: run until a breakpoint address is reached (checked before the
     *       instruction executes, except for the instruction at pc when the run starts: gdb steps
     *       over that one itself), a watched access (stop after that instruction), exit, the end of
     *       recorded history ({@link StopEvent#historyEnd()}) or an interruption.
     *   <li>{@code REVERSE_STEP}: go to icount − 1; at icount 0 (or the oldest reachable position)
     *       stay and return {@link StopEvent#historyBegin()}.
     *   <li>{@code REVERSE_CONTINUE}: go to the largest position k strictly before the current one
     *       whose instruction sits on a breakpoint or makes a watched access, stopping before it
     *       executes (old memory value visible); if none, go to the oldest position and return
     *       {@link StopEvent#historyBegin()}.
     * </ul>
     * Long runs (forwards or backwards) must poll {@code interruption} at least every few thousand
     * instructions and stop at an instruction boundary with {@link StopEvent#interrupted()} when it
     * is set.
     *
     * @throws TargetException if the machine cannot run (e.g. reverse requested but unsupported);
     *     the server answers gdb with an error reply and stays stopped
     */
    StopEvent resume(ResumeMode mode, Interruption interruption) throws TargetException;

    /**
     * Inserts a breakpoint or watchpoint. Must be idempotent (gdb may insert twice). Breakpoints
     * must not patch guest memory: memory reads keep returning the original bytes.
     *
     * @param length breakpoint instruction length (2 or 4) or watched length in bytes
     * @return false if this type is not supported (gdb is told so and falls back)
     */
    boolean insertBreakpoint(BreakpointType type, long address, int length) throws TargetException;

    /** Removes what {@link #insertBreakpoint} inserted; removing an absent one is not an error. */
    boolean removeBreakpoint(BreakpointType type, long address, int length) throws TargetException;

    /** Instructions retired so far: the current position. */
    long icount();

    /** The {@code monitor} command handler, or null if this target has none. */
    default MonitorCommands monitorCommands() {
        return null;
    }
}
