package dev.rewind.emulator.fp;

import static dev.rewind.emulator.fp.SoftFloat.DZ;
import static dev.rewind.emulator.fp.SoftFloat.F32;
import static dev.rewind.emulator.fp.SoftFloat.F64;
import static dev.rewind.emulator.fp.SoftFloat.NV;
import static dev.rewind.emulator.fp.SoftFloat.NX;
import static dev.rewind.emulator.fp.SoftFloat.OF;
import static dev.rewind.emulator.fp.SoftFloat.RDN;
import static dev.rewind.emulator.fp.SoftFloat.RMM;
import static dev.rewind.emulator.fp.SoftFloat.RNE;
import static dev.rewind.emulator.fp.SoftFloat.RTZ;
import static dev.rewind.emulator.fp.SoftFloat.RUP;
import static dev.rewind.emulator.fp.SoftFloat.UF;
import static org.junit.Assert.assertEquals;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.Test;

/** The hard cases of the arithmetic, one by one (FloatingPointMatchesQemuTest covers them at volume). */
public class SoftFloatTest {

    private final SoftFloat sf = new SoftFloat();

    private static long d(double v) {
        return Double.doubleToRawLongBits(v);
    }

    private static long f(float v) {
        return Float.floatToRawIntBits(v) & 0xffffffffL;
    }

    private void expect(long want, int wantFlags, long got) {
        assertEquals(Long.toHexString(want), Long.toHexString(got));
        assertEquals("flags", wantFlags, sf.flags);
        sf.flags = 0;
    }

    @Test
    public void fusedMultiplyAddRoundsOnceInBothFormats() {
        // a*a - fl(a*a) for a = 1 + ulp: the exact square's low part, lost by any double rounding.
        expect(f(0x1p-46f), 0, sf.fma(F32, f(0x1.000002p0f), f(0x1.000002p0f), f(-0x1.000004p0f), RNE, false, false));
        expect(d(0x1p-104), 0, sf.fma(F64, d(0x1.0000000000001p0), d(0x1.0000000000001p0), d(-0x1.0000000000002p0), RNE,
                false, false));
        // fnmadd of zeros: -(+0 * +0) - (+0) = -0
        expect(d(-0.0), 0, sf.fma(F64, 0, 0, 0, RNE, true, true));
        // inf * 0 + qNaN is invalid too
        expect(SoftFloat.DEFAULT_NAN_64, NV, sf.fma(F64, d(Double.POSITIVE_INFINITY), 0, SoftFloat.DEFAULT_NAN_64, RNE,
                false, false));
    }

    @Test
    public void tininessIsDetectedAfterRounding() {
        // (1 + 2^-52) * largest subnormal = (1 - 2^-104) * 2^-1022: rounds to the smallest normal,
        // so it is not tiny after rounding: inexact, no underflow.
        expect(0x0010_0000_0000_0000L, NX, sf.mul(F64, d(0x1.0000000000001p0), 0x000f_ffff_ffff_ffffL, RNE));
        // Truncated instead it stays below 2^-1022: tiny and inexact.
        expect(0x000f_ffff_ffff_ffffL, NX | UF, sf.mul(F64, d(0x1.0000000000001p0), 0x000f_ffff_ffff_ffffL, RTZ));
        // An exact subnormal result raises nothing.
        expect(1, 0, sf.mul(F64, d(0.5), 2, RNE));
        // -2^-126 * (1 - 2^-24): exactly 24 ones times 2^-127 with an unbounded exponent, so tiny;
        // rounded to the subnormal grid it ties up to -2^-126 (found by the 1M differential run).
        expect(0x80800000L, NX | UF, sf.mul(F32, 0x80800000L, 0x3f7fffffL, RNE));
    }

    @Test
    public void overflowFollowsTheRoundingDirection() {
        expect(d(Double.POSITIVE_INFINITY), OF | NX, sf.mul(F64, d(Double.MAX_VALUE), d(2), RNE));
        expect(d(Double.MAX_VALUE), OF | NX, sf.mul(F64, d(Double.MAX_VALUE), d(2), RTZ));
        expect(d(-Double.MAX_VALUE), OF | NX, sf.mul(F64, d(Double.MAX_VALUE), d(-2), RUP));
        expect(d(Double.NEGATIVE_INFINITY), OF | NX, sf.mul(F64, d(Double.MAX_VALUE), d(-2), RDN));
    }

    @Test
    public void everyNaNResultIsTheDefaultNaN() {
        expect(SoftFloat.DEFAULT_NAN_64, 0, sf.add(F64, 0xfff8_0000_0000_1234L, d(1), RNE));
        expect(SoftFloat.DEFAULT_NAN_64, NV, sf.add(F64, 0x7ff0_0000_0000_0001L, d(1), RNE));
        expect(SoftFloat.DEFAULT_NAN_64, NV, sf.sub(F64, d(Double.POSITIVE_INFINITY), d(Double.POSITIVE_INFINITY), RNE));
        expect(SoftFloat.DEFAULT_NAN_32, NV, FloatOps.narrow(sf, 0x7ff0_0000_0000_0001L, RNE));
        expect(SoftFloat.DEFAULT_NAN_32, NV, sf.sqrt(F32, f(-1f), RNE));
        expect(SoftFloat.DEFAULT_NAN_64, NV, sf.div(F64, 0, 0, RNE));
        expect(d(Double.NEGATIVE_INFINITY), DZ, sf.div(F64, d(-1), 0, RNE));
    }

