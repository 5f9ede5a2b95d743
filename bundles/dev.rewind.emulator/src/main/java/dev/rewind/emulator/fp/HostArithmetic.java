package dev.rewind.emulator.fp;

import static dev.rewind.emulator.fp.SoftFloat.NX;

/**
 * Round-to-nearest fast paths of {@link SoftFloat}: the host's IEEE 754 double arithmetic (and
 * {@code Math.fma}, correctly rounded by its specification) where its result is provably
 * softfloat's and the inexact flag follows from an exactness test; anything near NaN, infinity,
 * overflow or the subnormal range returns {@link #NO_FAST_PATH} for the general path. Flags
 * accrue in the given {@link SoftFloat}.
 */
final class HostArithmetic {
    private HostArithmetic() {
    }

    /** Marks "not handled": a signalling NaN pattern no fast path ever returns. */
    static final long NO_FAST_PATH = 0x7ff0_dead_0000_0001L;
    private static final long EXP64 = 0x7ff0_0000_0000_0000L;

    /** Both operands normal binary64 numbers (not zero, subnormal, infinite or NaN). */
    static boolean normal64(long a, long b) {
        long ea = a & EXP64, eb = b & EXP64;
        return ea != 0 && eb != 0 && ea != EXP64 && eb != EXP64;
    }

    /**
     * A rounded result above the smallest normal: then the exact result is not tiny. (A result
     * of exactly 2^-1022 may come from a tiny one that rounded up: the general path decides.)
     */
    private static boolean normalResult64(double r) {
        double m = Math.abs(r);
        return m > Double.MIN_NORMAL && m <= Double.MAX_VALUE;
    }

    static long fastAdd64(SoftFloat sf, long a, long b) {
        if (!normal64(a, b)) {
            return NO_FAST_PATH;
        }
        double x = Double.longBitsToDouble(a), y = Double.longBitsToDouble(b);
        double r = x + y;
        if (!normalResult64(r)) {
            return NO_FAST_PATH;
        }
        // TwoSum: the exact rounding error of the sum.
        double bv = r - x;
        if ((x - (r - bv)) + (y - bv) != 0) {
            sf.flags |= NX;
        }
        return Double.doubleToRawLongBits(r);
    }

    static long fastMul64(SoftFloat sf, long a, long b) {
        if (!normal64(a, b)) {
            return NO_FAST_PATH;
        }
        double r = Double.longBitsToDouble(a) * Double.longBitsToDouble(b);
        if (!normalResult64(r)) {
            return NO_FAST_PATH;
        }
        // Exact iff the 106-bit product of the significands has at most 53 significant bits.
        long ma = (a & 0xf_ffff_ffff_ffffL) | (1L << 52), mb = (b & 0xf_ffff_ffff_ffffL) | (1L << 52);
        long h = Math.multiplyHigh(ma, mb), l = ma * mb;
        int lead = 128 - Long.numberOfLeadingZeros(h);
        int trail = l != 0 ? Long.numberOfTrailingZeros(l) : 64 + Long.numberOfTrailingZeros(h);
        if (lead - trail > 53) {
            sf.flags |= NX;
        }
        return Double.doubleToRawLongBits(r);
    }

    static long fastDiv64(SoftFloat sf, long a, long b) {
        if (!normal64(a, b)) {
            return NO_FAST_PATH;
        }
        double q = Double.longBitsToDouble(a) / Double.longBitsToDouble(b);
        if (!normalResult64(q)) {
            return NO_FAST_PATH;
        }
        // Exact iff q * b == a: the significand product, trailing zeros dropped, equals a's.
        long qb = Double.doubleToRawLongBits(q);
        long mq = (qb & 0xf_ffff_ffff_ffffL) | (1L << 52), mb = (b & 0xf_ffff_ffff_ffffL) | (1L << 52);
        long ma = (a & 0xf_ffff_ffff_ffffL) | (1L << 52);
        long h = Math.multiplyHigh(mq, mb), l = mq * mb;
        int t = l != 0 ? Long.numberOfTrailingZeros(l) : 64 + Long.numberOfTrailingZeros(h);
        long ph, pl; // the product without its trailing zeros
        if (t >= 64) {
            ph = 0;
            pl = h >>> (t - 64);
        } else if (t == 0) {
            ph = h;
            pl = l;
        } else {
            ph = h >>> t;
            pl = (l >>> t) | (h << (64 - t));
        }
        boolean exact = ph == 0 && pl == (ma >>> Long.numberOfTrailingZeros(ma));
        if (!exact) {
            sf.flags |= NX;
        }
        return qb;
    }

