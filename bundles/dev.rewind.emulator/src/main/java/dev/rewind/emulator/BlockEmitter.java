package dev.rewind.emulator;

/**
 * Emits the body of {@code Block.run} for one block ({@link BlockTranslator}). Guest registers
 * live in long locals, loaded once at entry and written back at every exit; loads and stores
 * follow the interpreter's RAM fast path and jump to a shared bail-out otherwise.
 *
 * <p>A block is a {@link Region}, not only a straight line: a branch or JAL whose target is
 * one of the region's own instructions jumps there inside the method, and a JALR compares its
 * target with {@link Region#jalrTargets} (its last-seen target, a return's return points) and
 * jumps there on a match (chaining without a trip
 * through the dispatcher); anything else leaves it. The code is cut into runs, each from a run
 * start (the entry, a jump target, the fall-through of a branch, a return point, the start of
 * a stretch of contiguous instructions) to the next control transfer or the stretch's end; a
 * run is entered only if it fits under the icount limit whole, otherwise the block leaves in
 * front of it, so runs stop at exact icounts as the dispatcher's own check does for the first
 * run ({@link Block#length}). Integer operations are {@link AluEmitter}'s, loads and stores
 * {@link MemoryEmitter}'s, F and D {@link FloatEmitter}'s.
 */
final class BlockEmitter {
    static final String HART = BlockTranslator.HART, BLOCK = BlockTranslator.BLOCK;
    static final String FPU = "dev/rewind/emulator/FloatUnit", CSRS = "dev/rewind/emulator/CsrFile",
            SOFT = "dev/rewind/emulator/fp/SoftFloat";

    /**
     * Locals of run(Hart h, long pc0, long ic, long limit). The icount is kept as BUDGET, an int
     * counting down the instructions the block may still retire (at most 2^31 - 1: a block that
     * runs out leaves for the dispatcher, which enters it again), and END = ic + the initial
     * budget in the ic parameter's slot, so the icount is END - BUDGET: a run's check is an int
     * compare and bringing it up to date a single IINC.
     */
    static final int H = 1, PC0 = 2, END = 4, LIMIT = 6, X = 8, MEM = 9, A = 10, O = 12, BUDGET = 14,
            F = 15, FPUNIT = 16, FP_ON = 17, RM = 18, RAMLAST = 19, FLAGS = 21, RTAG = 22, ROFF = 23,
            WTAG = 24, WOFF = 25, VPN = 26, REGS = 28, EXIT = REGS + 62, BUDGET0 = EXIT + 1;
    static final int LOCALS = BUDGET0 + 1;

    final ClassFileWriter cf;
    private final Region region;
    /** Count the instructions it retires in {@link Block#retired} (not for a HotBlock: it is promoted). */
    private final boolean countRetired;
    /** Loads and stores are translated for direct RAM offsets, else for the TLB ({@link Block#mode}). */
    final boolean direct;
    private final long[] insns;
    final CodeBuffer c = new CodeBuffer();
    private final boolean[] written = new boolean[32];
    /**
     * Common tails: leave with pc = pc0 + the int on the stack; the same after setting h.bail and
     * retiring the instructions packed with that offset ({@link #newBail}); leave with pc = A.
     */
    private final int out = c.newLabel(), bailOut = c.newLabel(), outAbs = c.newLabel();
    private boolean usedBail, usedOut;
    /** Byte offset of each instruction from the entry. */
    private final int[] offsets;
    /** Per instruction: the label of a run start (the entry, a jump target, a branch's fall-through, a return point), else -1. */
    private final int[] runLabel;
    /** Side exits emitted after the body: label and the offset they leave for. */
    private final int[] exitLabel, exitOffset;
    private int exits;
    /**
     * Exits that may chain ({@link Block#links}): the JALRs take the first indices, one each
     * (a one-entry target cache), then each distinct static target offset one.
     */
    private final int[] linkOffset;
    private int linkable;
    /** JALRs in the region, and those emitted so far. */
    private final int jalrCount;
    private int jalrs;
    /** Per memory or FP instruction and the entry's mode check: its bail label, offset, and instructions retired before it since BUDGET was updated. */
    private final int[] bailLabel, bailOffset, bailIndex;
    private int bails;
    /** Instructions retired since BUDGET was last brought up to date. */
    private int pending;
    /** The region has loads or stores (its block has a {@link Block#mode}). */
    boolean accessesMemory;
    /** Bytecode bytes of the loads and stores in the body (their bail tails not counted), and how many (profile). */
    int memoryBytes, memoryInsns;
    private final FloatEmitter fp = new FloatEmitter(this);
    private final AluEmitter alu = new AluEmitter(this);
    final MemoryEmitter memory = new MemoryEmitter(this);

