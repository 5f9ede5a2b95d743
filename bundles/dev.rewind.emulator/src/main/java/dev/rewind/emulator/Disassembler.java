package dev.rewind.emulator;

import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * Turns instruction bits into assembler text exactly as GNU objdump 2.40 ({@code -d}) prints
 * it, from the one encoding table: {@link Decoder#lookup} finds the entry, {@link Decoder#decode}
 * extracts its fields, the entry's operand syntax ({@link Encoding.Format}) lays them out, and
 * {@link Aliases} picks the pseudo-instruction objdump would show (li, mv, ret, j, beqz, ...).
 * Compressed instructions print as objdump shows them: as the instruction they expand to.
 *
 * <p>Like objdump, a disassembler walking code in address order remembers what {@code lui} and
 * {@code auipc} put in a register, and annotates the next address formed from it with
 * {@code # address <symbol>}; {@link #forget()} starts afresh (a jump to unrelated code).
 * Not thread-safe.
 */
public final class Disassembler {

    /** Names an address relative to a symbol as objdump does ({@code main}, {@code main+0x1c}), or null. */
    @FunctionalInterface
    public interface Labels {
        String label(long address);

        Labels NONE = a -> null;
    }

    /**
     * One disassembled instruction. {@code operands} is empty for instructions without any,
     * {@code comment} is empty or {@code " # 80002800 <__global_pointer$>"}, {@code target} is
     * the branch or jump destination or -1.
     */
    public record Instruction(long address, int length, int bits, String mnemonic, String operands, String comment,
            long target) {

        /** Mnemonic, a tab, operands and comment, as in objdump's last column. */
        public String text() {
            return operands.isEmpty() ? mnemonic + comment : mnemonic + "\t" + operands + comment;
        }

        /** The instruction's halfwords or word in hex, padded as objdump pads its bytes column. */
        public String hex() {
            String h = length == 2 ? String.format("%04x", bits & 0xffff) : String.format("%08x", bits);
            return h + " ".repeat((length == 2 ? 20 : 18) - h.length());
        }

        /** The whole objdump line: {@code "80000000:\t00003197          \tauipc\tgp,0x3"}. */
        public String objdumpLine() {
            return objdumpLine(8);
        }

        /** The objdump line with the address right-aligned in {@code width} columns (objdump's width for the section). */
        public String objdumpLine(int width) {
            return String.format("%" + width + "x:\t%s\t%s", address, hex(), text());
        }

        /** True unless the bits are no instruction of the table (shown as {@code .2byte}/{@code .4byte}). */
        public boolean valid() {
            return !mnemonic.startsWith(".");
        }
    }

    static final String[] X = {"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3",
        "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
    static final String[] F = {"ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1",
        "fa2", "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11",
        "ft8", "ft9", "ft10", "ft11"};
    private static final String[] ROUNDING = {"rne", "rtz", "rdn", "rup", "rmm", "unknown", "unknown", "dyn"};
    private static final String[] FENCE_SET = {"unknown", "w", "r", "rw", "o", "ow", "or", "orw", "i", "iw", "ir",
        "irw", "io", "iow", "ior", "iorw"};
    private static final int GP = 3, TP = 4;

    private final Labels labels;
    private final IntFunction<String> csrNames;
    private final long gp;
    private final boolean hasGp;
    /** What lui/auipc left in each register for the next address computation, or -1 (objdump's hi_addr). */
    private final long[] hi = new long[32];
    private long printAddress;
    private boolean toPrint;

    /** A disassembler naming CSRs from the emulator's CSR table ({@link Csr}); other numbers print in hex. */
    public Disassembler(Labels labels, Long gp) {
        this(labels, CSR_NAMES, gp);
    }

    /** CSR names of the hart's CSR table, null for numbers it lacks. */
    public static final IntFunction<String> CSR_NAMES = n -> Csr.byNumber(n).map(Csr::name).orElse(null);

    /**
     * @param labels   symbol names for addresses ({@link Labels#NONE} for none)
     * @param csrNames CSR number to name, or null for a number objdump has no name for
     * @param gp       value of {@code __global_pointer$}, or null when the program has none
     */
    public Disassembler(Labels labels, IntFunction<String> csrNames, Long gp) {
        this.labels = labels;
        this.csrNames = csrNames;
        this.hasGp = gp != null;
        this.gp = gp == null ? 0 : gp;
        forget();
    }

    /** Forgets register contents tracked from earlier instructions. */
    public void forget() {
        Arrays.fill(hi, -1);
        toPrint = false;
    }

    /** Instruction length in bytes from its first halfword (2 or 4). */
    public static int length(int firstHalfword) {
        return Decoder.length(firstHalfword);
    }

    /** An address as objdump prints it: {@code 8000008a <park>}, or {@code 0x8000008a} without a symbol. */
    public String address(long address) {
        String label = labels.label(address);
        return label == null ? "0x" + Long.toHexString(address) : Long.toHexString(address) + " <" + label + ">";
    }

    /**
     * Disassembles the instruction at {@code address} (for a compressed one only the low 16 bits
     * of {@code bits} count).
     */
    public Instruction next(long address, int bits) {
        int length = Decoder.length(bits & 0xffff);
        if (length == 2) {
            bits &= 0xffff;
        }
        Encoding e = Decoder.lookup(bits);
        long slot = e == null ? 0 : Decoder.decode(bits);
        int word = DecodedPage.word(slot);
        if (e == null || (word & 0xff) == Op.ILLEGAL) {
            return unknown(address, length, bits);
        }
        Fields f = new Fields(address, bits, e, word, DecodedPage.imm(slot));
        Aliases.Form form = Aliases.form(e, f);
        if (form == null) {
            return unknown(address, length, bits);
        }
        StringBuilder ops = new StringBuilder();
        long target = operands(form.syntax(), f, ops);
        String comment = "";
        if (toPrint) {
            comment = " # " + address(printAddress);
            toPrint = false;
        }
        return new Instruction(address, length, bits, form.name() + amoSuffix(e, bits), ops.toString(), comment, target);
    }

    private static Instruction unknown(long address, int length, int bits) {
        if (length == 2 && (bits & 0xffff) == 0) {
            return new Instruction(address, 2, 0, "unimp", "", "", -1); // the defined-illegal halfword
        }
        // objdump 2.40 shows bits that match no opcode as a data directive of their length
        String text = length == 2 ? String.format(".2byte\t0x%x", bits & 0xffff) : String.format(".4byte\t0x%x", bits);
        int tab = text.indexOf('\t');
        return new Instruction(address, length, bits, text.substring(0, tab), text.substring(tab + 1), "", -1);
    }

    /** Decoded fields of one instruction, with x0 as 0 (the slot word stores it as a scratch register). */
    static final class Fields {
        final long pc;
        final int bits;
        final int op;
        final int rd;
        final int rs1;
        final int rs2;
        final int imm;
        final boolean compressed;
        final Encoding.Format format;

        Fields(long pc, int bits, Encoding e, int word, int imm) {
            this.pc = pc;
            this.bits = bits;
            this.op = word & 0xff;
            int d = (word >>> Op.RD_SHIFT) & 63;
            this.rd = d == Op.X0_SINK ? 0 : d;
            this.rs1 = (word >>> Op.RS1_SHIFT) & 31;
            this.rs2 = (word >>> Op.RS2_SHIFT) & 31;
            this.imm = imm;
            this.compressed = e.compressed();
            this.format = e.format;
        }

        int csr() {
            return imm & 0xfff;
        }
    }

    private static String amoSuffix(Encoding e, int bits) {
        if ((e.match & 0x7f) != 0x2f || e.compressed()) {
            return "";
        }
        return switch ((bits >>> 25) & 3) {
            case 1 -> ".rl";
            case 2 -> ".aq";
            case 3 -> ".aqrl";
            default -> "";
        };
    }

    /** Lays out the operands; returns the branch/jump target or -1. */
    private long operands(String syntax, Fields f, StringBuilder out) {
        long target = -1;
        for (int i = 0; i < syntax.length(); i++) {
            char c = syntax.charAt(i);
            switch (c) {
                case ',', '(', ')' -> out.append(c);
                case 'd' -> {
                    if (f.op == Op.AUIPC) {
                        hi[f.rd] = f.pc + f.imm;
                    } else if (f.op == Op.LUI) {
                        hi[f.rd] = f.imm;
                    }
                    out.append(X[f.rd]);
                }
                case 's' -> {
                    if (f.op == Op.JALR && !f.compressed) {
                        track(f.rs1, f.imm, false);
                    }
                    out.append(X[f.rs1]);
                }
                case 't' -> out.append(X[f.rs2]);
                case 'o', 'j' -> {
                    // which instructions objdump annotates: 32-bit loads, addi, addiw and jalr, c.addi, c.addiw
                    if (c == 'o' && !f.compressed) {
                        track(f.rs1, f.imm, false);
                    }
                    if (f.op == Op.ADDI && f.rs1 != 0 && f.format != Encoding.Format.C_ADDI4SPN
                            && f.format != Encoding.Format.C_ADDI16SP || f.op == Op.JALR && !f.compressed) {
                        track(f.rs1, f.imm, false);
                    }
                    if (f.op == Op.ADDIW && f.rs1 != 0) {
                        track(f.rs1, f.imm, true);
                    }
                    out.append(f.imm);
                }
                case 'q' -> {
                    if (!f.compressed) {
                        track(f.rs1, f.imm, false);
                    }
                    out.append(f.imm);
                }
                case 'u' -> out.append("0x").append(Integer.toHexString((f.imm >>> 12) & 0xfffff));
                case '>', '<' -> out.append("0x").append(Integer.toHexString(f.imm & 63));
                case 'p', 'a' -> {
                    target = f.pc + f.imm;
                    out.append(address(target));
                }
                case 'E' -> {
                    String name = csrNames == null ? null : csrNames.apply(f.csr());
                    out.append(name != null ? name : "0x" + Integer.toHexString(f.csr()));
                }
                case 'Z' -> out.append(f.rs1);
                case 'P' -> out.append(FENCE_SET[(f.bits >>> 24) & 15]);
                case 'Q' -> out.append(FENCE_SET[(f.bits >>> 20) & 15]);
                case 'D' -> out.append(F[f.rd]);
                case 'S' -> out.append(F[f.rs1]);
                case 'T' -> out.append(F[f.rs2]);
                case 'R' -> out.append(F[(f.bits >>> 27) & 31]);
                case 'm' -> out.append(ROUNDING[(f.bits >>> 12) & 7]);
                default -> throw new IllegalStateException("unknown operand letter '" + c + "' in \"" + syntax + "\"");
            }
        }
        return target;
    }

    /** objdump's maybe_print_address: an address formed from a tracked register, gp, tp or zero. */
    private void track(int base, int offset, boolean wide) {
        if (hi[base] != -1) {
            printAddress = (base != 0 ? hi[base] : 0) + offset;
            hi[base] = -1;
        } else if (base == GP && hasGp) {
            printAddress = gp + offset;
        } else if (base == TP || base == 0) {
            printAddress = offset;
        } else {
            return;
        }
        toPrint = true;
        if (wide) {
            printAddress = (int) printAddress;
        }
    }
}
