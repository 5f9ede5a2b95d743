package dev.rewind.emulator;

import static dev.rewind.emulator.fp.SoftFloat.F32;
import static dev.rewind.emulator.fp.SoftFloat.F64;

import dev.rewind.emulator.fp.FloatOps;
import dev.rewind.emulator.fp.SoftFloat;

/**
 * The F and D register file (f0-f31, 64 bits, singles NaN-boxed), frm and the accrued
 * fflags, and the execution of every F/D instruction except loads and stores, as QEMU 7.2
 * translates them (target/riscv/insn_trans/trans_rvf/rvd): a single operand that is not
 * properly NaN-boxed reads as the default NaN, fmv.x.w and fsw take the low 32 bits as they
 * are, and rm 5 or 6 (or 7 with frm above 4) is an illegal instruction on the instructions
 * that round. mstatus.FS is the caller's business: {@link #execute} says whether the
 * instruction wrote an f register, which QEMU marks Dirty; instructions that only change
 * fflags do not.
 */
final class FloatUnit {
    static final long BOX = 0xffffffff00000000L;
    /** {@link #execute} results. */
    static final int ILLEGAL = -1, WROTE_X = 0, WROTE_F = 1;

    final long[] f = new long[32];
    /** fcsr[7:5]; any 3-bit value can be written, 5-7 make dynamic rounding illegal. */
    int frm;
    /** Arithmetic; its flags field is fflags. */
    final SoftFloat sf = new SoftFloat();

    /** Integer registers seen by {@link #runInBlock} (a translated block keeps the real ones in locals). */
    private final long[] scratch = new long[33];
    /** What the last {@link #runInBlock} returned from {@link #execute}. */
    int status;

    int fflags() {
        return sf.flags;
    }

    void setFflags(int v) {
        sf.flags = v & 0x1f;
    }

    int fcsr() {
        return frm << 5 | sf.flags;
    }

    void setFcsr(long v) {
        frm = (int) (v >>> 5) & 7;
        sf.flags = (int) v & 0x1f;
    }

    void reset() {
        java.util.Arrays.fill(f, 0);
        frm = 0;
        sf.flags = 0;
    }

    static long box(long single) {
        return single | BOX;
    }

    /** The single in a register: the default NaN unless the upper half is all ones. */
    static long unbox(long reg) {
        return (reg & BOX) == BOX ? reg & 0xffffffffL : SoftFloat.DEFAULT_NAN_32;
    }

    /** The static or dynamic rounding mode, or -1 if reserved. */
    private int rm(int imm) {
        int rm = imm & 7;
        if (rm == 7) {
            rm = frm;
        }
        return rm > 4 ? -1 : rm;
    }

    /**
     * Executes one FP op (not FLW/FLD/FSW/FSD) from its slot word and immediate; x is the
     * integer register file (index 32 is the x0 sink).
     */
    int execute(int w, int imm, long[] x) {
        int op = w & 0xff;
        int rd = (w >>> 8) & 63;
        int rs1 = (w >>> 14) & 31;
        int rs2 = (w >>> 19) & 31;
        long[] f = this.f;
        SoftFloat sf = this.sf;
        switch (op) {
            case Op.FSGNJ_S: f[rd] = box(sign(unbox(f[rs1]), unbox(f[rs2]) & 0x80000000L, 0x80000000L)); return WROTE_F;
            case Op.FSGNJN_S: f[rd] = box(sign(unbox(f[rs1]), ~unbox(f[rs2]) & 0x80000000L, 0x80000000L)); return WROTE_F;
            case Op.FSGNJX_S: f[rd] = box(unbox(f[rs1]) ^ (unbox(f[rs2]) & 0x80000000L)); return WROTE_F;
            case Op.FSGNJ_D: f[rd] = sign(f[rs1], f[rs2] & Long.MIN_VALUE, Long.MIN_VALUE); return WROTE_F;
            case Op.FSGNJN_D: f[rd] = sign(f[rs1], ~f[rs2] & Long.MIN_VALUE, Long.MIN_VALUE); return WROTE_F;
            case Op.FSGNJX_D: f[rd] = f[rs1] ^ (f[rs2] & Long.MIN_VALUE); return WROTE_F;
            case Op.FMIN_S: f[rd] = box(FloatOps.minMax(sf, F32, unbox(f[rs1]), unbox(f[rs2]), false)); return WROTE_F;
            case Op.FMAX_S: f[rd] = box(FloatOps.minMax(sf, F32, unbox(f[rs1]), unbox(f[rs2]), true)); return WROTE_F;
            case Op.FMIN_D: f[rd] = FloatOps.minMax(sf, F64, f[rs1], f[rs2], false); return WROTE_F;
            case Op.FMAX_D: f[rd] = FloatOps.minMax(sf, F64, f[rs1], f[rs2], true); return WROTE_F;
            case Op.FMV_W_X: f[rd] = box(x[rs1] & 0xffffffffL); return WROTE_F;
            case Op.FMV_D_X: f[rd] = x[rs1]; return WROTE_F;
            case Op.FMV_X_W: x[rd] = (int) f[rs1]; return WROTE_X;
            case Op.FMV_X_D: x[rd] = f[rs1]; return WROTE_X;
            case Op.FEQ_S: x[rd] = FloatOps.eq(sf, F32, unbox(f[rs1]), unbox(f[rs2])); return WROTE_X;
            case Op.FLT_S: x[rd] = FloatOps.lt(sf, F32, unbox(f[rs1]), unbox(f[rs2])); return WROTE_X;
            case Op.FLE_S: x[rd] = FloatOps.le(sf, F32, unbox(f[rs1]), unbox(f[rs2])); return WROTE_X;
            case Op.FEQ_D: x[rd] = FloatOps.eq(sf, F64, f[rs1], f[rs2]); return WROTE_X;
            case Op.FLT_D: x[rd] = FloatOps.lt(sf, F64, f[rs1], f[rs2]); return WROTE_X;
            case Op.FLE_D: x[rd] = FloatOps.le(sf, F64, f[rs1], f[rs2]); return WROTE_X;
            case Op.FCLASS_S: x[rd] = FloatOps.classify(F32, unbox(f[rs1])); return WROTE_X;
            case Op.FCLASS_D: x[rd] = FloatOps.classify(F64, f[rs1]); return WROTE_X;
            default: return rounded(op, rd, rs1, rs2, imm, x);
        }
    }

