package dev.rewind.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The pseudo-instructions objdump 2.40 prints instead of an {@link Encoding} entry's own
 * mnemonic (its {@code riscv-opc.c} aliases, first match wins, checked against the real objdump
 * by DisassemblerMatchesObjdumpTest). An entry without a matching alias prints its own mnemonic
 * and syntax; a compressed one is printed as the 32-bit instruction it expands to.
 */
final class Aliases {
    private Aliases() {
    }

    /** Mnemonic and operand syntax to print. */
    record Form(String name, String syntax) {
    }

    private record Alias(Predicate<Disassembler.Fields> when, Form form) {
    }

    private static final Map<String, List<Alias>> BY_MNEMONIC = new TreeMap<>();

    private static void alias(String mnemonic, Predicate<Disassembler.Fields> when, String name, String syntax) {
        BY_MNEMONIC.computeIfAbsent(mnemonic, k -> new ArrayList<>()).add(new Alias(when, new Form(name, syntax)));
    }

    private static final Predicate<Disassembler.Fields> ALWAYS = f -> true;

    static {
        alias("addi", f -> f.rd == 0 && f.rs1 == 0 && f.imm == 0, "nop", "");
        alias("addi", f -> f.rs1 == 0, "li", "d,j");
        alias("addi", f -> f.imm == 0, "mv", "d,s");
        alias("addi", ALWAYS, "add", "d,s,j");
        alias("addiw", f -> f.imm == 0, "sext.w", "d,s");
        alias("addiw", ALWAYS, "addw", "d,s,j");
        alias("andi", f -> f.imm == 255, "zext.b", "d,s");
        alias("andi", ALWAYS, "and", "d,s,j");
        alias("ori", ALWAYS, "or", "d,s,j");
        alias("xori", f -> f.imm == -1, "not", "d,s");
        alias("xori", ALWAYS, "xor", "d,s,j");
        alias("sltiu", f -> f.imm == 1, "seqz", "d,s");
        alias("slli", ALWAYS, "sll", "d,s,>");
        alias("srli", ALWAYS, "srl", "d,s,>");
        alias("srai", ALWAYS, "sra", "d,s,>");
        alias("slliw", ALWAYS, "sllw", "d,s,<");
        alias("srliw", ALWAYS, "srlw", "d,s,<");
        alias("sraiw", ALWAYS, "sraw", "d,s,<");
        alias("sub", f -> f.rs1 == 0, "neg", "d,t");
        alias("subw", f -> f.rs1 == 0, "negw", "d,t");
        alias("sltu", f -> f.rs1 == 0, "snez", "d,t");
        alias("slt", f -> f.rs2 == 0, "sltz", "d,s");
        alias("slt", f -> f.rs1 == 0, "sgtz", "d,t");
        alias("beq", f -> f.rs2 == 0, "beqz", "s,p");
        alias("bne", f -> f.rs2 == 0, "bnez", "s,p");
        alias("bge", f -> f.rs1 == 0, "blez", "t,p");
        alias("bge", f -> f.rs2 == 0, "bgez", "s,p");
        alias("blt", f -> f.rs2 == 0, "bltz", "s,p");
        alias("blt", f -> f.rs1 == 0, "bgtz", "t,p");
        alias("jal", f -> f.rd == 0, "j", "a");
        alias("jal", f -> f.rd == 1, "jal", "a");
        alias("jalr", f -> f.rd == 0 && f.rs1 == 1 && f.imm == 0, "ret", "");
        alias("jalr", f -> f.rd == 0 && f.imm == 0, "jr", "s");
        alias("jalr", f -> f.rd == 0, "jr", "o(s)");
        alias("jalr", f -> f.rd == 1 && f.imm == 0, "jalr", "s");
        alias("jalr", f -> f.rd == 1, "jalr", "o(s)");
        alias("jalr", f -> f.imm == 0, "jalr", "d,s");
        alias("csrrs", f -> f.rs1 == 0 && f.csr() == 0xc00, "rdcycle", "d");
        alias("csrrs", f -> f.rs1 == 0 && f.csr() == 0xc01, "rdtime", "d");
        alias("csrrs", f -> f.rs1 == 0 && f.csr() == 0xc02, "rdinstret", "d");
        alias("csrrs", f -> f.rs1 == 0 && f.csr() == 3, "frcsr", "d");
        alias("csrrs", f -> f.rs1 == 0 && f.csr() == 2, "frrm", "d");
        alias("csrrs", f -> f.rs1 == 0 && f.csr() == 1, "frflags", "d");
        alias("csrrs", f -> f.rs1 == 0, "csrr", "d,E");
        alias("csrrs", f -> f.rd == 0, "csrs", "E,s");
        alias("csrrw", f -> f.rd == 0 && f.rs1 == 0 && f.csr() == 0xc00, "unimp", "");
        alias("csrrw", f -> f.rd == 0 && f.csr() == 3, "fscsr", "s");
        alias("csrrw", f -> f.rd == 0 && f.csr() == 2, "fsrm", "s");
        alias("csrrw", f -> f.rd == 0 && f.csr() == 1, "fsflags", "s");
        alias("csrrw", f -> f.rd == 0, "csrw", "E,s");
        alias("csrrw", f -> f.csr() == 3, "fscsr", "d,s");
        alias("csrrw", f -> f.csr() == 2, "fsrm", "d,s");
        alias("csrrw", f -> f.csr() == 1, "fsflags", "d,s");
        alias("csrrc", f -> f.rd == 0, "csrc", "E,s");
        alias("csrrwi", f -> f.rd == 0 && f.csr() == 2, "fsrmi", "Z");
        alias("csrrwi", f -> f.rd == 0 && f.csr() == 1, "fsflagsi", "Z");
        alias("csrrwi", f -> f.rd == 0, "csrw", "E,Z");
        alias("csrrwi", f -> f.csr() == 2, "fsrmi", "d,Z");
        alias("csrrwi", f -> f.csr() == 1, "fsflagsi", "d,Z");
        alias("csrrwi", ALWAYS, "csrrw", "d,E,Z");
        alias("csrrsi", f -> f.rd == 0, "csrs", "E,Z");
        alias("csrrsi", ALWAYS, "csrrs", "d,E,Z");
        alias("csrrci", f -> f.rd == 0, "csrc", "E,Z");
        alias("csrrci", ALWAYS, "csrrc", "d,E,Z");
        // objdump knows fences only with zero rd, rs1 and fm (but fence.tso), fence.i with all zero
        alias("fence", f -> (f.bits & 0x000f8f80) != 0, null, null);
        alias("fence", f -> ((f.bits >>> 20) & 0xff) == 0xff && (f.bits >>> 28) == 0, "fence", "");
        alias("fence", f -> ((f.bits >>> 20) & 0xff) == 0x33 && (f.bits >>> 28) == 8, "fence.tso", "");
        alias("fence", f -> (f.bits >>> 28) != 0, null, null);
        alias("fence.i", f -> (f.bits & 0xffff_8f80) != 0, null, null);
        alias("sfence.vma", f -> f.rs1 == 0 && f.rs2 == 0, "sfence.vma", "");
        alias("sfence.vma", f -> f.rs2 == 0, "sfence.vma", "s");
        // compressed entries whose objdump name differs from their expansion's
        alias("c.addi", f -> f.rd == 0 && f.imm == 0, "nop", "");
        alias("c.addi", f -> f.rd == 0, "c.nop", "j");
        alias("c.addi", ALWAYS, "add", "d,s,j");
        alias("c.addi4spn", ALWAYS, "add", "d,s,j");
        alias("c.addi16sp", ALWAYS, "add", "d,s,j");
        alias("c.addiw", f -> f.imm == 0, "sext.w", "d,s");
        alias("c.addiw", ALWAYS, "addw", "d,s,j");
        alias("c.andi", ALWAYS, "and", "d,s,j");
        alias("c.slli", f -> f.imm == 0, "c.slli64", "d");
        alias("c.slli", f -> f.rd == 0, "c.slli", "d,>");
        alias("c.slli", ALWAYS, "sll", "d,s,>");
        alias("c.srli", f -> f.imm == 0, "c.srli64", "d");
        alias("c.srli", ALWAYS, "srl", "d,s,>");
        alias("c.srai", f -> f.imm == 0, "c.srai64", "d");
        alias("c.srai", ALWAYS, "sra", "d,s,>");
        alias("c.li", f -> f.rd == 0, "c.li", "d,j");
        alias("c.lui", f -> f.rd == 0, "c.lui", "d,u");
        alias("c.mv", f -> f.rd == 0, "c.mv", "d,t");
        alias("c.mv", ALWAYS, "mv", "d,t");
        alias("c.add", f -> f.rd == 0, "c.add", "d,t");
        alias("c.jr", f -> f.rs1 == 1, "ret", "");
        alias("c.jr", ALWAYS, "jr", "s");
        alias("c.jalr", ALWAYS, "jalr", "s");
    }

