package dev.rewind.emulator;

/**
 * The RV64M operations whose RISC-V results differ from plain Java operators (division by
 * zero, overflow, unsigned and mixed-sign high products), shared by the interpreter and the
 * translated blocks so both compute them the same way.
 */
final class Arithmetic {
    private Arithmetic() {
    }

    /** rs1 signed times rs2 unsigned: a negative b counts 2^64 more, adding a to the high half. */
    static long mulhsu(long a, long b) {
        return Math.multiplyHigh(a, b) + ((b >> 63) & a);
    }

    static long mulhu(long a, long b) {
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }

    static long div(long a, long b) {
        return b == 0 ? -1 : (b == -1 ? -a : a / b);
    }

    static long divu(long a, long b) {
        return b == 0 ? -1 : Long.divideUnsigned(a, b);
    }

    static long rem(long a, long b) {
        return b == 0 ? a : (b == -1 ? 0 : a % b);
    }

    static long remu(long a, long b) {
        return b == 0 ? a : Long.remainderUnsigned(a, b);
    }

    static long divw(long x, long y) {
        int a = (int) x;
        int b = (int) y;
        return b == 0 ? -1 : (b == -1 ? -a : a / b);
    }

    static long divuw(long x, long y) {
        int b = (int) y;
        return b == 0 ? -1 : Integer.divideUnsigned((int) x, b);
    }

    static long remw(long x, long y) {
        int a = (int) x;
        int b = (int) y;
        return b == 0 ? a : (b == -1 ? 0 : a % b);
    }

    static long remuw(long x, long y) {
        int a = (int) x;
        int b = (int) y;
        return b == 0 ? a : Integer.remainderUnsigned(a, b);
    }
}
