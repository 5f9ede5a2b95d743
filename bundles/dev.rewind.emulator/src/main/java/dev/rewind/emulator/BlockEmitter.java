package dev.rewind.emulator;

/**
 * Emits the body of {@code Block.run} for one block ({@link BlockTranslator}). Guest registers
 * live in long locals, loaded once at entry and written back at every exit; loads and stores
 * follow the interpreter's RAM fast path and jump to a shared bail-out otherwise.
 *
 * <p>A block is a region of consecutive instructions, not only a straight line: a branch or
 * JAL whose target is one of the region's own instructions jumps there inside the method
 * (chaining without a trip through the dispatcher), anything else leaves it. The code is cut
 * into runs, each from a run start (the entry, a jump target, the fall-through of a branch) to
 * the next control transfer; a run is entered only if it fits under the icount limit whole,
 * otherwise the block leaves in front of it, so runs stop at exact icounts as the dispatcher's
 * own check does for the first run ({@link Block#length}).
 */
final class BlockEmitter {
    private static final String HART = BlockTranslator.HART, BLOCK = BlockTranslator.BLOCK;
    private static final String ARITH = "dev/rewind/emulator/Arithmetic";
    private static final String FPU = "dev/rewind/emulator/FloatUnit", CSRS = "dev/rewind/emulator/CsrFile",
            SOFT = "dev/rewind/emulator/fp/SoftFloat";

    // Locals of run(Hart h, long pc0, long ic, long limit).
    private static final int H = 1, PC0 = 2, IC = 4, LIMIT = 6, X = 8, MEM = 9, FLAGS = 10, DIRECT = 11,
            RTAG = 12, ROFF = 13, WTAG = 14, WOFF = 15, A = 16, O = 18, VPN = 20, RAMLAST = 22,
            EXIT_OFF = 24, F = 25, FPUNIT = 26, FP_ON = 27, RM = 28, REGS = 29;
    static final int LOCALS = REGS + 62;

    private final ClassFileWriter cf;
    private final long[] insns;
    private final CodeBuffer c = new CodeBuffer();
    private final boolean[] written = new boolean[32];
    /** Common tails: leave with pc = pc0 + EXIT_OFF, the same after setting h.bail, leave with pc = A. */
    private final int out = c.newLabel(), bailOut = c.newLabel(), outAbs = c.newLabel();
    private boolean usedBail, usedAbs;
    /** Byte offset of each instruction from the block start, and the offset just past the last. */
    private final int[] offsets;
    private final int end;
    /** Instruction index by offset / 2, -1 between instructions. */
    private final int[] indexAt;
    /** Per instruction: the label of a run start (a jump target or a branch's fall-through), else -1. */
    private final int[] runLabel;
    /** Per instruction: a branch or JAL inside the region jumps to it. */
    private final boolean[] target;
    /** Side exits emitted after the body: label and the offset they leave for. */
    private final int[] exitLabel, exitOffset;
    private int exits;
    /** Per memory instruction: its bail label, offset, and instructions retired before it since IC was updated. */
    private final int[] bailLabel, bailOffset, bailIndex;
    private int bails;
    /** Instructions retired since the IC local was last brought up to date. */
    private int pending;

    BlockEmitter(ClassFileWriter cf, long[] insns) {
        this.cf = cf;
        this.insns = insns;
        int n = insns.length;
        this.offsets = new int[n];
        int off = 0;
        for (int k = 0; k < n; k++) {
            offsets[k] = off;
            off += BlockTranslator.length(insns[k]);
        }
        this.end = off;
        this.indexAt = new int[end / 2 + 1];
        java.util.Arrays.fill(indexAt, -1);
        for (int k = 0; k < n; k++) {
            indexAt[offsets[k] / 2] = k;
        }
        this.target = new boolean[n];
        this.runLabel = new int[n];
        java.util.Arrays.fill(runLabel, -1);
        for (int k = 0; k < n; k++) {
            int op = DecodedPage.word(insns[k]) & 0xff;
            if (isBranch(op) || op == Op.JAL) {
                int t = internal(offsets[k] + DecodedPage.imm(insns[k]));
                if (t >= 0) {
                    target[t] = true;
                }
            }
        }
        for (int k = 0; k < n; k++) {
            boolean afterBranch = k > 0 && isBranch(DecodedPage.word(insns[k - 1]) & 0xff);
            if (target[k] || afterBranch) {
                runLabel[k] = c.newLabel();
            }
        }
        this.exitLabel = new int[2 * n + 1];
        this.exitOffset = new int[2 * n + 1];
        this.bailLabel = new int[n];
        this.bailOffset = new int[n];
        this.bailIndex = new int[n];
    }