    BlockEmitter(ClassFileWriter cf, Region region, boolean direct, boolean hot) {
        this.cf = cf;
        this.countRetired = !hot;
        this.region = region;
        this.direct = direct;
        this.insns = region.insns;
        this.offsets = region.offsets;
        int n = insns.length;
        boolean[] target = new boolean[n];
        for (int k = 0; k < n; k++) {
            int op = DecodedPage.word(insns[k]) & 0xff;
            if (isBranch(op) || op == Op.JAL) {
                int t = region.internal(offsets[k] + DecodedPage.imm(insns[k]));
                if (t >= 0) {
                    target[t] = true;
                }
            }
        }
        for (int k = 0; k < n; k++) {
            if ((DecodedPage.word(insns[k]) & 0xff) == Op.JALR) {
                for (int t : region.jalrTargets(k)) {
                    target[t] = true;
                }
            }
        }
        this.runLabel = new int[n];
        java.util.Arrays.fill(runLabel, -1);
        for (int k = 0; k < n; k++) {
            boolean afterBranch = region.contiguous(k) && isBranch(DecodedPage.word(insns[k - 1]) & 0xff);
            if (target[k] || afterBranch || k == region.entry || !region.contiguous(k)) {
                runLabel[k] = c.newLabel();
            }
        }
        this.exitLabel = new int[2 * n + 1];
        this.exitOffset = new int[2 * n + 1];
        this.linkOffset = new int[3 * n + 1];
        int jalrCount = 0;
        for (long e : insns) {
            jalrCount += Region.op(e) == Op.JALR ? 1 : 0;
        }
        this.jalrCount = jalrCount;
        this.bailLabel = new int[n + 1];
        this.bailOffset = new int[n + 1];
        this.bailIndex = new int[n + 1];
    }

    static boolean isBranch(int op) {
        return op >= Op.BEQ && op <= Op.BGEU;
    }

    /** A load or store (integer or FP). */
    static boolean isMemory(int op) {
        return (op >= Op.LB && op <= Op.SD) || (op >= Op.FLW && op <= Op.FSD);
    }

    static boolean transfersControl(int op) {
        return isBranch(op) || op == Op.JAL || op == Op.JALR;
    }

    private static int reg(int r) {
        return REGS + 2 * (r - 1);
    }

    void read(int r) {
        if (r == 0) {
            c.op(CodeBuffer.LCONST_0);
        } else {
            c.local(CodeBuffer.LLOAD, reg(r));
        }
    }

    /** Stores the long on the stack into rd (x0 is the sink register 32: dropped). */
    void write(int rd) {
        if (rd == 0 || rd == Op.X0_SINK) {
            c.op(CodeBuffer.POP2);
        } else {
            c.local(CodeBuffer.LSTORE, reg(rd));
        }
    }

    void pushLong(long v) {
        if (v == 0) {
            c.op(CodeBuffer.LCONST_0);
        } else if (v == 1) {
            c.op(CodeBuffer.LCONST_1);
        } else if (v == (byte) v) {
            c.op(CodeBuffer.BIPUSH, (int) v & 0xff);
            c.op(CodeBuffer.I2L);
        } else if (v == (short) v) {
            c.opU2(CodeBuffer.SIPUSH, (int) v & 0xffff);
            c.op(CodeBuffer.I2L);
        } else if (v == (int) v) {
            c.opU2(CodeBuffer.LDC_W, cf.intConstant((int) v));
            c.op(CodeBuffer.I2L);
        } else {
            c.opU2(CodeBuffer.LDC2_W, cf.longConstant(v));
        }
    }

    void pushInt(int v) {
        if (v == (byte) v) {
            c.op(CodeBuffer.BIPUSH, v & 0xff);
        } else if (v == (short) v) {
            c.opU2(CodeBuffer.SIPUSH, v & 0xffff);
        } else {
            c.opU2(CodeBuffer.LDC_W, cf.intConstant(v));
        }
    }

    void getHart(int local, String field, String desc, int store) {
        c.local(CodeBuffer.ALOAD, H);
        c.opU2(CodeBuffer.GETFIELD, cf.fieldRef(HART, field, desc));
        c.local(store, local);
    }

    void invokeStatic(String owner, String name, String desc) {
        c.opU2(CodeBuffer.INVOKESTATIC, cf.methodRef(owner, name, desc));
    }