    /**
     * One op for a translated block: x[rs1] is {@code xs1}; returns the value for x[rd] (if the op
     * writes one) and leaves {@link #status} = {@link #execute}'s result, so a reserved dynamic
     * rounding mode sends the block back to the interpreter with nothing changed.
     */
    long runInBlock(int w, int imm, long xs1) {
        long[] xs = scratch;
        xs[(w >>> 14) & 31] = xs1;
        status = execute(w, imm, xs);
        return xs[(w >>> 8) & 63];
    }

    /** Whether a translated block can run this op: not with a reserved static rm, nor an x result that may trap. */
    static boolean translatable(int op, int imm) {
        if (!rounds(op)) {
            return true;
        }
        int rm = imm & 7;
        return rm < 5 || (rm == 7 && Op.writesFloat(op));
    }

    /** The ops with an rm field (QEMU checks it, even where the result is exact). */
    static boolean rounds(int op) {
        return (op >= Op.FADD_S && op <= Op.FSQRT_S) || (op >= Op.FMADD_S && op <= Op.FCVT_S_LU) || op == Op.FCVT_S_D
                || (op >= Op.FADD_D && op <= Op.FSQRT_D) || (op >= Op.FMADD_D && op <= Op.FCVT_D_LU) || op == Op.FCVT_D_S
                || (op >= Op.FCVT_W_S && op <= Op.FCVT_LU_S) || (op >= Op.FCVT_W_D && op <= Op.FCVT_LU_D);
    }

    /** mag's magnitude with the sign bit s. */
    private static long sign(long mag, long s, long signBit) {
        return (mag & ~signBit) | s;
    }

