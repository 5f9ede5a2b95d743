package dev.rewind.emulator.fp;

import static dev.rewind.emulator.fp.SoftFloat.F32;
import static dev.rewind.emulator.fp.SoftFloat.F64;
import static dev.rewind.emulator.fp.SoftFloat.NV;
import static dev.rewind.emulator.fp.SoftFloat.NX;
import static dev.rewind.emulator.fp.SoftFloat.RDN;
import static dev.rewind.emulator.fp.SoftFloat.RNE;
import static dev.rewind.emulator.fp.SoftFloat.RUP;
import static dev.rewind.emulator.fp.SoftFloat.isNaN;
import static dev.rewind.emulator.fp.SoftFloat.isSignalingNaN;
import static dev.rewind.emulator.fp.SoftFloat.isZero;
import static dev.rewind.emulator.fp.SoftFloat.negative;

/**
 * The F/D operations besides arithmetic, as QEMU 7.2 computes them: integer conversions
 * (saturating, NV instead of NX when out of range), format conversions, quiet and signalling
 * compares, minimumNumber/maximumNumber (ratified F/D 2.2: -0 < +0, one NaN gives the other
 * operand, two give the default NaN, a signalling NaN raises NV) and classify. Flags accrue
 * into the given {@link SoftFloat}.
 */
public final class FloatOps {
    private FloatOps() {
    }

    /** Integer conversion kinds: fcvt.w, fcvt.wu, fcvt.l, fcvt.lu. */
    public static final int W = 0, WU = 1, L = 2, LU = 3;

    // ---- integer -> float

    /** A signed ({@code unsigned} false) or unsigned 64-bit integer, rounded to the format. */
    public static long fromLong(SoftFloat st, int fmt, long v, boolean unsigned, int rm) {
        if (v == 0) {
            return 0;
        }
        boolean neg = !unsigned && v < 0;
        long mag = neg ? -v : v;
        int lz = Long.numberOfLeadingZeros(mag);
        long sig;
        int exp;
        if (lz == 0) {
            sig = (mag >>> 1) | (mag & 1);
            exp = 63;
        } else {
            sig = mag << (lz - 1);
            exp = 63 - lz;
        }
        return st.roundPack(fmt, neg, exp, sig, rm);
    }

    // ---- float -> integer

    /**
     * Rounds to an integer of the kind; out of range (NaN: the maximum) saturates with NV only.
     * 32-bit results come back sign-extended, as RV64 writes them to rd.
     */
    public static long toInteger(SoftFloat st, int fmt, long a, int kind, int rm) {
        boolean signed = kind == W || kind == L;
        long max = kind == W ? Integer.MAX_VALUE : kind == WU ? 0xffffffffL : kind == L ? Long.MAX_VALUE : -1L;
        long min = kind == W ? Integer.MIN_VALUE : kind == L ? Long.MIN_VALUE : 0;
        if (isNaN(fmt, a)) {
            st.flags |= NV;
            return extend(kind, max);
        }
        boolean neg = negative(fmt, a);
        if (SoftFloat.isInf(fmt, a)) {
            st.flags |= NV;
            return extend(kind, neg ? min : max);
        }
        if (isZero(fmt, a)) {
            return 0;
        }
        long sig = SoftFloat.sig(fmt, a);
        int e = SoftFloat.exp(fmt, a);
        long mag; // the rounded magnitude, unsigned
        boolean inexact;
        boolean tooBig = false;
        if (e > 63) {
            tooBig = true;
            mag = 0;
            inexact = false;
        } else if (e >= 62) {
            mag = sig << (e - 62);
            inexact = false;
        } else {
            int shift = 62 - e;
            if (shift >= 64) {
                mag = (rm == RUP && !neg) || (rm == RDN && neg) ? 1 : 0;
            } else {
                mag = (sig + SoftFloat.increment(rm, neg, sig, shift)) >>> shift;
            }
            inexact = shift >= 64 || (sig & ((1L << shift) - 1)) != 0;
        }
        long r;
        if (signed) {
            long limit = neg ? -min : max; // -Long.MIN_VALUE is 2^63 read unsigned
            if (tooBig || Long.compareUnsigned(mag, limit) > 0) {
                st.flags |= NV;
                return extend(kind, neg ? min : max);
            }
            r = neg ? -mag : mag;
        } else {
            if (neg && (tooBig || mag != 0)) {
                st.flags |= NV;
                return 0;
            }
            if (tooBig || Long.compareUnsigned(mag, max) > 0) {
                st.flags |= NV;
                return extend(kind, max);
            }
            r = mag;
        }
        if (inexact) {
            st.flags |= NX;
        }
        return extend(kind, r);
    }

    private static long extend(int kind, long v) {
        return kind == W || kind == WU ? (int) v : v;
    }

