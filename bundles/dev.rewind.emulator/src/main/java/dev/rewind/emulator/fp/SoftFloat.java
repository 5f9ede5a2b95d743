package dev.rewind.emulator.fp;

import static dev.rewind.emulator.fp.HostArithmetic.NO_FAST_PATH;
import static dev.rewind.emulator.fp.HostArithmetic.normal32;
import static dev.rewind.emulator.fp.HostArithmetic.normal64;

/**
 * IEEE 754 binary32/binary64 arithmetic exactly as QEMU 7.2's softfloat computes it for RISC-V
 * (unprivileged spec 20191213 ch. 11-12): every result NaN is the default NaN, tininess is
 * detected after rounding, underflow is raised only when the result is also inexact, and each
 * operation is correctly rounded in all five rounding modes, FMA with a single rounding.
 *
 * <p>Values are raw bits (a binary32 in the low 32 bits). Exception flags accrue in
 * {@link #flags} with the fflags bit layout. Nothing here allocates: the hart calls it on its
 * hot path. Finite operands are unpacked to a sign, an unbiased exponent and a significand
 * normalized with its leading one at bit 62 ({@link #sig}, {@link #exp}), so one rounding
 * routine serves both formats.
 */
public final class SoftFloat {
    /** fflags bits. */
    public static final int NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16;
    /** Rounding modes as encoded in rm/frm. */
    public static final int RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4;
    /** Formats. */
    public static final int F32 = 0, F64 = 1;
    public static final long DEFAULT_NAN_32 = 0x7fc00000L, DEFAULT_NAN_64 = 0x7ff8000000000000L;

    /** Accrued exception flags (NX | UF | OF | DZ | NV). */
    public int flags;

    /** High and low halves of the last 128-bit intermediate. */
    private long hi, lo;

    // ---- format parameters

    static int fracBits(int fmt) {
        return fmt == F32 ? 23 : 52;
    }

    static int bias(int fmt) {
        return fmt == F32 ? 127 : 1023;
    }

    static int expAllOnes(int fmt) {
        return fmt == F32 ? 0xff : 0x7ff;
    }

    static long signBit(int fmt) {
        return fmt == F32 ? 0x80000000L : Long.MIN_VALUE;
    }

    static long fracMask(int fmt) {
        return (1L << fracBits(fmt)) - 1;
    }

    public static long defaultNaN(int fmt) {
        return fmt == F32 ? DEFAULT_NAN_32 : DEFAULT_NAN_64;
    }

    static int biasedExp(int fmt, long a) {
        return (int) (a >>> fracBits(fmt)) & expAllOnes(fmt);
    }

    public static boolean negative(int fmt, long a) {
        return (a & signBit(fmt)) != 0;
    }

    public static boolean isNaN(int fmt, long a) {
        return biasedExp(fmt, a) == expAllOnes(fmt) && (a & fracMask(fmt)) != 0;
    }

    /** A NaN whose quiet bit (the top fraction bit) is clear. */
    public static boolean isSignalingNaN(int fmt, long a) {
        return isNaN(fmt, a) && (a & (1L << (fracBits(fmt) - 1))) == 0;
    }

    public static boolean isInf(int fmt, long a) {
        return biasedExp(fmt, a) == expAllOnes(fmt) && (a & fracMask(fmt)) == 0;
    }

    /** ±0 (the value bits, ignoring the sign). */
    public static boolean isZero(int fmt, long a) {
        return (a & ~signBit(fmt) & (fmt == F32 ? 0xffffffffL : -1L)) == 0;
    }

    static long inf(int fmt, boolean neg) {
        return (neg ? signBit(fmt) : 0) | ((long) expAllOnes(fmt) << fracBits(fmt));
    }

    static long zero(int fmt, boolean neg) {
        return neg ? signBit(fmt) : 0;
    }

    /** Significand of a finite nonzero value with its leading one at bit 62. */
    static long sig(int fmt, long a) {
        int fb = fracBits(fmt);
        long m = a & fracMask(fmt);
        if (biasedExp(fmt, a) != 0) {
            return (m | (1L << fb)) << (62 - fb);
        }
        return m << (Long.numberOfLeadingZeros(m) - 1);
    }

