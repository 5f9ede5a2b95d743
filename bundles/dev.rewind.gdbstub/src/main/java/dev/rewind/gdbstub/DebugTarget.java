package dev.rewind.gdbstub;

/**
 * The machine as the GDB server sees it: the only way {@link RspServer} reaches a hart.
 *
 * <p><b>Threading.</b> The server calls every method from one thread (its session thread), never
 * concurrently. Only {@link Interruption#isRequested()} is flipped from another thread.
 *
 * <p><b>Registers</b> are named by GDB's RISC-V numbers, which the server also uses on the wire
 * (the target description gives them as explicit {@code regnum}s): 0–31 = x0–x31, {@link #REG_PC}
 * = pc, {@link #REG_FPR_BASE}{@code + i} = f{@code i} and {@link #REG_CSR_BASE}{@code + 1..3} =
 * fflags, frm, fcsr when {@link #hasFloatingPoint()}, {@link #REG_CSR_BASE}{@code + n} = CSR
 * {@code n} for each {@code n} in {@link #csrNumbers()}, {@link #REG_PRIV} = current privilege
 * level (0 U, 1 S, 3 M). All are 64 bits wide.
 *
 * <p><b>Positions.</b> A position is an instruction count: "at icount N" means N instructions have
 * retired and the instruction at pc has not executed yet. Every stop leaves the target at such a
 * boundary.
 */
public interface DebugTarget {

    /** Register number of pc. */
    int REG_PC = 32;
    /** Register number of f0; f{@code i} is {@code REG_FPR_BASE + i}. */
    int REG_FPR_BASE = 33;
    /** Register number of CSR 0; CSR n is {@code REG_CSR_BASE + n}. */
    int REG_CSR_BASE = 65;
    /** Register number of the virtual privilege-level register. */
    int REG_PRIV = 4161;

    /** CSR numbers (0..4095) that {@link #readRegister} accepts, in the order gdb should list them. */
    int[] csrNumbers();

    /**
     * Whether the hart has F and D: the target description then has gdb's
     * {@code org.gnu.gdb.riscv.fpu} feature (f0–f31 64 bits wide, fflags, frm, fcsr), without which
     * gdb refuses an ELF built for a hard-float ABI ("bfd requires flen 8, but target has flen 0").
     */
    default boolean hasFloatingPoint() {
        return false;
    }

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
     * Runs the machine and returns why it stopped.
     *
     * <p><b>Watchpoints fire before the access, in the direction of travel.</b> gdb treats RISC-V
     * watchpoints as non-steppable: after a watchpoint stop it removes its watchpoints, moves over
     * the reported instruction itself (one step in the current direction) and then shows old and
     * new value. So the target must stop at the instruction boundary <em>next to</em> the
     * accessing instruction without crossing it: going forward, before the instruction executes
     * (pc = the load/store); going backward, before it is undone (just after it). Position, icount
     * and memory are then exactly as at that boundary.
     *
     * <p>Per mode:
     * <ul>
     *   <li>{@code STEP}: retire exactly one instruction (a trap taken by it counts as that step)
     *       and return {@link StopEvent#stepped()}; if that instruction makes a watched access, do
     *       not execute it and return the watchpoint event instead.
     *   <li>{@code CONTINUE}: run until a breakpoint address is reached (checked before the
     *       instruction executes, except for the instruction at pc when the run starts: gdb steps
     *       over that one itself), an instruction that would make a watched access (not executed),
     *       exit, the end of recorded history ({@link StopEvent#historyEnd()}, without moving) or an
     *       interruption.
     *   <li>{@code REVERSE_STEP}: go to icount − 1 and return {@link StopEvent#stepped()}; if the
     *       instruction to undo made a watched access, stay and return the watchpoint event; at
     *       the oldest reachable position stay and return {@link StopEvent#historyBegin()}.
     *   <li>{@code REVERSE_CONTINUE}: with c the current position, find the largest k &lt; c such
     *       that instruction k sits on a breakpoint (stop at k: before it executes) or makes a
     *       watched access (stop at k + 1: gdb then steps back over it and shows the old value);
     *       k = c − 1 is included. If there is none, go to the oldest reachable position and return
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

    /** Instructions retired so far (by all harts): the current position. */
    long icount();

    /** Harts; gdb numbers them as threads 1 .. threads(). */
    default int threads() {
        return 1;
    }

    /**
     * Registers, memory and steps go to hart {@code hart} from now on (gdb's {@code Hg}, and the
     * thread a {@code vCont} step names): a step retires one instruction of that hart, a reverse
     * step goes back to before its previous instruction (other harts move as the interleaving
     * has them). A stop selects the hart it happened on.
     *
     * @throws TargetException if there is no such hart
     */
    default void selectThread(int hart) throws TargetException {
        if (hart != 0) {
            throw new TargetException(TargetException.EINVAL, "no hart " + hart);
        }
    }

    /**
     * Whether the next resume is of the selected hart alone ({@code vCont;c:N}: gdb means the
     * other threads to stay stopped, e.g. while it single-steps one with a temporary breakpoint).
     * The machine cannot hold harts still, as the interleaving is fixed by instruction counts, so
     * a target lets the other harts run without stopping on their breakpoint hits.
     */
    default void resumeAlone(boolean alone) {
    }

    /** The hart {@link #selectThread} chose, or the one the last stop happened on. */
    default int selectedThread() {
        return 0;
    }

    /** The {@code monitor} command handler, or null if this target has none. */
    default MonitorCommands monitorCommands() {
        return null;
    }
}