    byte[] emit() {
        boolean stores = false, usesFp = false;
        accessesMemory = false;
        boolean[] used = new boolean[32];
        for (long e : insns) {
            int w = DecodedPage.word(e);
            int op = w & 0xff;
            int rd = (w >>> Op.RD_SHIFT) & 63;
            boolean isFp = op >= Op.FP_FIRST && op <= Op.FP_LAST;
            // An FP op names f registers, except an address base, an integer source or an x result.
            if (!isFp || op <= Op.FSD || FloatEmitter.intSource(op)) {
                used[(w >>> Op.RS1_SHIFT) & 31] = true;
            }
            if (!isFp) {
                used[(w >>> Op.RS2_SHIFT) & 31] = true;
            }
            if (rd != Op.X0_SINK && !Op.writesFloat(op) && op != Op.FSW && op != Op.FSD) {
                used[rd] = true;
                written[rd] = true;
            }
            usesFp |= isFp;
            accessesMemory |= isMemory(op);
            stores |= (op >= Op.SB && op <= Op.SD) || op == Op.FSW || op == Op.FSD;
        }
        used[0] = false;
        written[0] = false;
        c.local(CodeBuffer.LLOAD, END);
        c.local(CodeBuffer.LLOAD, LIMIT);
        invokeStatic(BLOCK, "budget", "(JJ)I");
        c.op(CodeBuffer.DUP);
        c.local(CodeBuffer.ISTORE, BUDGET);
        if (countRetired) {
            c.op(CodeBuffer.DUP);
            c.local(CodeBuffer.ISTORE, BUDGET0);
        }
        c.op(CodeBuffer.I2L);
        c.local(CodeBuffer.LLOAD, END);
        c.op(CodeBuffer.LADD);
        c.local(CodeBuffer.LSTORE, END);
        getHart(X, "x", "[J", CodeBuffer.ASTORE);
        if (usesFp) {
            fp.prologue();
        }
        if (accessesMemory) {
            getHart(MEM, "mem", "[B", CodeBuffer.ASTORE);
            if (stores) {
                getHart(FLAGS, "flags", "[B", CodeBuffer.ASTORE);
            }
            if (direct) {
                getHart(RAMLAST, "ramLast", "J", CodeBuffer.LSTORE);
            } else {
                getHart(RTAG, "rTag", "[J", CodeBuffer.ASTORE);
                getHart(ROFF, "rOff", "[J", CodeBuffer.ASTORE);
                if (stores) {
                    getHart(WTAG, "wTag", "[J", CodeBuffer.ASTORE);
                    getHart(WOFF, "wOff", "[J", CodeBuffer.ASTORE);
                }
            }
        }
        for (int r = 1; r < 32; r++) {
            if (used[r]) {
                c.local(CodeBuffer.ALOAD, X);
                pushInt(r);
                c.op(CodeBuffer.LALOAD);
                c.local(CodeBuffer.LSTORE, reg(r));
            }
        }
        if (accessesMemory) {
            // Entered in the other data access mode: leave before the first instruction.
            c.local(CodeBuffer.ALOAD, H);
            c.opU2(CodeBuffer.GETFIELD, cf.fieldRef(HART, "direct", "Z"));
            c.jump(direct ? CodeBuffer.IFEQ : CodeBuffer.IFNE, newBail(offsets[region.entry]));
        }
        if (region.entry != 0) {
            // Code of the region below the entry (a function it calls) comes first in the method.
            c.jump(CodeBuffer.GOTO, runLabel[region.entry]);
        }
        for (int k = 0; k < insns.length; k++) {
            if (runLabel[k] >= 0) {
                catchUp();
                c.place(runLabel[k]);
                // The entry's first run was checked by the dispatcher, and passes again here.
                c.local(CodeBuffer.ILOAD, BUDGET);
                pushInt(region.runLength(k));
                c.jump(CodeBuffer.IF_ICMPLT, sideExit(offsets[k]));
            }
            int before = c.length();
            boolean fallsThrough = instruction(insns[k], k, offsets[k]);
            if (isMemory(Region.op(insns[k]))) {
                memoryBytes += c.length() - before;
                memoryInsns++;
            }
            if (!fallsThrough && (k + 1 == insns.length || runLabel[k + 1] < 0)) {
                // Nothing jumps to what follows an unconditional jump: skip to the next run start.
                int next = k + 1;
                while (next < insns.length && runLabel[next] < 0) {
                    next++;
                }
                k = next - 1;
            } else if (fallsThrough && (k + 1 == insns.length || !region.contiguous(k + 1))) {
                // The next instruction in memory is not part of the region.
                catchUp();
                leave(offsets[k] + BlockTranslator.length(insns[k]));
            }
        }
        for (int i = 0; i < exits; i++) {
            c.place(exitLabel[i]);
            leave(exitOffset[i]);
        }
        for (int i = 0; i < bails; i++) {
            c.place(bailLabel[i]);
            // Instructions retired in front of it and its offset, in one int.
            pushInt(bailIndex[i] << 16 | (bailOffset[i] & 0xffff));
            c.jump(CodeBuffer.GOTO, bailOut);
        }
        if (usedBail) {
            // Retire the instructions in front of it, leave with h.bail set and no chaining.
            c.place(bailOut);
            c.op(CodeBuffer.DUP);
            c.op(CodeBuffer.BIPUSH, 16);
            c.op(CodeBuffer.IUSHR);
            c.local(CodeBuffer.ILOAD, BUDGET);
            c.op(CodeBuffer.SWAP);
            c.op(CodeBuffer.ISUB);
            c.local(CodeBuffer.ISTORE, BUDGET);
            c.op(CodeBuffer.I2S);
            c.op(CodeBuffer.I2L);
            c.local(CodeBuffer.LLOAD, PC0);
            c.op(CodeBuffer.LADD);
            c.local(CodeBuffer.LSTORE, A);
            c.local(CodeBuffer.ALOAD, H);
            c.op(CodeBuffer.ICONST_1);
            c.opU2(CodeBuffer.PUTFIELD, cf.fieldRef(HART, "bail", "Z"));
            c.local(CodeBuffer.ALOAD, H);
            c.local(CodeBuffer.ALOAD, 0);
            c.opU2(CodeBuffer.PUTFIELD, cf.fieldRef(HART, "bailed", "L" + BLOCK + ";"));
            c.local(CodeBuffer.ALOAD, H);
            c.local(CodeBuffer.LLOAD, PC0);
            c.opU2(CodeBuffer.PUTFIELD, cf.fieldRef(HART, "bailedPc", "J"));
            c.op(CodeBuffer.ICONST_M1);
            c.local(CodeBuffer.ISTORE, EXIT);
            c.jump(CodeBuffer.GOTO, outAbs);
        }
        if (usedOut) {
            // The target offset on the stack (EXIT set by leave()).
            c.place(out);
            c.op(CodeBuffer.I2L);
            c.local(CodeBuffer.LLOAD, PC0);
            c.op(CodeBuffer.LADD);
            c.local(CodeBuffer.LSTORE, A);
        }
        c.place(outAbs);
        writeBack();
        if (countRetired) {
            // Block.retired += instructions retired since entry (promotion to a HotBlock).
            c.local(CodeBuffer.ALOAD, 0);
            c.op(CodeBuffer.DUP);
            c.opU2(CodeBuffer.GETFIELD, cf.fieldRef(BLOCK, "retired", "J"));
            c.local(CodeBuffer.ILOAD, BUDGET0);
            c.local(CodeBuffer.ILOAD, BUDGET);
            c.op(CodeBuffer.ISUB);
            c.op(CodeBuffer.I2L);
            c.op(CodeBuffer.LADD);
            c.opU2(CodeBuffer.PUTFIELD, cf.fieldRef(BLOCK, "retired", "J"));
        }
        if (linkableExits() > 0) {
            // Block chaining: enter the exit's linked successor directly (Block.linked decides).
            int noChain = c.newLabel(), noLink = c.newLabel();
            c.local(CodeBuffer.ILOAD, EXIT);
            c.jump(CodeBuffer.IFLT, noChain);
            c.local(CodeBuffer.ALOAD, 0);
            c.local(CodeBuffer.ILOAD, EXIT);
            c.local(CodeBuffer.ALOAD, H);
            c.local(CodeBuffer.LLOAD, PC0);
            c.local(CodeBuffer.LLOAD, A);
            pushIcountAndLimit();
            invokeStatic(BLOCK, "linked", "(L" + BLOCK + ";IL" + HART + ";JJJJ)L" + BLOCK + ";");
            c.op(CodeBuffer.DUP);
            c.jump(CodeBuffer.IFNULL, noLink);
            c.local(CodeBuffer.ALOAD, H);
            c.local(CodeBuffer.LLOAD, A);
            pushIcountAndLimit();
            c.opU2(CodeBuffer.INVOKEVIRTUAL, cf.methodRef(BLOCK, "run", "(L" + HART + ";JJJ)J"));
            c.op(CodeBuffer.LRETURN);
            c.place(noLink);
            c.op(CodeBuffer.POP);
            c.place(noChain);
        }
        c.local(CodeBuffer.ALOAD, H);
        c.local(CodeBuffer.LLOAD, A);
        c.opU2(CodeBuffer.PUTFIELD, cf.fieldRef(HART, "pc", "J"));
        c.local(CodeBuffer.LLOAD, END);
        c.local(CodeBuffer.ILOAD, BUDGET);
        c.op(CodeBuffer.I2L);
        c.op(CodeBuffer.LSUB);
        c.op(CodeBuffer.LRETURN);
        return c.toBytes();
    }