    static boolean isBranch(int op) {
        return op >= Op.BEQ && op <= Op.BGEU;
    }

    static boolean transfersControl(int op) {
        return isBranch(op) || op == Op.JAL || op == Op.JALR;
    }

    /** The index of the region's instruction at byte offset t from the start, or -1 if t leaves the region. */
    private int internal(long t) {
        return t >= 0 && t < end && (t & 1) == 0 ? indexAt[(int) t / 2] : -1;
    }

    /** Instructions from k up to and including the next control transfer (or the region's end). */
    static int runLength(long[] insns, int k) {
        for (int j = k; j < insns.length; j++) {
            if (transfersControl(DecodedPage.word(insns[j]) & 0xff)) {
                return j - k + 1;
            }
        }
        return insns.length - k;
    }

    private static int reg(int r) {
        return REGS + 2 * (r - 1);
    }

    private void read(int r) {
        if (r == 0) {
            c.op(CodeBuffer.LCONST_0);
        } else {
            c.local(CodeBuffer.LLOAD, reg(r));
        }
    }

    /** Stores the long on the stack into rd (x0 is the sink register 32: dropped). */
    private void write(int rd) {
        if (rd == 0 || rd == Op.X0_SINK) {
            c.op(CodeBuffer.POP2);
        } else {
            c.local(CodeBuffer.LSTORE, reg(rd));
        }
    }