    /** Unbiased exponent matching {@link #sig}: the value is sig * 2^(exp - 62). */
    static int exp(int fmt, long a) {
        int e = biasedExp(fmt, a);
        if (e != 0) {
            return e - bias(fmt);
        }
        long m = a & fracMask(fmt);
        int fb = fracBits(fmt);
        return 1 - bias(fmt) - (Long.numberOfLeadingZeros(m) - (63 - fb));
    }

    /** Shifts right by d, ORing every lost bit into bit 0 (the sticky bit). */
    static long shiftRightJam(long v, int d) {
        if (d == 0) {
            return v;
        }
        if (d >= 63) {
            return v != 0 ? 1 : 0;
        }
        return (v >>> d) | ((v & ((1L << d) - 1)) != 0 ? 1 : 0);
    }

    /** The amount that, added to the round bits below bit {@code shift}, rounds by truncation. */
    static long increment(int rm, boolean neg, long sig, int shift) {
        long mask = (1L << shift) - 1;
        switch (rm) {
            case RNE: return (mask >>> 1) + ((sig >>> shift) & 1);
            case RMM: return 1L << (shift - 1);
            case RUP: return neg ? 0 : mask;
            case RDN: return neg ? mask : 0;
            default: return 0;
        }
    }

    /**
     * Rounds sig * 2^(exp - 62) (sig nonzero with its leading one at bit 62, bit 0 sticky) to the
     * format, raising NX, UF (tiny after rounding and inexact) and OF.
     */
    long roundPack(int fmt, boolean neg, int exp, long sig, int rm) {
        int fb = fracBits(fmt);
        int shift = 62 - fb;
        long mask = (1L << shift) - 1;
        int emin = 1 - bias(fmt);
        long s = neg ? signBit(fmt) : 0;
        if (exp >= emin) {
            long m = (sig + increment(rm, neg, sig, shift)) >>> shift;
            if ((m >>> (fb + 1)) != 0) {
                m >>>= 1;
                exp++;
            }
            if (exp > bias(fmt)) {
                flags |= OF | NX;
                boolean toInf = rm == RNE || rm == RMM || (rm == RUP && !neg) || (rm == RDN && neg);
                return toInf ? inf(fmt, neg) : (s | (inf(fmt, false) - 1));
            }
            if ((sig & mask) != 0) {
                flags |= NX;
            }
            return s | ((long) (exp + bias(fmt)) << fb) | (m & fracMask(fmt));
        }
        // Tiny after rounding: below 2^emin even when rounded to full precision (carry into bit 63).
        boolean tiny = exp < emin - 1 || (sig + increment(rm, neg, sig, shift)) >= 0;
        long d = shiftRightJam(sig, emin - exp);
        long m = (d + increment(rm, neg, d, shift)) >>> shift;
        if ((d & mask) != 0) {
            flags |= tiny ? NX | UF : NX;
        }
        // A carry into bit fb lands in the exponent field as 1: the smallest normal.
        return s | m;
    }

    /** NaN result of an operation: the default NaN; NV if an operand was signalling. */
    private long nanResult(int fmt, long a, long b) {
        if (isSignalingNaN(fmt, a) || isSignalingNaN(fmt, b)) {
            flags |= NV;
        }
        return defaultNaN(fmt);
    }

    private long invalid(int fmt) {
        flags |= NV;
        return defaultNaN(fmt);
    }

    // ---- arithmetic
    // Each public operation is a small entry (the fast path, HostArithmetic) in front of its
    // general body, so the JIT can inline the entry into a translated block that calls it.

    public long add(int fmt, long a, long b, int rm) {
        if (rm == RNE) {
            long r = fmt == F64 ? HostArithmetic.fastAdd64(this, a, b) : HostArithmetic.fastAdd32(this, a, b);
            if (r != NO_FAST_PATH) {
                return r;
            }
        }
        return addGeneral(fmt, a, b, rm);
    }