    static {
        // F/D: sign injections of one register are moves; a dynamic rounding mode (rm = 7) is not
        // printed; the exact conversions to double exist for objdump only with rm = 0.
        for (String p : new String[] {"s", "d"}) {
            alias("fsgnj." + p, f -> f.rs1 == f.rs2, "fmv." + p, "D,S");
            alias("fsgnjn." + p, f -> f.rs1 == f.rs2, "fneg." + p, "D,S");
            alias("fsgnjx." + p, f -> f.rs1 == f.rs2, "fabs." + p, "D,S");
        }
        for (String m : new String[] {"fcvt.d.w", "fcvt.d.wu", "fcvt.d.s"}) {
            alias(m, f -> ((f.bits >>> 12) & 7) != 0, null, null);
        }
        for (Encoding e : Encoding.values()) {
            if (e.syntax.endsWith(",m")) {
                alias(e.mnemonic, f -> ((f.bits >>> 12) & 7) == 7, e.mnemonic, e.syntax.substring(0, e.syntax.length() - 2));
            }
        }
    }

    /** What to print for {@code e} with these fields; null if objdump knows no instruction there. */
    static Form form(Encoding e, Disassembler.Fields f) {
        List<Alias> list = BY_MNEMONIC.get(e.mnemonic);
        if (list != null) {
            for (Alias a : list) {
                if (a.when().test(f)) {
                    return a.form().name() == null ? null : a.form();
                }
            }
        }
        Encoding base = e.compressed() ? EXPANDS_TO[e.ordinal()] : null;
        return base != null ? form(base, f) : new Form(e.mnemonic, e.syntax);
    }

    /** For each compressed entry the 32-bit entry of the same op (the first in table order). */
    private static final Encoding[] EXPANDS_TO = new Encoding[Encoding.values().length];

    static {
        for (Encoding c : Encoding.values()) {
            if (c.compressed()) {
                for (Encoding e : Encoding.values()) {
                    if (!e.compressed() && e.op == c.op) {
                        EXPANDS_TO[c.ordinal()] = e;
                        break;
                    }
                }
            }
        }
    }
}
