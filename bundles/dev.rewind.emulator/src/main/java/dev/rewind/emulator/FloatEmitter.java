package dev.rewind.emulator;

import static dev.rewind.emulator.BlockEmitter.BLOCK;
import static dev.rewind.emulator.BlockEmitter.CSRS;
import static dev.rewind.emulator.BlockEmitter.F;
import static dev.rewind.emulator.BlockEmitter.FPU;
import static dev.rewind.emulator.BlockEmitter.FPUNIT;
import static dev.rewind.emulator.BlockEmitter.FP_ON;
import static dev.rewind.emulator.BlockEmitter.H;
import static dev.rewind.emulator.BlockEmitter.HART;
import static dev.rewind.emulator.BlockEmitter.RM;
import static dev.rewind.emulator.BlockEmitter.SOFT;

/**
 * The F/D part of a translated block ({@link BlockEmitter}): FP loads and stores on the RAM fast
 * path, the common double-precision arithmetic called straight on
 * {@link dev.rewind.emulator.fp.SoftFloat}, the rest through {@link FloatUnit#runInBlock}. Each
 * FP instruction bails to the interpreter while mstatus.FS is Off or the dynamic rounding mode
 * is reserved, so the interpreter raises the trap.
 */
final class FloatEmitter {
    private final BlockEmitter e;
    private final CodeBuffer c;

    FloatEmitter(BlockEmitter e) {
        this.e = e;
        this.c = e.c;
    }

    /** Loads the FPU, f registers and mstatus.FS into locals (FS cannot change inside a block: CSR writes are not translated). */
    void prologue() {
        e.getHart(FPUNIT, "fpu", "L" + FPU + ";", CodeBuffer.ASTORE);
        c.local(CodeBuffer.ALOAD, FPUNIT);
        c.opU2(CodeBuffer.GETFIELD, e.cf.fieldRef(FPU, "f", "[J"));
        c.local(CodeBuffer.ASTORE, F);
        c.local(CodeBuffer.ALOAD, H);
        c.opU2(CodeBuffer.GETFIELD, e.cf.fieldRef(HART, "csrs", "L" + CSRS + ";"));
        c.opU2(CodeBuffer.GETFIELD, e.cf.fieldRef(CSRS, "mstatus", "J"));
        e.pushLong(CsrFile.MSTATUS_FS);
        c.op(CodeBuffer.LAND);
        c.op(CodeBuffer.L2I);
        c.local(CodeBuffer.ISTORE, FP_ON);
    }

    /** FP ops reading x[rs1]. */
    static boolean intSource(int op) {
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
        c.opU2(CodeBuffer.GETFIELD, e.cf.fieldRef(HART, "csrs", "L" + CSRS + ";"));
        c.op(CodeBuffer.DUP);
        c.opU2(CodeBuffer.GETFIELD, e.cf.fieldRef(CSRS, "mstatus", "J"));
        e.pushLong(CsrFile.MSTATUS_FS);
        c.op(CodeBuffer.LOR);
        c.opU2(CodeBuffer.PUTFIELD, e.cf.fieldRef(CSRS, "mstatus", "J"));
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
            c.opU2(CodeBuffer.GETFIELD, e.cf.fieldRef(FPU, "frm", "I"));
            c.local(CodeBuffer.ISTORE, RM);
            c.local(CodeBuffer.ILOAD, RM);
            e.pushInt(4);
            c.jump(CodeBuffer.IF_ICMPGT, bailTo);
        }
        c.local(CodeBuffer.ALOAD, F);
        e.pushInt((w >>> Op.RD_SHIFT) & 63);
        c.local(CodeBuffer.ALOAD, FPUNIT);
        c.opU2(CodeBuffer.GETFIELD, e.cf.fieldRef(FPU, "sf", "L" + SOFT + ";"));
        e.pushInt(dev.rewind.emulator.fp.SoftFloat.F64);
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
            e.pushInt(rm);
        }
        if (fma) {
            e.pushInt(op == Op.FNMSUB_D || op == Op.FNMADD_D ? 1 : 0); // negate the product
            e.pushInt(op == Op.FMSUB_D || op == Op.FNMADD_D ? 1 : 0); // negate c
        }
        c.opU2(CodeBuffer.INVOKEVIRTUAL, e.cf.methodRef(SOFT, method[0], method[1]));
        c.op(CodeBuffer.LASTORE);
        markFpDirty();
    }

    private void fReg(int r) {
        c.local(CodeBuffer.ALOAD, F);
        e.pushInt(r);
        c.op(CodeBuffer.LALOAD);
    }

    /** An F/D op other than a load or store, through {@link FloatUnit#runInBlock}. */
    void operation(int w, int imm, int off) {
        int op = w & 0xff;
        int rd = (w >>> Op.RD_SHIFT) & 63;
        int bailTo = e.newBail(off);
        requireFp(bailTo);
        String[] method = direct(op);
        if (method != null) {
            directFloatingPoint(w, imm, bailTo, method);
            return;
        }
        c.local(CodeBuffer.ALOAD, FPUNIT);
        c.opU2(CodeBuffer.LDC_W, e.cf.intConstant(w));
        c.opU2(CodeBuffer.LDC_W, e.cf.intConstant(imm));
        if (intSource(op)) {
            e.read((w >>> Op.RS1_SHIFT) & 31);
        } else {
            c.op(CodeBuffer.LCONST_0);
        }
        c.opU2(CodeBuffer.INVOKEVIRTUAL, e.cf.methodRef(FPU, "runInBlock", "(IIJ)J"));
        if (Op.writesFloat(op)) {
            c.op(CodeBuffer.POP2);
            if (FloatUnit.rounds(op) && (imm & 7) == 7) {
                // A reserved frm: nothing was changed; the interpreter raises the trap.
                c.local(CodeBuffer.ALOAD, FPUNIT);
                c.opU2(CodeBuffer.GETFIELD, e.cf.fieldRef(FPU, "status", "I"));
                e.pushInt(FloatUnit.ILLEGAL);
                c.jump(CodeBuffer.IF_ICMPEQ, bailTo);
            }
            markFpDirty();
        } else {
            e.write(rd); // x results are translated only where the rounding mode cannot be reserved
        }
    }

    void load(int op, int rd, int rs1, int imm, int off) {
        int bailTo = e.newBail(off);
        requireFp(bailTo);
        e.memory.address(rs1, imm, op == Op.FLW ? 4 : 8, false, bailTo, false);
        c.local(CodeBuffer.ALOAD, F);
        e.pushInt(rd);
        e.memory.pushTarget();
        if (op == Op.FLW) {
            e.invokeStatic(BLOCK, "lwu", "([BI)J");
            e.pushLong(FloatUnit.BOX);
            c.op(CodeBuffer.LOR);
        } else {
            e.invokeStatic(BLOCK, "ld", "([BI)J");
        }
        c.op(CodeBuffer.LASTORE);
        markFpDirty();
    }

    void store(int op, int rs1, int rs2, int imm, int off) {
        int bailTo = e.newBail(off);
        requireFp(bailTo);
        int size = op == Op.FSW ? 4 : 8;
        e.memory.address(rs1, imm, size, true, bailTo, false);
        e.memory.pushTarget();
        c.local(CodeBuffer.ALOAD, F);
        e.pushInt(rs2);
        c.op(CodeBuffer.LALOAD);
        e.invokeStatic(BLOCK, size == 4 ? "sw" : "sd", "([BIJ)V");
    }
}
