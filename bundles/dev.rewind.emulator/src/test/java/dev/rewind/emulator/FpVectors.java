package dev.rewind.emulator;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random F/D test vectors over operand pools rich in special values, and the guest that runs
 * them: every FP computational encoding of {@link Encoding} (with each of the eight rm values
 * where it has an rm field) becomes a stub {@code insn; ret}; each vector names a stub and
 * gives f1, f2, f3 (and x28 = the first operand's bits) plus the fcsr to start from. The guest
 * stores f4, x30, fcsr and the trap it took (if any) per vector.
 *
 * <p>Memory: vectors at {@link #VECTORS} (count first, then 32 bytes each), results at
 * {@link #RESULTS} (32 bytes each), {@link #DONE_FLAG} set to {@link #DONE} at the end.
 */
final class FpVectors {
    static final long VECTORS = 0x8010_0000L, RESULTS = 0x8400_0000L, DONE_FLAG = 0x800f_f000L;
    static final long DONE = 0xd0e0_d0e0_d0e0_d0e0L;
    /** What f4 and x30 hold before each vector's instruction. */
    static final long SENTINEL = 0x5a5a_5a5a_5a5a_5a5aL;
    static final int MAX_VECTORS = 1 << 20;

    /** One stub: an instruction and what its operands are. */
    record Stub(Encoding encoding, int insn, int rm, Kind source) {
        String describe() {
            return encoding.mnemonic + (rm >= 0 ? " rm=" + rm : "") + String.format(" (0x%08x)", insn);
        }
    }

    enum Kind { F32, F64, INT }

    final List<Stub> stubs = new ArrayList<>();
    /** Vector data as loaded at {@link #VECTORS}. */
    final byte[] data;
    final int count;
    final int[] stubOf;

    FpVectors(int count, long seed) {
        if (count > MAX_VECTORS) {
            throw new IllegalArgumentException("at most " + MAX_VECTORS + " vectors fit the guest's memory");
        }
        buildStubs();
        this.count = count;
        this.stubOf = new int[count];
        ByteBuffer b = ByteBuffer.allocate(64 + 32 * count).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, count);
        SplittableRandom rnd = new SplittableRandom(seed);
        Operands ops = new Operands(rnd);
        for (int i = 0; i < count; i++) {
            int s = rnd.nextInt(stubs.size());
            stubOf[i] = s;
            Stub st = stubs.get(s);
            long[] v = ops.forStub(st);
            int frm = rnd.nextInt(100) < 85 ? rnd.nextInt(5) : 5 + rnd.nextInt(3);
            int flags = rnd.nextInt(4) == 0 ? rnd.nextInt(32) : 0;
            int off = 64 + 32 * i;
            b.putLong(off, v[0]);
            b.putLong(off + 8, v[1]);
            b.putLong(off + 16, v[2]);
            b.putLong(off + 24, ((long) s << 32) | (frm << 5) | flags);
        }
        this.data = b.array();
    }

    long operand(int vector, int k) {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getLong(64 + 32 * vector + 8 * k);
    }

    int initialFcsr(int vector) {
        return (int) ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getLong(64 + 32 * vector + 24) & 0xff;
    }

    private static boolean intSource(int op) {
        return op == Op.FMV_W_X || op == Op.FMV_D_X || (op >= Op.FCVT_S_W && op <= Op.FCVT_S_LU)
                || (op >= Op.FCVT_D_W && op <= Op.FCVT_D_LU);
    }

    private static boolean doubleSource(Encoding e) {
        return e.mnemonic.endsWith(".d") || e.op == Op.FCVT_S_D || e.mnemonic.equals("fmv.x.d");
    }

    private void buildStubs() {
        for (Encoding e : Encoding.values()) {
            if (e.compressed() || e.op < Op.FP_FIRST || e.op > Op.FP_LAST || e.op == Op.FSW || e.op == Op.FSD) {
                continue;
            }
            Kind kind = intSource(e.op) ? Kind.INT : doubleSource(e) ? Kind.F64 : Kind.F32;
            int rd = Op.writesFloat(e.op) ? 4 : 30;
            int rs1 = e.op == Op.FLW || e.op == Op.FLD ? 10 : kind == Kind.INT ? 28 : 1;
            int insn = e.match | rd << 7 | rs1 << 15;
            if ((e.mask & 0x01f00000) == 0 && e.format != Encoding.Format.I) {
                insn |= 2 << 20;
            }
            if (e.format == Encoding.Format.R4) {
                insn |= 3 << 27;
            }
            if (e.format == Encoding.Format.R4 || e.format == Encoding.Format.FP_RM) {
                for (int rm = 0; rm < 8; rm++) {
                    stubs.add(new Stub(e, insn | rm << 12, rm, kind));
                }
            } else {
                stubs.add(new Stub(e, insn, -1, kind));
            }
        }
    }

    /** The guest's assembly: driver loop, trap handler and the stubs. */
    String assembly() {
        StringBuilder s = new StringBuilder();
        s.append(" la t0, trap\n csrw mtvec, t0\n li t0, 0x2000\n csrs mstatus, t0\n");
        s.append(" li a0, ").append(VECTORS).append("\n ld a2, 0(a0)\n addi a0, a0, 64\n");
        s.append(" li a1, ").append(RESULTS).append("\n la s10, stubs\n li s9, ").append(SENTINEL).append("\n");
        s.append(" beqz a2, done\n");
        s.append("loop:\n fld f1, 0(a0)\n fld f2, 8(a0)\n fld f3, 16(a0)\n ld t3, 0(a0)\n ld t0, 24(a0)\n");
        s.append(" fmv.d.x f4, s9\n mv t5, s9\n li s11, 0\n li s8, 0\n csrw fcsr, t0\n");
        s.append(" srli t1, t0, 32\n slli t1, t1, 3\n add t1, t1, s10\n jalr ra, 0(t1)\n");
        s.append(" csrr t2, fcsr\n fsd f4, 0(a1)\n sd t5, 8(a1)\n slli t4, s11, 32\n or t2, t2, t4\n");
        s.append(" sd t2, 16(a1)\n sd s8, 24(a1)\n");
        s.append(" addi a0, a0, 32\n addi a1, a1, 32\n addi a2, a2, -1\n bnez a2, loop\n");
        s.append("done:\n li t0, ").append(DONE_FLAG).append("\n li t1, ").append(DONE).append("\n sd t1, 0(t0)\n");
        s.append("spin:\n j spin\n");
        // A trap (illegal instruction) records mcause + 1 and mtval and skips the stub's instruction.
        s.append(".align 2\ntrap:\n csrr s11, mcause\n addi s11, s11, 1\n csrr s8, mtval\n");
        s.append(" csrr t6, mepc\n addi t6, t6, 4\n csrw mepc, t6\n mret\n");
        s.append(".align 3\nstubs:\n");
        for (Stub st : stubs) {
            s.append(String.format(" .word 0x%08x\n ret\n", st.insn));
        }
        return s.toString();
    }

    /** Operand generation: specials, random bits, near-ties, cancellations. */
    static final class Operands {
        private final SplittableRandom rnd;

        Operands(SplittableRandom rnd) {
            this.rnd = rnd;
        }

        private static final double[] SPECIAL_D = {
            0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.0, 0.1, -0.1, 1e308, -1e308,
            Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL,
            -Double.MIN_NORMAL, Double.MIN_NORMAL - Double.MIN_VALUE, Math.nextUp(Double.MIN_NORMAL),
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 2147483647.0, 2147483647.5, 2147483648.0,
            2147483648.5, -2147483648.0, -2147483648.5, -2147483649.0, 4294967295.0, 4294967295.5, 4294967296.0,
            9.223372036854775807E18, -9.223372036854775807E18, 1.8446744073709552E19, 1.8446744073709550E19,
            -1.8446744073709552E19, 0x1p52, 0x1p53, 0x1p53 + 2, 0x1p-1022 * 1.5, 0x1p-1023, 0x1p-1074 * 3,
            0x1.fffffffffffffp-1, 0x1.0000000000001p0, 0x1p-126, 0x1p-149, 0x1p127, 0x1p128, 0x1.ffffffp127,
            0x1.fffffep127, 0x1.ffffffp-127, 0x1p-150, 0x1.8p-150, 3.4028235677973366E38,
        };
        private static final long[] NAN_D = {
            0x7ff8000000000000L, 0xfff8000000000000L, 0x7ff0000000000001L, 0xfff0000000000001L,
            0x7ff4000000000000L, 0x7fffffffffffffffL, 0x7ff8000000000001L, 0xfff7ffffffffffffL,
        };
        private static final float[] SPECIAL_F = {
            0f, -0f, 1f, -1f, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, 0.1f, -0.1f, Float.MAX_VALUE, -Float.MAX_VALUE,
            Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, -Float.MIN_NORMAL, Float.MIN_NORMAL - Float.MIN_VALUE,
            Math.nextUp(Float.MIN_NORMAL), Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 2147483520f, 2147483648f,
            -2147483648f, -2147483904f, 4294967040f, 4294967296f, 9.223371E18f, 9.223372E18f, -9.223372E18f,
            1.8446743E19f, 1.8446744E19f, 0x1p23f, 0x1p24f, 0x1.000002p0f, 0x1.fffffep-1f, 0x1p-126f * 1.5f,
            0x1p-127f, 0x1p-149f * 3, 16777217f, 8388607.5f, -8388607.5f, 0.75f, 0x1p-64f, 0x1p64f, 0x1p63f,
        };
        private static final int[] NAN_F = {
            0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, 0x7fa00000, 0x7fffffff, 0x7fc00001, 0xffbfffff,
        };
        private static final long[] SPECIAL_I = {
            0, 1, -1, 2, 3, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE + 1L, Integer.MIN_VALUE - 1L,
            0xffffffffL, 0x100000000L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1,
            (1L << 24) + 1, (1L << 24) - 1, (1L << 53) + 1, (1L << 53) - 1, (1L << 25) + 3, 0xffffffff00000000L,
            0x00000000ffffff80L, 0x7fffff80L, 0xffffffff7fffffffL, (1L << 62) + 1, -(1L << 53) - 1,
        };

        long[] forStub(Stub st) {
            long a, b, c;
            switch (st.source) {
                case F64 -> {
                    a = f64();
                    b = rnd.nextInt(4) == 0 ? near(a) : f64();
                    c = rnd.nextInt(3) == 0 ? cancel(a, b) : f64();
                }
                case F32 -> {
                    a = f32();
                    b = rnd.nextInt(4) == 0 ? box(near32((int) a)) : f32();
                    c = rnd.nextInt(3) == 0 ? box(cancel32((int) a, (int) b)) : f32();
                    if (rnd.nextInt(40) == 0) {
                        a = unboxed(a);
                    }
                    if (rnd.nextInt(40) == 0) {
                        b = unboxed(b);
                    }
                }
                default -> {
                    a = integer();
                    b = f64();
                    c = f64();
                }
            }
            return new long[] {a, b, c};
        }

        private long unboxed(long v) {
            long upper = rnd.nextBoolean() ? 0 : rnd.nextLong() & BOX_MASK_NOT_ALL;
            return (v & 0xffffffffL) | (upper << 32);
        }

        private static final long BOX_MASK_NOT_ALL = 0x7fffffffL;

        private static long box(int v) {
            return v & 0xffffffffL | 0xffffffff00000000L;
        }

        long f64() {
            int k = rnd.nextInt(100);
            if (k < 30) {
                return Double.doubleToRawLongBits(SPECIAL_D[rnd.nextInt(SPECIAL_D.length)]);
            }
            if (k < 36) {
                return NAN_D[rnd.nextInt(NAN_D.length)];
            }
            if (k < 56) {
                return rnd.nextLong();
            }
            if (k < 66) {
                // Around the subnormal boundary and overflow.
                long e = rnd.nextBoolean() ? rnd.nextInt(3) : 2044 + rnd.nextInt(3);
                return (rnd.nextBoolean() ? Long.MIN_VALUE : 0) | e << 52 | (rnd.nextLong() >>> 12);
            }
            if (k < 76) {
                // Integers and halves near conversion limits.
                double v = (rnd.nextLong() >> rnd.nextInt(64)) + (rnd.nextInt(4) * 0.25);
                return Double.doubleToRawLongBits(v);
            }
            // Few significant bits near 1: exact results and ties.
            long e = 1023 - 40 + rnd.nextInt(80);
            long m = (rnd.nextLong() >>> 12) & (-1L << rnd.nextInt(53));
            return (rnd.nextBoolean() ? Long.MIN_VALUE : 0) | e << 52 | (m & ((1L << 52) - 1));
        }

        long f32() {
            int k = rnd.nextInt(100);
            int v;
            if (k < 30) {
                v = Float.floatToRawIntBits(SPECIAL_F[rnd.nextInt(SPECIAL_F.length)]);
            } else if (k < 36) {
                v = NAN_F[rnd.nextInt(NAN_F.length)];
            } else if (k < 56) {
                v = rnd.nextInt();
            } else if (k < 66) {
                int e = rnd.nextBoolean() ? rnd.nextInt(3) : 252 + rnd.nextInt(3);
                v = (rnd.nextBoolean() ? 0x80000000 : 0) | e << 23 | (rnd.nextInt() >>> 9);
            } else if (k < 76) {
                float f = (float) ((rnd.nextLong() >> rnd.nextInt(64)) + (rnd.nextInt(4) * 0.25));
                v = Float.floatToRawIntBits(f);
            } else {
                int e = 127 - 20 + rnd.nextInt(40);
                int m = (rnd.nextInt() >>> 9) & (-1 << rnd.nextInt(24));
                v = (rnd.nextBoolean() ? 0x80000000 : 0) | e << 23 | (m & 0x7fffff);
            }
            return box(v);
        }

        long integer() {
            int k = rnd.nextInt(100);
            if (k < 35) {
                return SPECIAL_I[rnd.nextInt(SPECIAL_I.length)];
            }
            if (k < 70) {
                return rnd.nextLong() >> rnd.nextInt(64);
            }
            if (k < 85) {
                return rnd.nextLong();
            }
            return (long) rnd.nextInt() >> rnd.nextInt(32);
        }

        /** The same magnitude a few ulps away, either sign: cancellation in add/sub. */
        private long near(long a) {
            long v = a + rnd.nextInt(9) - 4;
            return rnd.nextBoolean() ? v ^ Long.MIN_VALUE : v;
        }

        private int near32(int a) {
            int v = a + rnd.nextInt(9) - 4;
            return rnd.nextBoolean() ? v ^ 0x80000000 : v;
        }

        /** About -(a*b): the fused multiply-add cancels. */
        private long cancel(long a, long b) {
            double p = Double.longBitsToDouble(a) * Double.longBitsToDouble(b);
            long v = Double.doubleToRawLongBits(p) + rnd.nextInt(5) - 2;
            return rnd.nextBoolean() ? v ^ Long.MIN_VALUE : v;
        }

        private int cancel32(int a, int b) {
            float p = Float.intBitsToFloat(a) * Float.intBitsToFloat(b);
            int v = Float.floatToRawIntBits(p) + rnd.nextInt(5) - 2;
            return rnd.nextBoolean() ? v ^ 0x80000000 : v;
        }
    }
}
