package dev.rewind.emulator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns instruction bits into a slot word ({@link Op#word}) and an immediate, using only the
 * {@link Encoding} table. Entries are bucketed by major opcode and tried most-specific mask
 * first, so nested encodings (c.jr inside c.mv, ...) resolve to the special case.
 */
final class Decoder {
    private Decoder() {
    }

    private static final Encoding[][] WIDE = new Encoding[32][];
    private static final Encoding[][] NARROW = new Encoding[24][];

    static {
        List<List<Encoding>> wide = new ArrayList<>();
        List<List<Encoding>> narrow = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            wide.add(new ArrayList<>());
        }
        for (int i = 0; i < 24; i++) {
            narrow.add(new ArrayList<>());
        }
        for (Encoding e : Encoding.values()) {
            if (e.compressed()) {
                narrow.get(narrowBucket(e.match)).add(e);
            } else {
                wide.get((e.match >>> 2) & 31).add(e);
            }
        }
        // not Comparator.comparingInt: see Csr's table sort
        Comparator<Encoding> specificFirst = (a, b) -> Integer.compare(Integer.bitCount(b.mask), Integer.bitCount(a.mask));
        for (int i = 0; i < 32; i++) {
            wide.get(i).sort(specificFirst);
            WIDE[i] = wide.get(i).toArray(new Encoding[0]);
        }
        for (int i = 0; i < 24; i++) {
            narrow.get(i).sort(specificFirst);
            NARROW[i] = narrow.get(i).toArray(new Encoding[0]);
        }
    }

    private static int narrowBucket(int insn) {
        return (insn & 3) * 8 + ((insn >>> 13) & 7);
    }

    /** Instruction length in bytes from its first halfword. */
    static int length(int lowHalf) {
        return (lowHalf & 3) == 3 ? 4 : 2;
    }

    /** The table entry for these bits, or null if none matches. */
    static Encoding lookup(int insn) {
        Encoding[] bucket = (insn & 3) == 3 ? WIDE[(insn >>> 2) & 31] : NARROW[narrowBucket(insn & 0xffff)];
        int bits = (insn & 3) == 3 ? insn : insn & 0xffff;
        for (Encoding e : bucket) {
            if ((bits & e.mask) == e.match) {
                return e;
            }
        }
        return null;
    }

    /**
     * Decodes {@code insn} (for a compressed instruction only the low 16 bits count) into a
     * packed slot ({@link DecodedPage#pack}). Illegal encodings become {@link Op#ILLEGAL} with the
     * instruction bits as immediate (they become mtval).
     */
    static long decode(int insn) {
        boolean c = (insn & 3) != 3;
        if (c) {
            insn &= 0xffff;
        }
        Encoding e = lookup(insn);
        long slot = e == null ? 0 : fill(e, insn);
        return slot != 0 ? slot : DecodedPage.pack(Op.word(Op.ILLEGAL, 0, 0, 0, c), insn);
    }

    private static int rd(int i) {
        return (i >>> 7) & 31;
    }

    private static int rs1(int i) {
        return (i >>> 15) & 31;
    }

    private static int rs2(int i) {
        return (i >>> 20) & 31;
    }

    private static int bit(int i, int from, int to) {
        return ((i >>> from) & 1) << to;
    }

    private static int cReg(int i, int at) {
        return 8 + ((i >>> at) & 7);
    }

    private static int cImm6(int i) {
        int v = ((i >>> 2) & 31) | bit(i, 12, 5);
        return (v << 26) >> 26;
    }

    /** The packed slot, or 0 if the bits are a reserved encoding of this entry. */
    private static long fill(Encoding e, int i) {
        int op = e.op;
        int rd = 0, rs1 = 0, rs2 = 0, imm = 0;
        boolean c = e.compressed();
        switch (e.format) {
            case R -> { rd = rd(i); rs1 = rs1(i); rs2 = rs2(i); }
            case I -> { rd = rd(i); rs1 = rs1(i); imm = i >> 20; }
            case S -> { rs1 = rs1(i); rs2 = rs2(i); imm = ((i >> 25) << 5) | ((i >>> 7) & 31); }
            case B -> {
                rs1 = rs1(i); rs2 = rs2(i);
                imm = ((i >> 31) << 12) | bit(i, 7, 11) | (((i >>> 25) & 63) << 5) | (((i >>> 8) & 15) << 1);
            }
            case U -> { rd = rd(i); imm = i & 0xfffff000; }
            case J -> {
                rd = rd(i);
                imm = ((i >> 31) << 20) | (i & 0xff000) | bit(i, 20, 11) | (((i >>> 21) & 0x3ff) << 1);
            }
            case SHAMT6 -> { rd = rd(i); rs1 = rs1(i); imm = (i >>> 20) & 63; }
            case SHAMT5 -> { rd = rd(i); rs1 = rs1(i); imm = (i >>> 20) & 31; }
            case CSR -> { rd = rd(i); rs1 = rs1(i); imm = (i >>> 20) & 0xfff; }
            case FP_RM -> { rd = rd(i); rs1 = rs1(i); rs2 = rs2(i); imm = (i >>> 12) & 7; }
            case R4 -> { rd = rd(i); rs1 = rs1(i); rs2 = rs2(i); imm = ((i >>> 12) & 7) | (i >>> 27) << 3; }
            case NONE -> { }
            case C_ADDI4SPN -> {
                rd = cReg(i, 2); rs1 = 2;
                imm = (((i >>> 11) & 3) << 4) | (((i >>> 7) & 15) << 6) | bit(i, 6, 2) | bit(i, 5, 3);
                if (imm == 0) {
                    return 0;
                }
            }
            case C_LW -> { rd = cReg(i, 2); rs1 = cReg(i, 7); imm = (((i >>> 10) & 7) << 3) | bit(i, 6, 2) | bit(i, 5, 6); }
            case C_LD -> { rd = cReg(i, 2); rs1 = cReg(i, 7); imm = (((i >>> 10) & 7) << 3) | (((i >>> 5) & 3) << 6); }
            case C_SW -> { rs2 = cReg(i, 2); rs1 = cReg(i, 7); imm = (((i >>> 10) & 7) << 3) | bit(i, 6, 2) | bit(i, 5, 6); }
            case C_SD -> { rs2 = cReg(i, 2); rs1 = cReg(i, 7); imm = (((i >>> 10) & 7) << 3) | (((i >>> 5) & 3) << 6); }
            case C_ADDI -> { rd = rd(i); rs1 = rd; imm = cImm6(i); }
            case C_ADDIW -> {
                rd = rd(i); rs1 = rd; imm = cImm6(i);
                if (rd == 0) {
                    return 0;
                }
            }
            case C_LI -> { rd = rd(i); rs1 = 0; imm = cImm6(i); }
            case C_ADDI16SP -> {
                rd = 2; rs1 = 2;
                int v = bit(i, 12, 9) | bit(i, 6, 4) | bit(i, 5, 6) | (((i >>> 3) & 3) << 7) | bit(i, 2, 5);
                imm = (v << 22) >> 22;
                if (imm == 0) {
                    return 0;
                }
            }
            case C_LUI -> {
                rd = rd(i);
                imm = cImm6(i) << 12;
                if (imm == 0) {
                    return 0;
                }
            }
            case C_SHIFT -> { rd = cReg(i, 7); rs1 = rd; imm = ((i >>> 2) & 31) | bit(i, 12, 5); }
            case C_ANDI -> { rd = cReg(i, 7); rs1 = rd; imm = cImm6(i); }
            case C_ARITH -> { rd = cReg(i, 7); rs1 = rd; rs2 = cReg(i, 2); }
            case C_J -> {
                int v = bit(i, 12, 11) | bit(i, 11, 4) | (((i >>> 9) & 3) << 8) | bit(i, 8, 10) | bit(i, 7, 6)
                        | bit(i, 6, 7) | (((i >>> 3) & 7) << 1) | bit(i, 2, 5);
                imm = (v << 20) >> 20;
            }
            case C_BRANCH -> {
                rs1 = cReg(i, 7);
                int v = bit(i, 12, 8) | (((i >>> 10) & 3) << 3) | (((i >>> 5) & 3) << 6) | (((i >>> 3) & 3) << 1)
                        | bit(i, 2, 5);
                imm = (v << 23) >> 23;
            }
            case C_SLLI -> { rd = rd(i); rs1 = rd; imm = ((i >>> 2) & 31) | bit(i, 12, 5); }
            case C_LWSP -> {
                rd = rd(i); rs1 = 2;
                imm = bit(i, 12, 5) | (((i >>> 4) & 7) << 2) | (((i >>> 2) & 3) << 6);
                if (rd == 0) {
                    return 0;
                }
            }
            case C_LDSP -> {
                rd = rd(i); rs1 = 2;
                imm = bit(i, 12, 5) | (((i >>> 5) & 3) << 3) | (((i >>> 2) & 7) << 6);
                if (rd == 0) {
                    return 0;
                }
            }
            case C_FLDSP -> { rd = rd(i); rs1 = 2; imm = bit(i, 12, 5) | (((i >>> 5) & 3) << 3) | (((i >>> 2) & 7) << 6); }
            case C_JR -> {
                rs1 = rd(i);
                if (rs1 == 0) {
                    return 0;
                }
            }
            case C_MV -> { rd = rd(i); rs1 = 0; rs2 = (i >>> 2) & 31; }
            case C_JALR -> { rd = 1; rs1 = rd(i); }
            case C_ADD -> { rd = rd(i); rs1 = rd; rs2 = (i >>> 2) & 31; }
            case C_SWSP -> { rs1 = 2; rs2 = (i >>> 2) & 31; imm = (((i >>> 9) & 15) << 2) | (((i >>> 7) & 3) << 6); }
            case C_SDSP -> { rs1 = 2; rs2 = (i >>> 2) & 31; imm = (((i >>> 10) & 7) << 3) | (((i >>> 7) & 7) << 6); }
            default -> throw new AssertionError(e.format);
        }
        return DecodedPage.pack(Op.word(op, rd, rs1, rs2, c), imm);
    }
}