    /**
     * a * b + c for normal a, b, c (np and nc: the signs of the product and of c) by the host's
     * fused multiply-add, which rounds to nearest even once. Exact iff the exact sum's lowest set
     * bit lies within 53 bits of the result's leading one; that bit is the lower of the
     * product's and c's when they differ (when they coincide the general path decides).
     */
    static long fastFma64(SoftFloat sf, long a, long b, long c, boolean np, boolean nc) {
        long mag = Long.MAX_VALUE;
        double r = Math.fma(Double.longBitsToDouble(np ? a | Long.MIN_VALUE : a & mag),
                Double.longBitsToDouble(b & mag), Double.longBitsToDouble(nc ? c | Long.MIN_VALUE : c & mag));
        if (!normalResult64(r)) {
            return NO_FAST_PATH;
        }
        long one = 1L << 52;
        int lowProduct = (int) (a >>> 52 & 0x7ff) + (int) (b >>> 52 & 0x7ff) - 2150
                + Long.numberOfTrailingZeros(a | one) + Long.numberOfTrailingZeros(b | one);
        int lowC = (int) (c >>> 52 & 0x7ff) - 1075 + Long.numberOfTrailingZeros(c | one);
        if (lowProduct == lowC) {
            return NO_FAST_PATH;
        }
        if (Math.min(lowProduct, lowC) < Math.getExponent(r) - 52) {
            sf.flags |= NX;
        }
        return Double.doubleToRawLongBits(r);
    }

    /** Both operands normal binary32 numbers. */
    static boolean normal32(long a, long b) {
        int ea = (int) a & 0x7f80_0000, eb = (int) b & 0x7f80_0000;
        return ea != 0 && eb != 0 && ea != 0x7f80_0000 && eb != 0x7f80_0000;
    }

    /**
     * A double result rounded to binary32, when the exact result is certainly not tiny (the
     * double above 2^-126: a binary32 of 2^-126 may come from a tiny exact result, which QEMU
     * flags as underflow) and does not overflow; NX if either rounding lost bits.
     */
    static long narrowNormal(SoftFloat sf, double d, boolean inexact) {
        float f = (float) d; // double rounding is innocuous for + - * / here: 53 >= 2*24+2
        if (!(Math.abs(d) > Float.MIN_NORMAL && Math.abs(f) <= Float.MAX_VALUE)) {
            return NO_FAST_PATH;
        }
        if (inexact || f != d) {
            sf.flags |= NX;
        }
        return Float.floatToRawIntBits(f) & 0xffffffffL;
    }

    static long fastAdd32(SoftFloat sf, long a, long b) {
        if (!normal32(a, b)) {
            return NO_FAST_PATH;
        }
        double x = Float.intBitsToFloat((int) a), y = Float.intBitsToFloat((int) b);
        double r = x + y;
        double bv = r - x;
        return narrowNormal(sf, r, (x - (r - bv)) + (y - bv) != 0);
    }

    static long fastMul32(SoftFloat sf, long a, long b) {
        if (!normal32(a, b)) {
            return NO_FAST_PATH;
        }
        // 24 x 24 bits: exact in double.
        return narrowNormal(sf, (double) Float.intBitsToFloat((int) a) * Float.intBitsToFloat((int) b), false);
    }

    static long fastDiv32(SoftFloat sf, long a, long b) {
        if (!normal32(a, b)) {
            return NO_FAST_PATH;
        }
        double x = Float.intBitsToFloat((int) a), y = Float.intBitsToFloat((int) b);
        long r = narrowNormal(sf, x / y, false);
        if (r != NO_FAST_PATH && (double) Float.intBitsToFloat((int) r) * y != x) {
            sf.flags |= NX; // f * y is exact in double (48 bits), so this compares exactly
        }
        return r;
    }
}