    private long addGeneral(int fmt, long a, long b, int rm) {
        if (isNaN(fmt, a) || isNaN(fmt, b)) {
            return nanResult(fmt, a, b);
        }
        boolean na = negative(fmt, a), nb = negative(fmt, b);
        if (isInf(fmt, a)) {
            return isInf(fmt, b) && na != nb ? invalid(fmt) : a;
        }
        if (isInf(fmt, b)) {
            return b;
        }
        if (isZero(fmt, a)) {
            if (isZero(fmt, b)) {
                return zero(fmt, na == nb ? na : rm == RDN);
            }
            return b;
        }
        if (isZero(fmt, b)) {
            return a;
        }
        int ea = exp(fmt, a), eb = exp(fmt, b);
        long sa = sig(fmt, a), sb = sig(fmt, b);
        if (ea < eb || (ea == eb && sa < sb)) {
            int te = ea; ea = eb; eb = te;
            long ts = sa; sa = sb; sb = ts;
            boolean tn = na; na = nb; nb = tn;
        }
        sb = shiftRightJam(sb, ea - eb);
        long r;
        if (na == nb) {
            r = sa + sb;
            if (r < 0) {
                r = (r >>> 1) | (r & 1);
                ea++;
            }
        } else {
            r = sa - sb;
            if (r == 0) {
                return zero(fmt, rm == RDN);
            }
            int n = Long.numberOfLeadingZeros(r) - 1;
            r <<= n;
            ea -= n;
        }
        return roundPack(fmt, na, ea, r, rm);
    }

    public long sub(int fmt, long a, long b, int rm) {
        return add(fmt, a, isNaN(fmt, b) ? b : b ^ signBit(fmt), rm);
    }

    public long mul(int fmt, long a, long b, int rm) {
        if (rm == RNE) {
            long r = fmt == F64 ? HostArithmetic.fastMul64(this, a, b) : HostArithmetic.fastMul32(this, a, b);
            if (r != NO_FAST_PATH) {
                return r;
            }
        }
        return mulGeneral(fmt, a, b, rm);
    }

    private long mulGeneral(int fmt, long a, long b, int rm) {
        if (isNaN(fmt, a) || isNaN(fmt, b)) {
            return nanResult(fmt, a, b);
        }
        boolean neg = negative(fmt, a) != negative(fmt, b);
        if (isInf(fmt, a) || isInf(fmt, b)) {
            return isZero(fmt, a) || isZero(fmt, b) ? invalid(fmt) : inf(fmt, neg);
        }
        if (isZero(fmt, a) || isZero(fmt, b)) {
            return zero(fmt, neg);
        }
        long sa = sig(fmt, a), sb = sig(fmt, b);
        // The product has its leading one at bit 124 or 125; keep its top 64 bits from bit 62 up.
        long h = Math.multiplyHigh(sa, sb), l = sa * sb;
        long r = (h << 2) | (l >>> 62) | ((l << 2) != 0 ? 1 : 0);
        int e = exp(fmt, a) + exp(fmt, b);
        if (r < 0) {
            r = (r >>> 1) | (r & 1);
            e++;
        }
        return roundPack(fmt, neg, e, r, rm);
    }

    public long div(int fmt, long a, long b, int rm) {
        if (rm == RNE) {
            long r = fmt == F64 ? HostArithmetic.fastDiv64(this, a, b) : HostArithmetic.fastDiv32(this, a, b);
            if (r != NO_FAST_PATH) {
                return r;
            }
        }
        return divGeneral(fmt, a, b, rm);
    }

    private long divGeneral(int fmt, long a, long b, int rm) {
        if (isNaN(fmt, a) || isNaN(fmt, b)) {
            return nanResult(fmt, a, b);
        }
        boolean neg = negative(fmt, a) != negative(fmt, b);
        if (isInf(fmt, a)) {
            return isInf(fmt, b) ? invalid(fmt) : inf(fmt, neg);
        }
        if (isInf(fmt, b)) {
            return zero(fmt, neg);
        }
        if (isZero(fmt, b)) {
            if (isZero(fmt, a)) {
                return invalid(fmt);
            }
            flags |= DZ;
            return inf(fmt, neg);
        }
        if (isZero(fmt, a)) {
            return zero(fmt, neg);
        }
        // Long division in 9-bit chunks: operands below 2^54 keep every shifted remainder below 2^63.
        long x = sig(fmt, a) >>> 9, y = sig(fmt, b) >>> 9;
        int e = exp(fmt, a) - exp(fmt, b);
        if (x < y) {
            x <<= 1;
            e--;
        }
        long q = 1, r = x - y;
        for (int i = 0; i < 7; i++) {
            int step = i < 6 ? 9 : 8;
            r <<= step;
            q = (q << step) | (r / y);
            r %= y;
        }
        return roundPack(fmt, neg, e, q | (r != 0 ? 1 : 0), rm);
    }