    private void pushLong(long v) {
        if (v == 0) {
            c.op(CodeBuffer.LCONST_0);
        } else if (v == 1) {
            c.op(CodeBuffer.LCONST_1);
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

    private void pushInt(int v) {
        if (v == (byte) v) {
            c.op(CodeBuffer.BIPUSH, v & 0xff);
        } else if (v == (short) v) {
            c.opU2(CodeBuffer.SIPUSH, v & 0xffff);
        } else {
            c.opU2(CodeBuffer.LDC_W, cf.intConstant(v));
        }
    }

    private void getHart(int local, String field, String desc, int store) {
        c.local(CodeBuffer.ALOAD, H);
        c.opU2(CodeBuffer.GETFIELD, cf.fieldRef(HART, field, desc));
        c.local(store, local);
    }

    private void invokeStatic(String owner, String name, String desc) {
        c.opU2(CodeBuffer.INVOKESTATIC, cf.methodRef(owner, name, desc));
    }

    byte[] emit() {
        boolean memory = false, stores = false, fp = false;
        boolean[] used = new boolean[32];
        for (long e : insns) {
            int w = DecodedPage.word(e);
            int op = w & 0xff;
            int rd = (w >>> Op.RD_SHIFT) & 63;
            boolean isFp = op >= Op.FP_FIRST && op <= Op.FP_LAST;
            // An FP op names f registers, except an address base, an integer source or an x result.
            if (!isFp || op <= Op.FSD || intSource(op)) {
                used[(w >>> Op.RS1_SHIFT) & 31] = true;
            }
            if (!isFp) {
                used[(w >>> Op.RS2_SHIFT) & 31] = true;
            }
            if (rd != Op.X0_SINK && !Op.writesFloat(op) && op != Op.FSW && op != Op.FSD) {
                used[rd] = true;
                written[rd] = true;
            }
            fp |= isFp;
            memory |= (op >= Op.LB && op <= Op.SD) || (op >= Op.FLW && op <= Op.FSD);
            stores |= (op >= Op.SB && op <= Op.SD) || op == Op.FSW || op == Op.FSD;
        }
        used[0] = false;
        written[0] = false;
        getHart(X, "x", "[J", CodeBuffer.ASTORE);
        if (fp) {
            // FS cannot change inside a block (CSR writes are not translated): test it once.
            getHart(FPUNIT, "fpu", "L" + FPU + ";", CodeBuffer.ASTORE);
            c.local(CodeBuffer.ALOAD, FPUNIT);
            c.opU2(CodeBuffer.GETFIELD, cf.fieldRef(FPU, "f", "[J"));
            c.local(CodeBuffer.ASTORE, F);
            c.local(CodeBuffer.ALOAD, H);
            c.opU2(CodeBuffer.GETFIELD, cf.fieldRef(HART, "csrs", "L" + CSRS + ";"));
            c.opU2(CodeBuffer.GETFIELD, cf.fieldRef(CSRS, "mstatus", "J"));
            pushLong(CsrFile.MSTATUS_FS);
            c.op(CodeBuffer.LAND);
            c.op(CodeBuffer.L2I);
            c.local(CodeBuffer.ISTORE, FP_ON);
        }
        if (memory) {
            getHart(MEM, "mem", "[B", CodeBuffer.ASTORE);
            getHart(DIRECT, "direct", "Z", CodeBuffer.ISTORE);
            getHart(RAMLAST, "ramLast", "J", CodeBuffer.LSTORE);
            getHart(RTAG, "rTag", "[J", CodeBuffer.ASTORE);
            getHart(ROFF, "rOff", "[J", CodeBuffer.ASTORE);
            if (stores) {
                getHart(FLAGS, "flags", "[B", CodeBuffer.ASTORE);
                getHart(WTAG, "wTag", "[J", CodeBuffer.ASTORE);
                getHart(WOFF, "wOff", "[J", CodeBuffer.ASTORE);
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
        for (int k = 0; k < insns.length; k++) {
            if (runLabel[k] >= 0) {
                catchUp();
                c.place(runLabel[k]);
                // The entry's first run was checked by the dispatcher, and passes again here.
                c.local(CodeBuffer.LLOAD, IC);
                pushLong(runLength(insns, k));
                c.op(CodeBuffer.LADD);
                c.local(CodeBuffer.LLOAD, LIMIT);
                c.op(CodeBuffer.LCMP);
                c.jump(CodeBuffer.IFGT, sideExit(offsets[k]));
            }
            boolean fallsThrough = instruction(insns[k], k, offsets[k]);
            if (!fallsThrough && (k + 1 == insns.length || runLabel[k + 1] < 0)) {
                // Nothing jumps to what follows an unconditional jump: skip to the next run start.
                int next = k + 1;
                while (next < insns.length && runLabel[next] < 0) {
                    next++;
                }
                k = next - 1;
            } else if (k + 1 == insns.length && fallsThrough) {
                catchUp();
                leave(end);
            }
        }
        for (int i = 0; i < exits; i++) {
            c.place(exitLabel[i]);
            leave(exitOffset[i]);
        }
        for (int i = 0; i < bails; i++) {
            c.place(bailLabel[i]);
            addToIc(bailIndex[i]);
            pushInt(bailOffset[i]);
            c.local(CodeBuffer.ISTORE, EXIT_OFF);
            c.jump(CodeBuffer.GOTO, bailOut);
        }
        if (usedBail) {
            c.place(bailOut);
            c.local(CodeBuffer.ALOAD, H);
            c.op(CodeBuffer.ICONST_1);
            c.opU2(CodeBuffer.PUTFIELD, cf.fieldRef(HART, "bail", "Z"));
        }
        c.place(out);
        writeBack();
        c.local(CodeBuffer.ALOAD, H);
        c.local(CodeBuffer.LLOAD, PC0);
        c.local(CodeBuffer.ILOAD, EXIT_OFF);
        c.op(CodeBuffer.I2L);
        c.op(CodeBuffer.LADD);
        c.opU2(CodeBuffer.PUTFIELD, cf.fieldRef(HART, "pc", "J"));
        c.local(CodeBuffer.LLOAD, IC);
        c.op(CodeBuffer.LRETURN);
        if (usedAbs) {
            c.place(outAbs);
            writeBack();
            c.local(CodeBuffer.ALOAD, H);
            c.local(CodeBuffer.LLOAD, A);
            c.opU2(CodeBuffer.PUTFIELD, cf.fieldRef(HART, "pc", "J"));
            c.local(CodeBuffer.LLOAD, IC);
            c.op(CodeBuffer.LRETURN);
        }
        return c.toBytes();
    }

    private void addToIc(int n) {
        if (n != 0) {
            c.local(CodeBuffer.LLOAD, IC);
            pushLong(n);
            c.op(CodeBuffer.LADD);
            c.local(CodeBuffer.LSTORE, IC);
        }
    }

    /** Brings the IC local up to date with the instructions retired so far. */
    private void catchUp() {
        addToIc(pending);
        pending = 0;
    }

    /** Leaves with pc = pc0 + off (IC up to date). */
    private void leave(int off) {
        pushInt(off);
        c.local(CodeBuffer.ISTORE, EXIT_OFF);
        c.jump(CodeBuffer.GOTO, out);
    }

    /** A label, emitted after the body, that leaves with pc = pc0 + off (IC up to date). */
    private int sideExit(int off) {
        int label = c.newLabel();
        exitLabel[exits] = label;
        exitOffset[exits] = off;
        exits++;
        return label;
    }

    /** Where control goes for a jump to offset t: the region's own instruction, or a side exit. */
    private int jumpTo(long t) {
        int k = internal(t);
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

    private int newBail(int off) {
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
                if (internal(t) >= 0) {
                    c.jump(CodeBuffer.GOTO, runLabel[internal(t)]);
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
                usedAbs = true;
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
                load(op, rd, rs1, imm, off);
                pending++;
                return true;
            }
            case Op.SB, Op.SH, Op.SW, Op.SD -> {
                store(op, rs1, rs2, imm, off);
                pending++;
                return true;
            }
            case Op.FENCE, Op.FENCE_I -> {
                // Stores invalidate decoded code as they happen (see Hart), so nothing to do.
                pending++;
                return true;
            }
            case Op.FLW, Op.FLD -> {
                fpLoad(op, rd, rs1, imm, off);
                pending++;
                return true;
            }
            case Op.FSW, Op.FSD -> {
                fpStore(op, rs1, rs2, imm, off);
                pending++;
                return true;
            }
            default -> {
                if (op >= Op.FP_FIRST && op <= Op.FP_LAST) {
                    floatingPoint(w, imm, off);
                } else if (!sink) {
                    alu(op, rs1, rs2, imm, off);
                    write(rd);
                }
                pending++;
                return true;
            }
        }
    }

    /** FP ops reading x[rs1]. */
    private static boolean intSource(int op) {
        return op == Op.FMV_W_X || op == Op.FMV_D_X || (op >= Op.FCVT_S_W && op <= Op.FCVT_S_LU)
                || (op >= Op.FCVT_D_W && op <= Op.FCVT_D_LU);
    }

    /** Bails to the interpreter (which raises illegal instruction) while FS is Off. */
    private void requireFp(int bailTo) {
        c.local(CodeBuffer.ILOAD, FP_ON);
        c.jump(CodeBuffer.IFEQ, bailTo);
    }

    /** mstatus.FS = Dirty, as every instruction writing an f register does. */
    private void markFpDirty() {
        c.local(CodeBuffer.ALOAD, H);
        c.opU2(CodeBuffer.GETFIELD, cf.fieldRef(HART, "csrs", "L" + CSRS + ";"));
        c.op(CodeBuffer.DUP);
        c.opU2(CodeBuffer.GETFIELD, cf.fieldRef(CSRS, "mstatus", "J"));
        pushLong(CsrFile.MSTATUS_FS);
        c.op(CodeBuffer.LOR);
        c.opU2(CodeBuffer.PUTFIELD, cf.fieldRef(CSRS, "mstatus", "J"));
    }

    /** The SoftFloat method and descriptor of a double-precision op called directly, or null. */
    private static String[] direct(int op) {
        String two = "(IJJI)J";
        return switch (op) {
            case Op.FADD_D -> new String[] {"add", two};
            case Op.FSUB_D -> new String[] {"sub", two};
            case Op.FMUL_D -> new String[] {"mul", two};
            case Op.FDIV_D -> new String[] {"div", two};
            case Op.FSQRT_D -> new String[] {"sqrt", "(IJI)J"};
            case Op.FMADD_D, Op.FMSUB_D, Op.FNMSUB_D, Op.FNMADD_D -> new String[] {"fma", "(IJJJIZZ)J"};
            default -> null;
        };
    }

    /**
     * The common double-precision arithmetic called straight on {@link dev.rewind.emulator.fp.SoftFloat}
     * (no dispatch through {@link FloatUnit#execute}): f[rd] = op(f[rs1], f[rs2][, f[rs3]], rm).
     */
    private void directFloatingPoint(int w, int imm, int bailTo, String[] method) {
        int op = w & 0xff;
        int rm = imm & 7;
        if (rm == 7) {
            // Dynamic: frm, unless reserved (the interpreter raises the trap).
            c.local(CodeBuffer.ALOAD, FPUNIT);
            c.opU2(CodeBuffer.GETFIELD, cf.fieldRef(FPU, "frm", "I"));
            c.local(CodeBuffer.ISTORE, RM);
            c.local(CodeBuffer.ILOAD, RM);
            pushInt(4);
            c.jump(CodeBuffer.IF_ICMPGT, bailTo);
        }
        c.local(CodeBuffer.ALOAD, F);
        pushInt((w >>> Op.RD_SHIFT) & 63);
        c.local(CodeBuffer.ALOAD, FPUNIT);
        c.opU2(CodeBuffer.GETFIELD, cf.fieldRef(FPU, "sf", "L" + SOFT + ";"));
        pushInt(dev.rewind.emulator.fp.SoftFloat.F64);
        fReg((w >>> Op.RS1_SHIFT) & 31);
        if (op != Op.FSQRT_D) {
            fReg((w >>> Op.RS2_SHIFT) & 31);
        }
        boolean fma = op >= Op.FMADD_D && op <= Op.FNMADD_D;
        if (fma) {
            fReg(imm >>> 3);
        }
        if (rm == 7) {
            c.local(CodeBuffer.ILOAD, RM);
        } else {
            pushInt(rm);
        }
        if (fma) {
            pushInt(op == Op.FNMSUB_D || op == Op.FNMADD_D ? 1 : 0); // negate the product
            pushInt(op == Op.FMSUB_D || op == Op.FNMADD_D ? 1 : 0); // negate c
        }
        c.opU2(CodeBuffer.INVOKEVIRTUAL, cf.methodRef(SOFT, method[0], method[1]));
        c.op(CodeBuffer.LASTORE);
        markFpDirty();
    }

    private void fReg(int r) {
        c.local(CodeBuffer.ALOAD, F);
        pushInt(r);
        c.op(CodeBuffer.LALOAD);
    }

    /** An F/D op other than a load or store, through {@link FloatUnit#runInBlock}. */
    private void floatingPoint(int w, int imm, int off) {
        int op = w & 0xff;
        int rd = (w >>> Op.RD_SHIFT) & 63;
        int bailTo = newBail(off);
        requireFp(bailTo);
        String[] method = direct(op);
        if (method != null) {
            directFloatingPoint(w, imm, bailTo, method);
            return;
        }
        c.local(CodeBuffer.ALOAD, FPUNIT);
        c.opU2(CodeBuffer.LDC_W, cf.intConstant(w));
        c.opU2(CodeBuffer.LDC_W, cf.intConstant(imm));
        if (intSource(op)) {
            read((w >>> Op.RS1_SHIFT) & 31);
        } else {
            c.op(CodeBuffer.LCONST_0);
        }
        c.opU2(CodeBuffer.INVOKEVIRTUAL, cf.methodRef(FPU, "runInBlock", "(IIJ)J"));
        if (Op.writesFloat(op)) {
            c.op(CodeBuffer.POP2);
            if (FloatUnit.rounds(op) && (imm & 7) == 7) {
                // A reserved frm: nothing was changed; the interpreter raises the trap.
                c.local(CodeBuffer.ALOAD, FPUNIT);
                c.opU2(CodeBuffer.GETFIELD, cf.fieldRef(FPU, "status", "I"));
                pushInt(FloatUnit.ILLEGAL);
                c.jump(CodeBuffer.IF_ICMPEQ, bailTo);
            }
            markFpDirty();
        } else {
            write(rd); // x results are translated only where the rounding mode cannot be reserved
        }
    }

    private void fpLoad(int op, int rd, int rs1, int imm, int off) {
        int bailTo = newBail(off);
        requireFp(bailTo);
        address(rs1, imm, op == Op.FLW ? 4 : 8, false, bailTo);
        c.local(CodeBuffer.ALOAD, F);
        pushInt(rd);
        c.local(CodeBuffer.ALOAD, MEM);
        c.local(CodeBuffer.LLOAD, O);
        c.op(CodeBuffer.L2I);
        if (op == Op.FLW) {
            invokeStatic(BLOCK, "lwu", "([BI)J");
            pushLong(FloatUnit.BOX);
            c.op(CodeBuffer.LOR);
        } else {
            invokeStatic(BLOCK, "ld", "([BI)J");
        }
        c.op(CodeBuffer.LASTORE);
        markFpDirty();
    }

    private void fpStore(int op, int rs1, int rs2, int imm, int off) {
        int bailTo = newBail(off);
        requireFp(bailTo);
        int size = op == Op.FSW ? 4 : 8;
        address(rs1, imm, size, true, bailTo);
        pushStoreTarget(size, bailTo);
        c.local(CodeBuffer.ALOAD, F);
        pushInt(rs2);
        c.op(CodeBuffer.LALOAD);
        invokeStatic(BLOCK, size == 4 ? "sw" : "sd", "([BIJ)V");
    }

    private void lessThan() {
        c.op(CodeBuffer.LCMP);
        c.op(CodeBuffer.BIPUSH, 31);
        c.op(CodeBuffer.IUSHR);
        c.op(CodeBuffer.I2L);
    }

    /** Pushes the result of a register-to-register or immediate operation. */
    private void alu(int op, int rs1, int rs2, int imm, int off) {
        switch (op) {
            case Op.LUI -> pushLong(imm);
            case Op.AUIPC -> {
                c.local(CodeBuffer.LLOAD, PC0);
                pushLong(off + (long) imm);
                c.op(CodeBuffer.LADD);
            }
            case Op.ADDI -> binaryImm(rs1, imm, CodeBuffer.LADD);
            case Op.XORI -> binaryImm(rs1, imm, CodeBuffer.LXOR);
            case Op.ORI -> binaryImm(rs1, imm, CodeBuffer.LOR);
            case Op.ANDI -> binaryImm(rs1, imm, CodeBuffer.LAND);
            case Op.SLTI -> {
                read(rs1);
                pushLong(imm);
                lessThan();
            }
            case Op.SLTIU -> {
                read(rs1);
                pushLong(Long.MIN_VALUE);
                c.op(CodeBuffer.LADD);
                pushLong(imm + Long.MIN_VALUE);
                lessThan();
            }
            case Op.SLLI, Op.SRLI, Op.SRAI -> {
                read(rs1);
                pushInt(imm);
                c.op(op == Op.SLLI ? CodeBuffer.LSHL : op == Op.SRLI ? CodeBuffer.LUSHR : CodeBuffer.LSHR);
            }
            case Op.ADD -> binary(rs1, rs2, CodeBuffer.LADD);
            case Op.SUB -> binary(rs1, rs2, CodeBuffer.LSUB);
            case Op.XOR -> binary(rs1, rs2, CodeBuffer.LXOR);
            case Op.OR -> binary(rs1, rs2, CodeBuffer.LOR);
            case Op.AND -> binary(rs1, rs2, CodeBuffer.LAND);
            case Op.MUL -> binary(rs1, rs2, CodeBuffer.LMUL);
            case Op.SLL, Op.SRL, Op.SRA -> {
                read(rs1);
                read(rs2);
                c.op(CodeBuffer.L2I);
                c.op(op == Op.SLL ? CodeBuffer.LSHL : op == Op.SRL ? CodeBuffer.LUSHR : CodeBuffer.LSHR);
            }
            case Op.SLT -> {
                read(rs1);
                read(rs2);
                lessThan();
            }
            case Op.SLTU -> {
                read(rs1);
                pushLong(Long.MIN_VALUE);
                c.op(CodeBuffer.LADD);
                read(rs2);
                pushLong(Long.MIN_VALUE);
                c.op(CodeBuffer.LADD);
                lessThan();
            }
            case Op.ADDIW -> {
                binaryImm(rs1, imm, CodeBuffer.LADD);
                c.op(CodeBuffer.L2I);
                c.op(CodeBuffer.I2L);
            }
            case Op.SLLIW, Op.SRLIW, Op.SRAIW -> {
                read(rs1);
                c.op(CodeBuffer.L2I);
                pushInt(imm);
                c.op(op == Op.SLLIW ? CodeBuffer.ISHL : op == Op.SRLIW ? CodeBuffer.IUSHR : CodeBuffer.ISHR);
                c.op(CodeBuffer.I2L);
            }
            case Op.ADDW, Op.SUBW -> {
                binary(rs1, rs2, op == Op.ADDW ? CodeBuffer.LADD : CodeBuffer.LSUB);
                c.op(CodeBuffer.L2I);
                c.op(CodeBuffer.I2L);
            }
            case Op.SLLW, Op.SRLW, Op.SRAW, Op.MULW -> {
                read(rs1);
                c.op(CodeBuffer.L2I);
                read(rs2);
                c.op(CodeBuffer.L2I);
                c.op(switch (op) {
                    case Op.SLLW -> CodeBuffer.ISHL;
                    case Op.SRLW -> CodeBuffer.IUSHR;
                    case Op.SRAW -> CodeBuffer.ISHR;
                    default -> CodeBuffer.IMUL;
                });
                c.op(CodeBuffer.I2L);
            }
            case Op.MULH -> {
                read(rs1);
                read(rs2);
                invokeStatic("java/lang/Math", "multiplyHigh", "(JJ)J");
            }
            default -> {
                String name = switch (op) {
                    case Op.MULHSU -> "mulhsu";
                    case Op.MULHU -> "mulhu";
                    case Op.DIV -> "div";
                    case Op.DIVU -> "divu";
                    case Op.REM -> "rem";
                    case Op.REMU -> "remu";
                    case Op.DIVW -> "divw";
                    case Op.DIVUW -> "divuw";
                    case Op.REMW -> "remw";
                    case Op.REMUW -> "remuw";
                    default -> throw new IllegalStateException("op " + op + " is not translated");
                };
                read(rs1);
                read(rs2);
                invokeStatic(ARITH, name, "(JJ)J");
            }
        }
    }

    private void binary(int rs1, int rs2, int opcode) {
        read(rs1);
        read(rs2);
        c.op(opcode);
    }

    private void binaryImm(int rs1, int imm, int opcode) {
        read(rs1);
        pushLong(imm);
        c.op(opcode);
    }

    /**
     * Leaves o = the RAM offset of a = rs1 + imm, or jumps to the bail label, following the
     * interpreter's fast path: direct RAM offsets, or the read/write TLB.
     */
    private void address(int rs1, int imm, int size, boolean store, int bailTo) {
        read(rs1);
        pushLong(imm);
        c.op(CodeBuffer.LADD);
        c.local(CodeBuffer.LSTORE, A);
        int tlb = c.newLabel();
        int done = c.newLabel();
        c.local(CodeBuffer.ILOAD, DIRECT);
        c.jump(CodeBuffer.IFEQ, tlb);
        // direct: o = a - RAM_BASE within [0, ramLast]
        c.local(CodeBuffer.LLOAD, A);
        pushLong(Hart.RAM_BASE);
        c.op(CodeBuffer.LSUB);
        c.local(CodeBuffer.LSTORE, O);
        c.local(CodeBuffer.LLOAD, O);
        c.local(CodeBuffer.LLOAD, RAMLAST);
        c.local(CodeBuffer.LLOAD, O);
        c.op(CodeBuffer.LSUB);
        c.op(CodeBuffer.LOR);
        c.op(CodeBuffer.LCONST_0);
        c.op(CodeBuffer.LCMP);
        c.jump(CodeBuffer.IFLT, bailTo);
        c.jump(CodeBuffer.GOTO, done);
        // translated: the TLB entry of the page must match
        c.place(tlb);
        c.local(CodeBuffer.LLOAD, A);
        c.op(CodeBuffer.BIPUSH, 12);
        c.op(CodeBuffer.LUSHR);
        c.local(CodeBuffer.LSTORE, VPN);
        c.local(CodeBuffer.ALOAD, store ? WTAG : RTAG);
        tlbIndex();
        c.op(CodeBuffer.LALOAD);
        c.local(CodeBuffer.LLOAD, VPN);
        c.op(CodeBuffer.LCMP);
        c.jump(CodeBuffer.IFNE, bailTo);
        if (!store) {
            pageOffsetFits(A, size, bailTo);
        }
        c.local(CodeBuffer.ALOAD, store ? WOFF : ROFF);
        tlbIndex();
        c.op(CodeBuffer.LALOAD);
        c.local(CodeBuffer.LLOAD, A);
        pushLong(0xfff);
        c.op(CodeBuffer.LAND);
        c.op(CodeBuffer.LOR);
        c.local(CodeBuffer.LSTORE, O);
        c.place(done);
    }

    private void tlbIndex() {
        c.local(CodeBuffer.LLOAD, VPN);
        c.op(CodeBuffer.L2I);
        pushInt(Hart.TLB_MASK);
        c.op(CodeBuffer.IAND);
    }

    /** Bails unless (local & 0xfff) + size stays inside the page. */
    private void pageOffsetFits(int local, int size, int bailTo) {
        c.local(CodeBuffer.LLOAD, local);
        pushLong(0xfff);
        c.op(CodeBuffer.LAND);
        pushLong(4096 - size);
        c.op(CodeBuffer.LCMP);
        c.jump(CodeBuffer.IFGT, bailTo);
    }

    private static int size(int op) {
        return switch (op) {
            case Op.LB, Op.LBU, Op.SB -> 1;
            case Op.LH, Op.LHU, Op.SH -> 2;
            case Op.LW, Op.LWU, Op.SW -> 4;
            default -> 8;
        };
    }

    private void load(int op, int rd, int rs1, int imm, int off) {
        int bailTo = newBail(off);
        address(rs1, imm, size(op), false, bailTo);
        c.local(CodeBuffer.ALOAD, MEM);
        c.local(CodeBuffer.LLOAD, O);
        c.op(CodeBuffer.L2I);
        switch (op) {
            case Op.LB -> {
                c.op(CodeBuffer.BALOAD);
                c.op(CodeBuffer.I2L);
            }
            case Op.LBU -> {
                c.op(CodeBuffer.BALOAD);
                pushInt(0xff);
                c.op(CodeBuffer.IAND);
                c.op(CodeBuffer.I2L);
            }
            case Op.LH -> invokeStatic(BLOCK, "lh", "([BI)J");
            case Op.LHU -> invokeStatic(BLOCK, "lhu", "([BI)J");
            case Op.LW -> invokeStatic(BLOCK, "lw", "([BI)J");
            case Op.LWU -> invokeStatic(BLOCK, "lwu", "([BI)J");
            default -> invokeStatic(BLOCK, "ld", "([BI)J");
        }
        write(rd);
    }

    /**
     * For a store to the offset in O: bails unless its page is already dirty and holds no decoded
     * code or device hooks (the only pages the fast path may write) and the access stays inside
     * the page; then pushes RAM and the offset as an int, for the value and the array store.
     */
    private void pushStoreTarget(int size, int bailTo) {
        c.local(CodeBuffer.ALOAD, FLAGS);
        c.local(CodeBuffer.LLOAD, O);
        c.op(CodeBuffer.BIPUSH, 12);
        c.op(CodeBuffer.LUSHR);
        c.op(CodeBuffer.L2I);
        c.op(CodeBuffer.BALOAD);
        pushInt(Memory.DIRTY);
        c.jump(CodeBuffer.IF_ICMPNE, bailTo);
        pageOffsetFits(O, size, bailTo);
        c.local(CodeBuffer.ALOAD, MEM);
        c.local(CodeBuffer.LLOAD, O);
        c.op(CodeBuffer.L2I);
    }

    private void store(int op, int rs1, int rs2, int imm, int off) {
        int bailTo = newBail(off);
        int size = size(op);
        address(rs1, imm, size, true, bailTo);
        pushStoreTarget(size, bailTo);
        read(rs2);
        switch (op) {
            case Op.SB -> {
                c.op(CodeBuffer.L2I);
                c.op(CodeBuffer.BASTORE);
            }
            case Op.SH -> invokeStatic(BLOCK, "sh", "([BIJ)V");
            case Op.SW -> invokeStatic(BLOCK, "sw", "([BIJ)V");
            default -> invokeStatic(BLOCK, "sd", "([BIJ)V");
        }
    }
}