    @Test
    public void minimumNumberAndMaximumNumberAsRatified() {
        expect(d(-0.0), 0, FloatOps.minMax(sf, F64, 0, d(-0.0), false));
        expect(0, 0, FloatOps.minMax(sf, F64, d(-0.0), 0, true));
        expect(d(1), 0, FloatOps.minMax(sf, F64, SoftFloat.DEFAULT_NAN_64, d(1), true));
        expect(d(1), NV, FloatOps.minMax(sf, F64, 0x7ff0_0000_0000_0001L, d(1), false));
        expect(SoftFloat.DEFAULT_NAN_64, 0, FloatOps.minMax(sf, F64, 0xfff8_0000_0000_0001L, SoftFloat.DEFAULT_NAN_64, true));
    }

    @Test
    public void integerConversionsSaturateWithInvalidOnly() {
        expect(Integer.MIN_VALUE, NX, FloatOps.toInteger(sf, F64, d(-2147483648.5), FloatOps.W, RTZ));
        expect(Integer.MIN_VALUE, NV, FloatOps.toInteger(sf, F64, d(-2147483648.5), FloatOps.W, RDN));
        expect(0, NX, FloatOps.toInteger(sf, F64, d(-0.5), FloatOps.WU, RTZ));
        expect(0, NV, FloatOps.toInteger(sf, F64, d(-1.0), FloatOps.WU, RTZ));
        expect(-1L, NV, FloatOps.toInteger(sf, F32, f(Float.NaN), FloatOps.WU, RNE)); // 0xffffffff, sign-extended
        expect(Long.MAX_VALUE, NV, FloatOps.toInteger(sf, F64, SoftFloat.DEFAULT_NAN_64, FloatOps.L, RNE));
        expect(0, NV, FloatOps.toInteger(sf, F64, d(-1e300), FloatOps.LU, RNE));
        expect(3, NX, FloatOps.toInteger(sf, F64, d(2.5), FloatOps.L, RMM));
        expect(2, NX, FloatOps.toInteger(sf, F64, d(2.5), FloatOps.L, RNE));
        expect(d(9.223372036854775807E18), NX, FloatOps.fromLong(sf, F64, Long.MAX_VALUE, false, RNE));
    }

    @Test
    public void roundToNearestResultsEqualTheHostsIeeeDoubles() {
        // Results only (the flags are checked against QEMU by FloatingPointMatchesQemuTest).
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 200_000; i++) {
            long a = r.nextLong() & 0x7fff_ffff_ffff_ffffL | (r.nextBoolean() ? Long.MIN_VALUE : 0);
            long b = (a & ~0x000f_ffff_ffff_ffffL & 0x3fffffffffffffffL) | (r.nextLong() >>> 12) | 0x3000000000000000L;
            if (r.nextInt(4) == 0) {
                b = a + r.nextInt(100) - 50; // near cancellations
            }
            int op = r.nextInt(3);
            long fast = op == 0 ? sf.add(F64, a, b, RNE) : op == 1 ? sf.mul(F64, a, b, RNE) : sf.div(F64, a, b, RNE);
            double x = Double.longBitsToDouble(a), y = Double.longBitsToDouble(b);
            double want = op == 0 ? x + y : op == 1 ? x * y : x / y;
            if (!Double.isNaN(want)) {
                assertEquals(Long.toHexString(a) + " op" + op + " " + Long.toHexString(b), d(want), fast);
            }
            sf.flags = 0;
        }
    }

    @Test
    public void theDoubleFmaOfNormalsIsTheExactValueRoundedOnceInEveryDirection() {
        // Products and addends that overlap, lie far apart or nearly cancel, some with few
        // significant bits (exact results); the exact value in BigDecimal brackets each directed
        // result between neighbouring doubles, and each mode raises NX exactly when inexact.
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            double a = Math.scalb(operandSignificand(r), r.nextInt(-300, 300)) * (r.nextBoolean() ? 1 : -1);
            double b = Math.scalb(operandSignificand(r), r.nextInt(-300, 300));
            double c = r.nextInt(3) == 0 ? -Math.nextUp(a * b) * (1 + r.nextInt(-2, 3) * 0x1p-52)
                    : Math.scalb(operandSignificand(r), Math.getExponent(a * b) + r.nextInt(-120, 120))
                            * (r.nextBoolean() ? 1 : -1);
            BigDecimal exact = new BigDecimal(a).multiply(new BigDecimal(b)).add(new BigDecimal(c));
            String what = Double.toHexString(a) + " * " + Double.toHexString(b) + " + " + Double.toHexString(c);
            double[] got = new double[5];
            for (int rm = RNE; rm <= RUP; rm++) {
                got[rm] = Double.longBitsToDouble(sf.fma(F64, d(a), d(b), d(c), rm, false, false));
                boolean exactResult = new BigDecimal(got[rm]).compareTo(exact) == 0;
                assertEquals(what + " rm " + rm, exactResult ? 0 : NX, sf.flags);
                sf.flags = 0;
            }
            assertEquals(what, d(Math.fma(a, b, c)), d(got[RNE]));
            assertEquals(what, true, new BigDecimal(got[RDN]).compareTo(exact) <= 0
                    && new BigDecimal(got[RUP]).compareTo(exact) >= 0);
            boolean exactResult = new BigDecimal(got[RDN]).compareTo(exact) == 0;
            assertEquals(what, exactResult ? got[RDN] : Math.nextUp(got[RDN]), got[RUP], 0);
            assertEquals(what, exact.signum() >= 0 ? got[RDN] : got[RUP], got[RTZ], 0);
        }
    }

    /** A significand in [1, 2): random, or with only a few significant bits. */
    private static double operandSignificand(SplittableRandom r) {
        double m = 1 + r.nextDouble();
        return r.nextInt(3) == 0 ? Math.scalb(Math.floor(Math.scalb(m, 6)), -6) : m;
    }
}