    public long sqrt(int fmt, long a, int rm) {
        if (isNaN(fmt, a)) {
            return nanResult(fmt, a, a);
        }
        if (isZero(fmt, a)) {
            return a;
        }
        if (negative(fmt, a)) {
            return invalid(fmt);
        }
        if (isInf(fmt, a)) {
            return a;
        }
        // The hardware square root is correctly rounded to nearest; the exact sign of r*r - a
        // then gives the inexact flag and the directed roundings (a square root has no ties,
        // so RMM equals RNE). Square roots never overflow or underflow.
        int cmp;
        long r;
        if (fmt == F32) {
            double x = Float.intBitsToFloat((int) a);
            float f = (float) Math.sqrt(x); // double rounding is innocuous: 53 >= 2*24+2
            double sq = (double) f * f; // exact: 48 bits
            cmp = Double.compare(sq, x);
            if (cmp > 0 && (rm == RTZ || rm == RDN)) {
                f = Math.nextDown(f);
            } else if (cmp < 0 && rm == RUP) {
                f = Math.nextUp(f);
            }
            r = Float.floatToRawIntBits(f) & 0xffffffffL;
        } else {
            double x = Double.longBitsToDouble(a);
            double d = Math.sqrt(x);
            cmp = compareSquare(Double.doubleToRawLongBits(d), a);
            if (cmp > 0 && (rm == RTZ || rm == RDN)) {
                d = Math.nextDown(d);
            } else if (cmp < 0 && rm == RUP) {
                d = Math.nextUp(d);
            }
            r = Double.doubleToRawLongBits(d);
        }
        if (cmp != 0) {
            flags |= NX;
        }
        return r;
    }

    /** Sign of r*r - a for positive finite binary64 r (normal) and a, computed exactly. */
    private static int compareSquare(long r, long a) {
        long mr = (r & fracMask(F64)) | (1L << 52);
        int er = biasedExp(F64, r) - 1075;
        long ma = a & fracMask(F64);
        int ea = biasedExp(F64, a);
        if (ea != 0) {
            ma |= 1L << 52;
            ea -= 1075;
        } else {
            ea = -1074;
        }
        long sh = Math.multiplyHigh(mr, mr), sl = mr * mr;
        int k = ea - 2 * er; // a = ma * 2^(2er + k); here 0 <= k < 128
        long ah, al;
        if (k >= 64) {
            ah = ma << (k - 64);
            al = 0;
        } else if (k > 0) {
            ah = ma >>> (64 - k);
            al = ma << k;
        } else {
            ah = 0;
            al = ma >>> -k;
        }
        int c = Long.compareUnsigned(sh, ah);
        return c != 0 ? c : Long.compareUnsigned(sl, al);
    }

    /**
     * a * b + c with one rounding; {@code negProduct} and {@code negC} give fmsub (negC),
     * fnmsub (negProduct) and fnmadd (both). Inf * 0 is invalid even when c is a quiet NaN.
     */
    public long fma(int fmt, long a, long b, long c, int rm, boolean negProduct, boolean negC) {
        if (fmt == F64 && rm == RNE && normal64(a, b) && normal64(c, c)) {
            long r = HostArithmetic.fastFma64(this, a, b, c, (a ^ b) < 0 != negProduct, c < 0 != negC);
            if (r != NO_FAST_PATH) {
                return r;
            }
        }
        return fmaGeneral(fmt, a, b, c, rm, negProduct, negC);
    }

