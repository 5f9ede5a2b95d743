package dev.rewind.gdbstub;

import java.util.ArrayList;
import java.util.List;

/**
 * TEST FIXTURE, not the real target: a deliberately tiny RV64 model that decodes and executes a
 * handful of base-ISA instructions (lui, auipc, addi, add, ld, sd, bne, jal, ecall) from 4 KiB of
 * RAM at 0x8000_0000, so that the GDB server can be driven by real gdb before the emulator and
 * replay engine are connected. Reverse execution is an undo history of every retired instruction.
 *
 * <p>In replay mode the "recording" ends at the first ecall (forward runs stop there with
 * replaylog:end) and writes are refused; in live mode ecall exits with status a0 and there is no
 * reverse execution.
 */
final class TinyRv64Fixture implements DebugTarget {

    static final long RAM_BASE = 0x8000_0000L;
    static final int RAM_SIZE = 4096;
    static final int[] CSRS = {0x300, 0x305, 0x341, 0x342, 0xf14};

    private final boolean replay;
    private final byte[] ram = new byte[RAM_SIZE];
    private final long[] x = new long[32];
    private long pc = RAM_BASE;
    private long mstatus = 0xa00000000L;
    private long mtvec;
    private long mepc;
    private long mcause;
    private final List<Undo> history = new ArrayList<>();
    private long icount;
    private final List<long[]> breakpoints = new ArrayList<>();
    private final List<long[]> watchpoints = new ArrayList<>();
    private boolean exited;
    private long replayBreak = -1;
    /** How many readMemory calls were made: lets tests prove reads have no side effect on icount. */
    int memoryReads;

    /** What one instruction changed, to undo it. */
    private record Undo(long pc, int rd, long oldRd, long memAddress, long oldMem, boolean load, boolean store) { }

    /**
     * Report watchpoints after the access going forward (as QEMU does) and before it going
     * backward, instead of before it in the direction of travel: breaks the {@link DebugTarget}
     * contract on purpose, to show what gdb then does.
     */
    boolean watchAfterAccess;

    TinyRv64Fixture(int[] program, boolean replay) {
        this.replay = replay;
        for (int i = 0; i < program.length; i++) {
            store(RAM_BASE + 4L * i, program[i], 4);
        }
    }

    /**
     * The standard test program: a loop that stores the counter a0 = 1..5 to 0x8000_0200 (t0) and
     * loads it back into a2, then ecall.
     */
    static int[] countingProgram() {
        return new int[] {
            auipc(5, 0),          // 00: t0 = pc
            addi(5, 5, 0x200),    // 04: t0 = 0x80000200
            addi(10, 0, 0),       // 08: a0 = 0
            addi(11, 0, 5),       // 0c: a1 = 5
            addi(10, 10, 1),      // 10: loop: a0++
            sd(10, 5, 0),         // 14: *t0 = a0
            ld(12, 5, 0),         // 18: a2 = *t0
            bne(10, 11, -12),     // 1c: if a0 != a1 goto loop
            ecall(),              // 20
        };
    }

    /** An endless loop, for interrupt tests. */
    static int[] spinningProgram() {
        return new int[] {addi(10, 10, 1), jal(0, -4)};
    }

    // ---- encodings (RISC-V unprivileged spec, chapter 2 base formats) ----

    static int addi(int rd, int rs1, int imm) {
        return (imm & 0xfff) << 20 | rs1 << 15 | rd << 7 | 0x13;
    }

    static int auipc(int rd, int imm20) {
        return imm20 << 12 | rd << 7 | 0x17;
    }