    /** Pushes the icount and the limit, the last arguments of Block.run and Block.linked. */
    private void pushIcountAndLimit() {
        pushIcount(0);
        c.local(CodeBuffer.LLOAD, LIMIT);
    }

    /** How many exits may chain: the size of the block's {@link Block#links}. */
    int linkableExits() {
        return jalrCount + linkable;
    }

    /** The link index of a static exit to offset off (exits to the same offset share one). */
    private int linkIndex(int off) {
        for (int i = 0; i < linkable; i++) {
            if (linkOffset[i] == off) {
                return jalrCount + i;
            }
        }
        linkOffset[linkable] = off;
        return jalrCount + linkable++;
    }

    /** Profile count: a call or return that went on inside translated code. */
    private void countChained() {
        c.local(CodeBuffer.ALOAD, H);
        c.opU2(CodeBuffer.GETFIELD, cf.fieldRef(HART, "profile", "Ldev/rewind/emulator/ExecutionProfile;"));
        c.op(CodeBuffer.DUP);
        c.opU2(CodeBuffer.GETFIELD, cf.fieldRef("dev/rewind/emulator/ExecutionProfile", "chained", "J"));
        c.op(CodeBuffer.LCONST_1);
        c.op(CodeBuffer.LADD);
        c.opU2(CodeBuffer.PUTFIELD, cf.fieldRef("dev/rewind/emulator/ExecutionProfile", "chained", "J"));
    }