    /** The instructions with an rm field. */
    private int rounded(int op, int rd, int rs1, int rs2, int imm, long[] x) {
        int rm = rm(imm);
        if (rm < 0) {
            return ILLEGAL;
        }
        long[] f = this.f;
        SoftFloat sf = this.sf;
        int rs3 = imm >>> 3;
        switch (op) {
            case Op.FADD_S: f[rd] = box(sf.add(F32, unbox(f[rs1]), unbox(f[rs2]), rm)); return WROTE_F;
            case Op.FSUB_S: f[rd] = box(sf.sub(F32, unbox(f[rs1]), unbox(f[rs2]), rm)); return WROTE_F;
            case Op.FMUL_S: f[rd] = box(sf.mul(F32, unbox(f[rs1]), unbox(f[rs2]), rm)); return WROTE_F;
            case Op.FDIV_S: f[rd] = box(sf.div(F32, unbox(f[rs1]), unbox(f[rs2]), rm)); return WROTE_F;
            case Op.FSQRT_S: f[rd] = box(sf.sqrt(F32, unbox(f[rs1]), rm)); return WROTE_F;
            case Op.FADD_D: f[rd] = sf.add(F64, f[rs1], f[rs2], rm); return WROTE_F;
            case Op.FSUB_D: f[rd] = sf.sub(F64, f[rs1], f[rs2], rm); return WROTE_F;
            case Op.FMUL_D: f[rd] = sf.mul(F64, f[rs1], f[rs2], rm); return WROTE_F;
            case Op.FDIV_D: f[rd] = sf.div(F64, f[rs1], f[rs2], rm); return WROTE_F;
            case Op.FSQRT_D: f[rd] = sf.sqrt(F64, f[rs1], rm); return WROTE_F;
            case Op.FMADD_S: f[rd] = box(sf.fma(F32, unbox(f[rs1]), unbox(f[rs2]), unbox(f[rs3]), rm, false, false)); return WROTE_F;
            case Op.FMSUB_S: f[rd] = box(sf.fma(F32, unbox(f[rs1]), unbox(f[rs2]), unbox(f[rs3]), rm, false, true)); return WROTE_F;
            case Op.FNMSUB_S: f[rd] = box(sf.fma(F32, unbox(f[rs1]), unbox(f[rs2]), unbox(f[rs3]), rm, true, false)); return WROTE_F;
            case Op.FNMADD_S: f[rd] = box(sf.fma(F32, unbox(f[rs1]), unbox(f[rs2]), unbox(f[rs3]), rm, true, true)); return WROTE_F;
            case Op.FMADD_D: f[rd] = sf.fma(F64, f[rs1], f[rs2], f[rs3], rm, false, false); return WROTE_F;
            case Op.FMSUB_D: f[rd] = sf.fma(F64, f[rs1], f[rs2], f[rs3], rm, false, true); return WROTE_F;
            case Op.FNMSUB_D: f[rd] = sf.fma(F64, f[rs1], f[rs2], f[rs3], rm, true, false); return WROTE_F;
            case Op.FNMADD_D: f[rd] = sf.fma(F64, f[rs1], f[rs2], f[rs3], rm, true, true); return WROTE_F;
            case Op.FCVT_S_W: f[rd] = box(FloatOps.fromLong(sf, F32, (int) x[rs1], false, rm)); return WROTE_F;
            case Op.FCVT_S_WU: f[rd] = box(FloatOps.fromLong(sf, F32, x[rs1] & 0xffffffffL, true, rm)); return WROTE_F;
            case Op.FCVT_S_L: f[rd] = box(FloatOps.fromLong(sf, F32, x[rs1], false, rm)); return WROTE_F;
            case Op.FCVT_S_LU: f[rd] = box(FloatOps.fromLong(sf, F32, x[rs1], true, rm)); return WROTE_F;
            case Op.FCVT_D_W: f[rd] = FloatOps.fromLong(sf, F64, (int) x[rs1], false, rm); return WROTE_F;
            case Op.FCVT_D_WU: f[rd] = FloatOps.fromLong(sf, F64, x[rs1] & 0xffffffffL, true, rm); return WROTE_F;
            case Op.FCVT_D_L: f[rd] = FloatOps.fromLong(sf, F64, x[rs1], false, rm); return WROTE_F;
            case Op.FCVT_D_LU: f[rd] = FloatOps.fromLong(sf, F64, x[rs1], true, rm); return WROTE_F;
            case Op.FCVT_S_D: f[rd] = box(FloatOps.narrow(sf, f[rs1], rm)); return WROTE_F;
            case Op.FCVT_D_S: f[rd] = FloatOps.widen(sf, unbox(f[rs1])); return WROTE_F;
            case Op.FCVT_W_S: x[rd] = FloatOps.toInteger(sf, F32, unbox(f[rs1]), FloatOps.W, rm); return WROTE_X;
            case Op.FCVT_WU_S: x[rd] = FloatOps.toInteger(sf, F32, unbox(f[rs1]), FloatOps.WU, rm); return WROTE_X;
            case Op.FCVT_L_S: x[rd] = FloatOps.toInteger(sf, F32, unbox(f[rs1]), FloatOps.L, rm); return WROTE_X;
            case Op.FCVT_LU_S: x[rd] = FloatOps.toInteger(sf, F32, unbox(f[rs1]), FloatOps.LU, rm); return WROTE_X;
            case Op.FCVT_W_D: x[rd] = FloatOps.toInteger(sf, F64, f[rs1], FloatOps.W, rm); return WROTE_X;
            case Op.FCVT_WU_D: x[rd] = FloatOps.toInteger(sf, F64, f[rs1], FloatOps.WU, rm); return WROTE_X;
            case Op.FCVT_L_D: x[rd] = FloatOps.toInteger(sf, F64, f[rs1], FloatOps.L, rm); return WROTE_X;
            case Op.FCVT_LU_D: x[rd] = FloatOps.toInteger(sf, F64, f[rs1], FloatOps.LU, rm); return WROTE_X;
            default: throw new AssertionError("not a floating-point op: " + op);
        }
    }
}