    static int sd(int rs2, int rs1, int imm) {
        return ((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | 3 << 12 | (imm & 0x1f) << 7 | 0x23;
    }

    static int ld(int rd, int rs1, int imm) {
        return (imm & 0xfff) << 20 | rs1 << 15 | 3 << 12 | rd << 7 | 0x03;
    }

    static int bne(int rs1, int rs2, int offset) {
        return ((offset >> 12) & 1) << 31 | ((offset >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | 1 << 12
                | ((offset >> 1) & 0xf) << 8 | ((offset >> 11) & 1) << 7 | 0x63;
    }

    static int jal(int rd, int offset) {
        return ((offset >> 20) & 1) << 31 | ((offset >> 1) & 0x3ff) << 21 | ((offset >> 11) & 1) << 20
                | ((offset >> 12) & 0xff) << 12 | rd << 7 | 0x6f;
    }

    static int ecall() {
        return 0x73;
    }

    // ---- DebugTarget ----

    @Override
    public int[] csrNumbers() {
        return CSRS.clone();
    }

    @Override
    public long readRegister(int regnum) throws TargetException {
        if (regnum >= 0 && regnum < 32) {
            return x[regnum];
        }
        switch (regnum) {
            case REG_PC: return pc;
            case REG_PRIV: return 3;
            case REG_CSR_BASE + 0x300: return mstatus;
            case REG_CSR_BASE + 0x305: return mtvec;
            case REG_CSR_BASE + 0x341: return mepc;
            case REG_CSR_BASE + 0x342: return mcause;
            case REG_CSR_BASE + 0xf14: return 0;
            default: throw new TargetException(TargetException.EINVAL, "no register " + regnum);
        }
    }

    @Override
    public void writeRegister(int regnum, long value) throws TargetException {
        if (replay) {
            throw new TargetException(TargetException.EPERM, "replay: register writes refused");
        }
        if (regnum > 0 && regnum < 32) {
            x[regnum] = value;
        } else if (regnum == REG_PC) {
            pc = value;
        } else if (regnum == REG_CSR_BASE + 0x305) {
            mtvec = value;
        } else if (regnum != 0) {
            throw new TargetException(TargetException.EINVAL, "register " + regnum + " is read-only here");
        }
    }

    @Override
    public int readMemory(long address, byte[] buffer, int offset, int length) {
        memoryReads++;
        int n = 0;
        while (n < length && inRam(address + n)) {
            buffer[offset + n] = ram[(int) (address + n - RAM_BASE)];
            n++;
        }
        return n;
    }

    @Override
    public void writeMemory(long address, byte[] data, int offset, int length) throws TargetException {
        if (replay) {
            throw new TargetException(TargetException.EPERM, "replay: memory writes refused");
        }
        if (!inRam(address) || !inRam(address + length - 1)) {
            throw new TargetException(TargetException.EFAULT, "not RAM");
        }
        System.arraycopy(data, offset, ram, (int) (address - RAM_BASE), length);
    }

    @Override
    public boolean supportsReverse() {
        return replay;
    }

    @Override
    public StopEvent resume(ResumeMode mode, Interruption interruption) throws TargetException {
        if (mode.isReverse() && !replay) {
            throw new TargetException(TargetException.EPERM, "live run: no history");
        }
        switch (mode) {
            case STEP: {
                if (atEnd()) {
                    return endOfRun();
                }
                return forwardOne();
            }
            case CONTINUE: {
                boolean first = true;
                while (true) {
                    if (interruption.isRequested()) {
                        return StopEvent.interrupted();
                    }
                    if (!first && breakpointAt(pc) != null) {
                        return StopEvent.breakpoint(breakpointAt(pc));
                    }
                    if (icount == replayBreak) {
                        replayBreak = -1;
                        return StopEvent.interrupted();
                    }
                    first = false;
                    if (atEnd()) {
                        return endOfRun();
                    }
                    StopEvent w = forwardOne();
                    if (w.reason() != StopEvent.Reason.STEPPED) {
                        return w;
                    }
                }
            }
            case REVERSE_STEP: {
                if (history.isEmpty()) {
                    return StopEvent.historyBegin();
                }
                StopEvent w = watchHit(history.get(history.size() - 1));
                if (w != null) {
                    return w;
                }
                revert(history.remove(history.size() - 1));
                return StopEvent.stepped();
            }
            case REVERSE_CONTINUE:
                while (true) {
                    if (history.isEmpty()) {
                        return StopEvent.historyBegin();
                    }
                    if (interruption.isRequested()) {
                        return StopEvent.interrupted();
                    }
                    // A watched access fires before it is undone; gdb steps back over it itself.
                    StopEvent w = watchHit(history.get(history.size() - 1));
                    if (w != null && !watchAfterAccess) {
                        return w;
                    }
                    revert(history.remove(history.size() - 1));
                    if (w != null) {
                        return w;
                    }
                    if (breakpointAt(pc) != null) {
                        return StopEvent.breakpoint(breakpointAt(pc));
                    }
                }
            default:
                throw new IllegalStateException(mode.toString());
        }
    }

    @Override
    public boolean insertBreakpoint(BreakpointType type, long address, int length) {
        List<long[]> list = type.isWatchpoint() ? watchpoints : breakpoints;
        removeBreakpoint(type, address, length);
        list.add(new long[] {type.ordinal(), address, length});
        return true;
    }

    @Override
    public boolean removeBreakpoint(BreakpointType type, long address, int length) {
        List<long[]> list = type.isWatchpoint() ? watchpoints : breakpoints;
        list.removeIf(b -> b[0] == type.ordinal() && b[1] == address && b[2] == length);
        return true;
    }

    @Override
    public long icount() {
        return icount;
    }

    @Override
    public MonitorCommands monitorCommands() {
        MonitorCommands own = line -> {
            if (line.equals("icount")) {
                return icount + "\n";
            }
            if (line.startsWith("seek ") && replay) {
                seekTo(Long.parseLong(line.substring(5).trim()));
                return "at icount " + icount + "\n";
            }
            if (line.equals("help")) {
                return "icount, seek N\n";
            }
            throw new TargetException(TargetException.EINVAL, "unknown command: '" + line + "'");
        };
        return new HmpReplayCommands(new ReplayControl() {
            @Override
            public boolean isReplaying() {
                return replay;
            }

            @Override
            public boolean isRecording() {
                return false;
            }

            @Override
            public String recordingName() {
                return "fixture.rrlog";
            }

            @Override
            public long icount() {
                return icount;
            }

            @Override
            public void setReplayBreak(long at) throws TargetException {
                if (at < icount) {
                    throw new TargetException(TargetException.EINVAL, "replay_break: icount " + at + " is in the past");
                }
                replayBreak = at;
            }

            @Override
            public void deleteReplayBreak() {
                replayBreak = -1;
            }

            @Override
            public void seek(long at) throws TargetException {
                seekTo(at);
                if (icount != at) {
                    throw new TargetException(TargetException.EINVAL, "replay_seek: the recording ends at icount " + icount);
                }
            }

            @Override
            public List<Snapshot> snapshots() {
                return List.of();
            }
        }, own);
    }

    private void seekTo(long target) throws TargetException {
        while (icount > target && !history.isEmpty()) {
            revert(history.remove(history.size() - 1));
        }
        while (icount < target && !atEnd()) {
            forwardOne();
        }
    }

    // ---- the model ----

    private boolean atEnd() {
        return exited || load(pc, 4) == ecall();
    }

    private StopEvent endOfRun() {
        if (replay) {
            return StopEvent.historyEnd();
        }
        exited = true;
        return StopEvent.exited((int) x[10]);
    }

    private BreakpointType breakpointAt(long address) {
        for (long[] b : breakpoints) {
            if (b[1] == address) {
                return BreakpointType.values()[(int) b[0]];
            }
        }
        return null;
    }

    private StopEvent watchHit(Undo u) {
        if (!u.load && !u.store) {
            return null;
        }
        for (long[] w : watchpoints) {
            BreakpointType type = BreakpointType.values()[(int) w[0]];
            boolean overlaps = u.memAddress < w[1] + w[2] && w[1] < u.memAddress + 8;
            boolean kind = type == BreakpointType.ACCESS_WATCH
                    || (type == BreakpointType.WRITE_WATCH && u.store)
                    || (type == BreakpointType.READ_WATCH && u.load);
            if (overlaps && kind) {
                return StopEvent.watchpoint(type, w[1]);
            }
        }
        return null;
    }

    private Undo execute() throws TargetException {
        int insn = (int) load(pc, 4);
        int opcode = insn & 0x7f;
        int rd = (insn >> 7) & 0x1f;
        int rs1 = (insn >> 15) & 0x1f;
        int rs2 = (insn >> 20) & 0x1f;
        int funct3 = (insn >> 12) & 7;
        long immI = insn >> 20;
        long next = pc + 4;
        long result = 0;
        boolean writesRd = true;
        long memAddress = 0;
        long oldMem = 0;
        boolean isLoad = false;
        boolean isStore = false;
        switch (opcode) {
            case 0x13:
                if (funct3 != 0) {
                    throw illegal(insn);
                }
                result = x[rs1] + immI;
                break;
            case 0x33:
                if (funct3 != 0 || (insn >>> 25) != 0) {
                    throw illegal(insn);
                }
                result = x[rs1] + x[rs2];
                break;
            case 0x37:
                result = (long) (insn & 0xfffff000);
                break;
            case 0x17:
                result = pc + (long) (insn & 0xfffff000);
                break;
            case 0x03:
                if (funct3 != 3) {
                    throw illegal(insn);
                }
                memAddress = x[rs1] + immI;
                result = checkedLoad(memAddress);
                isLoad = true;
                break;
            case 0x23: {
                if (funct3 != 3) {
                    throw illegal(insn);
                }
                long imm = ((insn >> 25) << 5) | ((insn >> 7) & 0x1f);
                memAddress = x[rs1] + imm;
                oldMem = checkedLoad(memAddress);
                store(memAddress, x[rs2], 8);
                isStore = true;
                writesRd = false;
                break;
            }
            case 0x63: {
                if (funct3 != 1) {
                    throw illegal(insn);
                }
                long imm = ((insn >> 31) << 12) | (((insn >> 7) & 1) << 11) | (((insn >> 25) & 0x3f) << 5)
                        | (((insn >> 8) & 0xf) << 1);
                if (x[rs1] != x[rs2]) {
                    next = pc + imm;
                }
                writesRd = false;
                break;
            }
            case 0x6f: {
                long imm = ((insn >> 31) << 20) | (((insn >> 12) & 0xff) << 12) | (((insn >> 20) & 1) << 11)
                        | (((insn >> 21) & 0x3ff) << 1);
                result = pc + 4;
                next = pc + imm;
                break;
            }
            default:
                throw illegal(insn);
        }
        int target = writesRd ? rd : 0;
        Undo u = new Undo(pc, target, x[target], memAddress, oldMem, isLoad, isStore);
        if (target != 0) {
            x[target] = result;
        }
        pc = next;
        icount++;
        return u;
    }

    /**
     * Executes one instruction, unless it makes a watched access: then it is rolled back and the
     * watch reported, because gdb treats RISC-V watchpoints as firing before the access and steps
     * over the instruction itself.
     */
    private StopEvent forwardOne() throws TargetException {
        Undo u = execute();
        StopEvent w = watchHit(u);
        if (w != null && !watchAfterAccess) {
            revert(u);
            return w;
        }
        if (replay) {
            history.add(u);
        }
        return w != null ? w : StopEvent.stepped();
    }

    private void revert(Undo u) {
        if (u.store) {
            store(u.memAddress, u.oldMem, 8);
        }
        if (u.rd != 0) {
            x[u.rd] = u.oldRd;
        }
        pc = u.pc;
        icount--;
    }

    private static TargetException illegal(int insn) {
        return new TargetException(TargetException.EINVAL, String.format("fixture cannot execute %08x", insn));
    }

    private long checkedLoad(long address) throws TargetException {
        if (!inRam(address) || !inRam(address + 7)) {
            throw new TargetException(TargetException.EFAULT, "fixture: access outside RAM");
        }
        return load(address, 8);
    }

    private static boolean inRam(long address) {
        return address >= RAM_BASE && address < RAM_BASE + RAM_SIZE;
    }

    private long load(long address, int size) {
        if (!inRam(address) || !inRam(address + size - 1)) {
            return 0;
        }
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (ram[(int) (address - RAM_BASE) + i] & 0xff);
        }
        return size == 4 ? (int) v : v;
    }

    private void store(long address, long value, int size) {
        for (int i = 0; i < size; i++) {
            ram[(int) (address - RAM_BASE) + i] = (byte) (value >>> (8 * i));
        }
    }
}