    private long fmaGeneral(int fmt, long a, long b, long c, int rm, boolean negProduct, boolean negC) {
        boolean allNormal = fmt == F64 ? normal64(a, b) && normal64(c, c) : normal32(a, b) && normal32(c, c);
        if (allNormal) {
            // The common case: no NaN, infinity or zero to sort out first.
            boolean np = (negative(fmt, a) != negative(fmt, b)) != negProduct, nc = negative(fmt, c) != negC;
            return fmt == F64 ? fmaNormal64(a, b, c, rm, np, nc) : fmaFinite(fmt, a, b, c, rm, np, nc);
        }
        boolean infZero = (isInf(fmt, a) && isZero(fmt, b)) || (isZero(fmt, a) && isInf(fmt, b));
        if (isNaN(fmt, a) || isNaN(fmt, b) || isNaN(fmt, c)) {
            if (infZero || isSignalingNaN(fmt, a) || isSignalingNaN(fmt, b) || isSignalingNaN(fmt, c)) {
                flags |= NV;
            }
            return defaultNaN(fmt);
        }
        if (infZero) {
            return invalid(fmt);
        }
        boolean np = (negative(fmt, a) != negative(fmt, b)) != negProduct;
        boolean nc = negative(fmt, c) != negC;
        if (isInf(fmt, a) || isInf(fmt, b)) {
            return isInf(fmt, c) && nc != np ? invalid(fmt) : inf(fmt, np);
        }
        if (isInf(fmt, c)) {
            return inf(fmt, nc);
        }
        if (isZero(fmt, a) || isZero(fmt, b)) {
            if (isZero(fmt, c)) {
                return zero(fmt, np == nc ? np : rm == RDN);
            }
            return negC ? c ^ signBit(fmt) : c;
        }
        if (!isZero(fmt, c)) {
            return fmaFinite(fmt, a, b, c, rm, np, nc);
        }
        long sa = sig(fmt, a), sb = sig(fmt, b);
        int ep = exp(fmt, a) + exp(fmt, b);
        // The product: leading one at bit 124 or 125 of 128; value P * 2^(ep - 124).
        long ph = Math.multiplyHigh(sa, sb), pl = sa * sb;
        long r = (ph << 2) | (pl >>> 62) | ((pl << 2) != 0 ? 1 : 0);
        if (r < 0) {
            r = (r >>> 1) | (r & 1);
            ep++;
        }
        return roundPack(fmt, np, ep, r, rm);
    }

    /**
     * a * b + c for normal binary64 a, b, c in exact 128-bit integer arithmetic on the product's
     * scale (c shifted to it; when c is far larger the product is shifted to c's instead), then
     * one rounding. np and nc are the signs of the product and of c.
     */
    private long fmaNormal64(long a, long b, long c, int rm, boolean np, boolean nc) {
        long frac = 0xf_ffff_ffff_ffffL, one = 1L << 52;
        int ea = (int) (a >>> 52) & 0x7ff, eb = (int) (b >>> 52) & 0x7ff, ec = (int) (c >>> 52) & 0x7ff;
        long ma = (a & frac) | one, mb = (b & frac) | one, mc = (c & frac) | one;
        long ph = Math.multiplyHigh(ma, mb), pl = ma * mb;
        // Two zero guard bits under the product, so a sticky bit below it never meets its own bits.
        ph = (ph << 2) | (pl >>> 62);
        pl <<= 2; // P < 2^108, value P * 2^e
        int e = ea + eb - 2152;
        int k = ec - ea - eb + 1077; // c = mc * 2^k on that scale
        long ch, cl;
        if (k > 74) {
            // c dominates: its scale, mc * 2^64, and the product shifted down with the lost bits sticky.
            ch = mc;
            cl = 0;
            int d = k - 64;
            shiftRightJam128(ph, pl, d);
            ph = hi;
            pl = lo;
            e += d;
        } else if (k >= 0) {
            ch = k == 0 ? 0 : k >= 64 ? mc << (k - 64) : mc >>> (64 - k);
            cl = k >= 64 ? 0 : mc << k;
        } else {
            // c shifted down to the product's scale, the bits shifted out ORed into bit 0 (the
            // product's two zero guard bits keep that sticky bit apart from its own bits).
            ch = 0;
            int d = -k;
            cl = d >= 63 ? 1 : (mc >>> d) | ((mc & ((1L << d) - 1)) != 0 ? 1 : 0);
        }
        int sign = signedSum128(ph, pl, np, ch, cl, nc);
        if (sign == 0) {
            return zero(F64, rm == RDN);
        }
        int lead = lead128(hi, lo);
        return roundPack(F64, sign < 0, e + lead, sig62(hi, lo, lead), rm);
    }

