package dev.rewind.replay.query;

/**
 * The source register of a store instruction (the value it writes), for device-register writes,
 * whose old value cannot be read back: RV64 S-type SB/SH/SW/SD and C.SW, C.SD, C.SWSP, C.SDSP.
 */
final class StoreDecoding {

    private StoreDecoding() {
    }

    /** The rs2 of a store, or -1 if {@code insn} is none of the integer stores. */
    static int sourceRegister(long insn) {
        if (insn < 0) {
            return -1;
        }
        int w = (int) insn;
        if ((w & 3) == 3) {
            return (w & 0x7f) == 0x23 && ((w >>> 12) & 7) <= 3 ? (w >>> 20) & 31 : -1;
        }
        int quadrant = w & 3;
        int funct3 = (w >>> 13) & 7;
        if (quadrant == 0 && (funct3 == 6 || funct3 == 7)) {
            return 8 + ((w >>> 2) & 7); // C.SW, C.SD: rs2'
        }
        if (quadrant == 2 && (funct3 == 6 || funct3 == 7)) {
            return (w >>> 2) & 31; // C.SWSP, C.SDSP
        }
        return -1;
    }
}