    /** Brings BUDGET up to date with the instructions retired so far. */
    private void catchUp() {
        for (int n = pending; n > 0; n -= 128) {
            c.iinc(BUDGET, -Math.min(n, 128));
        }
        pending = 0;
    }

    /** Pushes the icount after {@code retired} more instructions than BUDGET counts. */
    void pushIcount(int retired) {
        c.local(CodeBuffer.LLOAD, END);
        c.local(CodeBuffer.ILOAD, BUDGET);
        c.op(CodeBuffer.I2L);
        c.op(CodeBuffer.LSUB);
        if (retired != 0) {
            pushLong(retired);
            c.op(CodeBuffer.LADD);
        }
    }

    /** Leaves with pc = pc0 + off (BUDGET up to date; off may reach far outside the page) through its link. */
    private void leave(int off) {
        pushInt(linkIndex(off));
        c.local(CodeBuffer.ISTORE, EXIT);
        pushInt(off);
        c.jump(CodeBuffer.GOTO, out);
        usedOut = true;
    }

    /** A label, emitted after the body, that leaves with pc = pc0 + off (BUDGET up to date). */
    private int sideExit(int off) {
        int label = c.newLabel();
        exitLabel[exits] = label;
        exitOffset[exits] = off;
        exits++;
        return label;
    }

    /** Where control goes for a jump to offset t: the region's own instruction, or a side exit. */
    private int jumpTo(long t) {
        int k = region.internal(t);
        return k >= 0 ? runLabel[k] : sideExit((int) t);
    }

    private void writeBack() {
        for (int r = 1; r < 32; r++) {
            if (written[r]) {
                c.local(CodeBuffer.ALOAD, X);
                pushInt(r);
                c.local(CodeBuffer.LLOAD, reg(r));
                c.op(CodeBuffer.LASTORE);
            }
        }
    }

    int newBail(int off) {
        int label = c.newLabel();
        bailLabel[bails] = label;
        bailOffset[bails] = off;
        bailIndex[bails] = pending;
        bails++;
        usedBail = true;
        return label;
    }