    /** a * b + c for finite nonzero a, b, c; np and nc are the signs of the product and of c. */
    private long fmaFinite(int fmt, long a, long b, long c, int rm, boolean np, boolean nc) {
        long sa = sig(fmt, a), sb = sig(fmt, b);
        int ep = exp(fmt, a) + exp(fmt, b);
        // The product: leading one at bit 124 or 125 of 128; value P * 2^(ep - 124).
        long ph = Math.multiplyHigh(sa, sb), pl = sa * sb;
        long sc = sig(fmt, c);
        int ec = exp(fmt, c);
        // c on the same scale: leading one at bit 124.
        long ch = sc >>> 2, cl = sc << 62;
        int e;
        if (ep >= ec) {
            e = ep;
            shiftRightJam128(ch, cl, ep - ec);
            ch = hi;
            cl = lo;
        } else {
            e = ec;
            shiftRightJam128(ph, pl, ec - ep);
            ph = hi;
            pl = lo;
        }
        int sign = signedSum128(ph, pl, np, ch, cl, nc);
        if (sign == 0) {
            return zero(fmt, rm == RDN);
        }
        int lead = lead128(hi, lo);
        return roundPack(fmt, sign < 0, e + lead - 124, sig62(hi, lo, lead), rm);
    }

    /**
     * (-1)^np (ph, pl) + (-1)^nc (ch, cl) as a magnitude in {@link #hi}, {@link #lo}; returns
     * its sign: 1, -1, or 0 when the two cancel exactly.
     */
    private int signedSum128(long ph, long pl, boolean np, long ch, long cl, boolean nc) {
        if (np == nc) {
            lo = pl + cl;
            hi = ph + ch + (Long.compareUnsigned(lo, pl) < 0 ? 1 : 0);
            return np ? -1 : 1;
        }
        int cmp = ph != ch ? Long.compareUnsigned(ph, ch) : Long.compareUnsigned(pl, cl);
        if (cmp == 0) {
            return 0;
        }
        if (cmp > 0) {
            lo = pl - cl;
            hi = ph - ch - (Long.compareUnsigned(pl, cl) < 0 ? 1 : 0);
            return np ? -1 : 1;
        }
        lo = cl - pl;
        hi = ch - ph - (Long.compareUnsigned(cl, pl) < 0 ? 1 : 0);
        return nc ? -1 : 1;
    }

    /** The position of the leading one of a nonzero (h, l). */
    private static int lead128(long h, long l) {
        return h != 0 ? 127 - Long.numberOfLeadingZeros(h) : 63 - Long.numberOfLeadingZeros(l);
    }

    /** (h, l) with its leading one (at lead) moved to bit 62, the bits shifted out ORed into bit 0. */
    private long sig62(long h, long l, int lead) {
        if (lead < 62) {
            return l << (62 - lead);
        }
        shiftRightJam128(h, l, lead - 62);
        return lo;
    }

    /** (h, l) >> d with the lost bits ORed into bit 0, into {@link #hi}, {@link #lo}. */
    private void shiftRightJam128(long h, long l, int d) {
        if (d == 0) {
            hi = h;
            lo = l;
        } else if (d < 64) {
            boolean sticky = (l << (64 - d)) != 0;
            lo = (l >>> d) | (h << (64 - d)) | (sticky ? 1 : 0);
            hi = h >>> d;
        } else if (d < 128) {
            boolean sticky = l != 0 || (d > 64 && (h << (128 - d)) != 0);
            lo = (d == 64 ? h : h >>> (d - 64)) | (sticky ? 1 : 0);
            hi = 0;
        } else {
            lo = (h | l) != 0 ? 1 : 0;
            hi = 0;
        }
    }
}