    // ---- float <-> float

    /** fcvt.d.s: exact; a NaN becomes the default NaN (NV if signalling). */
    public static long widen(SoftFloat st, long a) {
        if (isNaN(F32, a)) {
            if (isSignalingNaN(F32, a)) {
                st.flags |= NV;
            }
            return SoftFloat.DEFAULT_NAN_64;
        }
        boolean neg = negative(F32, a);
        if (SoftFloat.isInf(F32, a)) {
            return SoftFloat.inf(F64, neg);
        }
        if (isZero(F32, a)) {
            return SoftFloat.zero(F64, neg);
        }
        return st.roundPack(F64, neg, SoftFloat.exp(F32, a), SoftFloat.sig(F32, a), RNE);
    }

    /** fcvt.s.d: rounded. */
    public static long narrow(SoftFloat st, long a, int rm) {
        if (isNaN(F64, a)) {
            if (isSignalingNaN(F64, a)) {
                st.flags |= NV;
            }
            return SoftFloat.DEFAULT_NAN_32;
        }
        boolean neg = negative(F64, a);
        if (SoftFloat.isInf(F64, a)) {
            return SoftFloat.inf(F32, neg);
        }
        if (isZero(F64, a)) {
            return SoftFloat.zero(F32, neg);
        }
        return st.roundPack(F32, neg, SoftFloat.exp(F64, a), SoftFloat.sig(F64, a), rm);
    }

    // ---- compares

    /** Orders two non-NaN values: negative, zero or positive; -0 equals +0. */
    private static int order(int fmt, long a, long b) {
        if (isZero(fmt, a) && isZero(fmt, b)) {
            return 0;
        }
        boolean na = negative(fmt, a), nb = negative(fmt, b);
        if (na != nb) {
            return na ? -1 : 1;
        }
        int c = Long.compare(a & ~SoftFloat.signBit(fmt), b & ~SoftFloat.signBit(fmt));
        return na ? -c : c;
    }

    /** feq: quiet, NV only for a signalling NaN. */
    public static long eq(SoftFloat st, int fmt, long a, long b) {
        if (isNaN(fmt, a) || isNaN(fmt, b)) {
            if (isSignalingNaN(fmt, a) || isSignalingNaN(fmt, b)) {
                st.flags |= NV;
            }
            return 0;
        }
        return order(fmt, a, b) == 0 ? 1 : 0;
    }

    /** flt: signalling, NV for any NaN. */
    public static long lt(SoftFloat st, int fmt, long a, long b) {
        if (isNaN(fmt, a) || isNaN(fmt, b)) {
            st.flags |= NV;
            return 0;
        }
        return order(fmt, a, b) < 0 ? 1 : 0;
    }

    /** fle: signalling, NV for any NaN. */
    public static long le(SoftFloat st, int fmt, long a, long b) {
        if (isNaN(fmt, a) || isNaN(fmt, b)) {
            st.flags |= NV;
            return 0;
        }
        return order(fmt, a, b) <= 0 ? 1 : 0;
    }

    /** fmin ({@code max} false) or fmax: IEEE 754-2019 minimumNumber / maximumNumber. */
    public static long minMax(SoftFloat st, int fmt, long a, long b, boolean max) {
        boolean an = isNaN(fmt, a), bn = isNaN(fmt, b);
        if (an || bn) {
            if (isSignalingNaN(fmt, a) || isSignalingNaN(fmt, b)) {
                st.flags |= NV;
            }
            if (an && bn) {
                return SoftFloat.defaultNaN(fmt);
            }
            return an ? b : a;
        }
        boolean aFirst;
        if (isZero(fmt, a) && isZero(fmt, b)) {
            // -0 is the smaller zero: min picks a negative zero, max a positive one.
            aFirst = max ? !negative(fmt, a) : negative(fmt, a);
        } else {
            int c = order(fmt, a, b);
            aFirst = max ? c >= 0 : c <= 0;
        }
        return aFirst ? a : b;
    }

    /** fclass: one of ten bits (-inf, -normal, -subnormal, -0, +0, +subnormal, +normal, +inf, sNaN, qNaN). */
    public static long classify(int fmt, long a) {
        boolean neg = negative(fmt, a);
        if (isNaN(fmt, a)) {
            return isSignalingNaN(fmt, a) ? 1 << 8 : 1 << 9;
        }
        if (SoftFloat.isInf(fmt, a)) {
            return neg ? 1 : 1 << 7;
        }
        if (isZero(fmt, a)) {
            return neg ? 1 << 3 : 1 << 4;
        }
        boolean sub = SoftFloat.biasedExp(fmt, a) == 0;
        if (sub) {
            return neg ? 1 << 2 : 1 << 5;
        }
        return neg ? 1 << 1 : 1 << 6;
    }
}