    /** Emits instruction k at byte offset off; returns false if control never falls through it. */
    private boolean instruction(long e, int k, int off) {
        int w = DecodedPage.word(e);
        int imm = DecodedPage.imm(e);
        int op = w & 0xff;
        int rd = (w >>> Op.RD_SHIFT) & 63;
        int rs1 = (w >>> Op.RS1_SHIFT) & 31;
        int rs2 = (w >>> Op.RS2_SHIFT) & 31;
        int len = BlockTranslator.length(e);
        boolean sink = rd == Op.X0_SINK;
        switch (op) {
            case Op.JAL -> {
                if (!sink) {
                    c.local(CodeBuffer.LLOAD, PC0);
                    pushLong(off + len);
                    c.op(CodeBuffer.LADD);
                    write(rd);
                }
                pending++;
                catchUp();
                long t = off + (long) imm;
                if (region.internal(t) >= 0) {
                    if (ExecutionProfile.ON && !sink) {
                        countChained();
                    }
                    c.jump(CodeBuffer.GOTO, runLabel[region.internal(t)]);
                } else {
                    leave((int) t);
                }
                return false;
            }
            case Op.JALR -> {
                read(rs1);
                pushLong(imm);
                c.op(CodeBuffer.LADD);
                pushLong(~1L);
                c.op(CodeBuffer.LAND);
                c.local(CodeBuffer.LSTORE, A);
                if (!sink) {
                    c.local(CodeBuffer.LLOAD, PC0);
                    pushLong(off + len);
                    c.op(CodeBuffer.LADD);
                    write(rd);
                }
                pending++;
                catchUp();
                // A return (or call) to an instruction of the region stays in the method.
                for (int t : region.jalrTargets(k)) {
                    c.local(CodeBuffer.LLOAD, A);
                    c.local(CodeBuffer.LLOAD, PC0);
                    pushLong(offsets[t]);
                    c.op(CodeBuffer.LADD);
                    c.op(CodeBuffer.LCMP);
                    if (ExecutionProfile.ON) {
                        int miss = c.newLabel();
                        c.jump(CodeBuffer.IFNE, miss);
                        countChained();
                        c.jump(CodeBuffer.GOTO, runLabel[t]);
                        c.place(miss);
                    } else {
                        c.jump(CodeBuffer.IFEQ, runLabel[t]);
                    }
                }
                // Each JALR its own link (a one-entry target cache); the static exits' follow.
                pushInt(jalrs++);
                c.local(CodeBuffer.ISTORE, EXIT);
                c.jump(CodeBuffer.GOTO, outAbs);
                return false;
            }
            case Op.BEQ, Op.BNE, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU -> {
                // The branch retires on both paths.
                pending++;
                catchUp();
                boolean unsigned = op == Op.BLTU || op == Op.BGEU;
                read(rs1);
                if (unsigned) {
                    pushLong(Long.MIN_VALUE);
                    c.op(CodeBuffer.LADD);
                }
                read(rs2);
                if (unsigned) {
                    pushLong(Long.MIN_VALUE);
                    c.op(CodeBuffer.LADD);
                }
                c.op(CodeBuffer.LCMP);
                int jump = switch (op) {
                    case Op.BEQ -> CodeBuffer.IFEQ;
                    case Op.BNE -> CodeBuffer.IFNE;
                    case Op.BLT, Op.BLTU -> CodeBuffer.IFLT;
                    default -> CodeBuffer.IFGE;
                };
                c.jump(jump, jumpTo(off + (long) imm));
                return true;
            }
            case Op.LB, Op.LH, Op.LW, Op.LD, Op.LBU, Op.LHU, Op.LWU -> {
                memory.load(op, rd, rs1, imm, off, region.deviceLoad(k) ? pending : -1);
                pending++;
                return true;
            }
            case Op.SB, Op.SH, Op.SW, Op.SD -> {
                memory.store(op, rs1, rs2, imm, off);
                pending++;
                return true;
            }
            case Op.FENCE, Op.FENCE_I -> {
                // Stores invalidate decoded code as they happen (see Hart), so nothing to do.
                pending++;
                return true;
            }
            case Op.FLW, Op.FLD -> {
                fp.load(op, rd, rs1, imm, off);
                pending++;
                return true;
            }
            case Op.FSW, Op.FSD -> {
                fp.store(op, rs1, rs2, imm, off);
                pending++;
                return true;
            }
            default -> {
                if (op >= Op.FP_FIRST && op <= Op.FP_LAST) {
                    fp.operation(w, imm, off);
                } else if (!sink) {
                    alu.operation(op, rs1, rs2, imm, off);
                    write(rd);
                }
                pending++;
                return true;
            }
        }
    }
}
