package dev.rewind.emulator;

/**
 * The single table of instruction encodings (RISC-V unprivileged spec 20191213 ch. 24 and 16,
 * privileged spec 20211203 ch. 3-4): mnemonic, match, mask, operand format and the {@link Op}
 * the hart executes. {@link Decoder} is built from this table; EncodingTableTest proves no
 * two entries overlap except the listed nested special cases.
 *
 * <p>Compressed entries (low two bits != 11) expand onto base ops; their formats carry the
 * immediate scrambling and reserved-encoding rules.
 */
enum Encoding {
    LUI("lui", 0x00000037, 0x0000007f, Format.U, Op.LUI),
    AUIPC("auipc", 0x00000017, 0x0000007f, Format.U, Op.AUIPC),
    JAL("jal", 0x0000006f, 0x0000007f, Format.J, Op.JAL),
    JALR("jalr", 0x00000067, 0x0000707f, Format.I, Op.JALR, "d,o(s)"),
    BEQ("beq", 0x00000063, 0x0000707f, Format.B, Op.BEQ),
    BNE("bne", 0x00001063, 0x0000707f, Format.B, Op.BNE),
    BLT("blt", 0x00004063, 0x0000707f, Format.B, Op.BLT),
    BGE("bge", 0x00005063, 0x0000707f, Format.B, Op.BGE),
    BLTU("bltu", 0x00006063, 0x0000707f, Format.B, Op.BLTU),
    BGEU("bgeu", 0x00007063, 0x0000707f, Format.B, Op.BGEU),
    LB("lb", 0x00000003, 0x0000707f, Format.I, Op.LB, "d,o(s)"),
    LH("lh", 0x00001003, 0x0000707f, Format.I, Op.LH, "d,o(s)"),
    LW("lw", 0x00002003, 0x0000707f, Format.I, Op.LW, "d,o(s)"),
    LD("ld", 0x00003003, 0x0000707f, Format.I, Op.LD, "d,o(s)"),
    LBU("lbu", 0x00004003, 0x0000707f, Format.I, Op.LBU, "d,o(s)"),
    LHU("lhu", 0x00005003, 0x0000707f, Format.I, Op.LHU, "d,o(s)"),
    LWU("lwu", 0x00006003, 0x0000707f, Format.I, Op.LWU, "d,o(s)"),
    SB("sb", 0x00000023, 0x0000707f, Format.S, Op.SB),
    SH("sh", 0x00001023, 0x0000707f, Format.S, Op.SH),
    SW("sw", 0x00002023, 0x0000707f, Format.S, Op.SW),
    SD("sd", 0x00003023, 0x0000707f, Format.S, Op.SD),
    ADDI("addi", 0x00000013, 0x0000707f, Format.I, Op.ADDI),
    SLTI("slti", 0x00002013, 0x0000707f, Format.I, Op.SLTI),
    SLTIU("sltiu", 0x00003013, 0x0000707f, Format.I, Op.SLTIU),
    XORI("xori", 0x00004013, 0x0000707f, Format.I, Op.XORI),
    ORI("ori", 0x00006013, 0x0000707f, Format.I, Op.ORI),
    ANDI("andi", 0x00007013, 0x0000707f, Format.I, Op.ANDI),
    SLLI("slli", 0x00001013, 0xfc00707f, Format.SHAMT6, Op.SLLI),
    SRLI("srli", 0x00005013, 0xfc00707f, Format.SHAMT6, Op.SRLI),
    SRAI("srai", 0x40005013, 0xfc00707f, Format.SHAMT6, Op.SRAI),
    ADD("add", 0x00000033, 0xfe00707f, Format.R, Op.ADD),
    SUB("sub", 0x40000033, 0xfe00707f, Format.R, Op.SUB),
    SLL("sll", 0x00001033, 0xfe00707f, Format.R, Op.SLL),
    SLT("slt", 0x00002033, 0xfe00707f, Format.R, Op.SLT),
    SLTU("sltu", 0x00003033, 0xfe00707f, Format.R, Op.SLTU),
    XOR("xor", 0x00004033, 0xfe00707f, Format.R, Op.XOR),
    SRL("srl", 0x00005033, 0xfe00707f, Format.R, Op.SRL),
    SRA("sra", 0x40005033, 0xfe00707f, Format.R, Op.SRA),
    OR("or", 0x00006033, 0xfe00707f, Format.R, Op.OR),
    AND("and", 0x00007033, 0xfe00707f, Format.R, Op.AND),
    ADDIW("addiw", 0x0000001b, 0x0000707f, Format.I, Op.ADDIW),
    SLLIW("slliw", 0x0000101b, 0xfe00707f, Format.SHAMT5, Op.SLLIW),
    SRLIW("srliw", 0x0000501b, 0xfe00707f, Format.SHAMT5, Op.SRLIW),
    SRAIW("sraiw", 0x4000501b, 0xfe00707f, Format.SHAMT5, Op.SRAIW),
    ADDW("addw", 0x0000003b, 0xfe00707f, Format.R, Op.ADDW),
    SUBW("subw", 0x4000003b, 0xfe00707f, Format.R, Op.SUBW),
    SLLW("sllw", 0x0000103b, 0xfe00707f, Format.R, Op.SLLW),
    SRLW("srlw", 0x0000503b, 0xfe00707f, Format.R, Op.SRLW),
    SRAW("sraw", 0x4000503b, 0xfe00707f, Format.R, Op.SRAW),
    FENCE("fence", 0x0000000f, 0x0000707f, Format.NONE, Op.FENCE, "P,Q"),
    FENCE_I("fence.i", 0x0000100f, 0x0000707f, Format.NONE, Op.FENCE_I),
    ECALL("ecall", 0x00000073, 0xffffffff, Format.NONE, Op.ECALL),
    EBREAK("ebreak", 0x00100073, 0xffffffff, Format.NONE, Op.EBREAK),
    MRET("mret", 0x30200073, 0xffffffff, Format.NONE, Op.MRET),
    SRET("sret", 0x10200073, 0xffffffff, Format.NONE, Op.SRET),
    WFI("wfi", 0x10500073, 0xffffffff, Format.NONE, Op.WFI),
    SFENCE_VMA("sfence.vma", 0x12000073, 0xfe007fff, Format.R, Op.SFENCE_VMA, "s,t"),
    CSRRW("csrrw", 0x00001073, 0x0000707f, Format.CSR, Op.CSRRW),
    CSRRS("csrrs", 0x00002073, 0x0000707f, Format.CSR, Op.CSRRS),
    CSRRC("csrrc", 0x00003073, 0x0000707f, Format.CSR, Op.CSRRC),
    CSRRWI("csrrwi", 0x00005073, 0x0000707f, Format.CSR, Op.CSRRWI, "d,E,Z"),
    CSRRSI("csrrsi", 0x00006073, 0x0000707f, Format.CSR, Op.CSRRSI, "d,E,Z"),
    CSRRCI("csrrci", 0x00007073, 0x0000707f, Format.CSR, Op.CSRRCI, "d,E,Z"),
    MUL("mul", 0x02000033, 0xfe00707f, Format.R, Op.MUL),
    MULH("mulh", 0x02001033, 0xfe00707f, Format.R, Op.MULH),
    MULHSU("mulhsu", 0x02002033, 0xfe00707f, Format.R, Op.MULHSU),
    MULHU("mulhu", 0x02003033, 0xfe00707f, Format.R, Op.MULHU),
    DIV("div", 0x02004033, 0xfe00707f, Format.R, Op.DIV),
    DIVU("divu", 0x02005033, 0xfe00707f, Format.R, Op.DIVU),
    REM("rem", 0x02006033, 0xfe00707f, Format.R, Op.REM),
    REMU("remu", 0x02007033, 0xfe00707f, Format.R, Op.REMU),
    MULW("mulw", 0x0200003b, 0xfe00707f, Format.R, Op.MULW),
    DIVW("divw", 0x0200403b, 0xfe00707f, Format.R, Op.DIVW),
    DIVUW("divuw", 0x0200503b, 0xfe00707f, Format.R, Op.DIVUW),
    REMW("remw", 0x0200603b, 0xfe00707f, Format.R, Op.REMW),
    REMUW("remuw", 0x0200703b, 0xfe00707f, Format.R, Op.REMUW),
    LR_W("lr.w", 0x1000202f, 0xf9f0707f, Format.R, Op.LR_W, "d,(s)"),
    SC_W("sc.w", 0x1800202f, 0xf800707f, Format.R, Op.SC_W, "d,t,(s)"),
    AMOSWAP_W("amoswap.w", 0x0800202f, 0xf800707f, Format.R, Op.AMOSWAP_W, "d,t,(s)"),
    AMOADD_W("amoadd.w", 0x0000202f, 0xf800707f, Format.R, Op.AMOADD_W, "d,t,(s)"),
    AMOXOR_W("amoxor.w", 0x2000202f, 0xf800707f, Format.R, Op.AMOXOR_W, "d,t,(s)"),
    AMOAND_W("amoand.w", 0x6000202f, 0xf800707f, Format.R, Op.AMOAND_W, "d,t,(s)"),
    AMOOR_W("amoor.w", 0x4000202f, 0xf800707f, Format.R, Op.AMOOR_W, "d,t,(s)"),
    AMOMIN_W("amomin.w", 0x8000202f, 0xf800707f, Format.R, Op.AMOMIN_W, "d,t,(s)"),
    AMOMAX_W("amomax.w", 0xa000202f, 0xf800707f, Format.R, Op.AMOMAX_W, "d,t,(s)"),
    AMOMINU_W("amominu.w", 0xc000202f, 0xf800707f, Format.R, Op.AMOMINU_W, "d,t,(s)"),
    AMOMAXU_W("amomaxu.w", 0xe000202f, 0xf800707f, Format.R, Op.AMOMAXU_W, "d,t,(s)"),
    LR_D("lr.d", 0x1000302f, 0xf9f0707f, Format.R, Op.LR_D, "d,(s)"),
    SC_D("sc.d", 0x1800302f, 0xf800707f, Format.R, Op.SC_D, "d,t,(s)"),
    AMOSWAP_D("amoswap.d", 0x0800302f, 0xf800707f, Format.R, Op.AMOSWAP_D, "d,t,(s)"),
    AMOADD_D("amoadd.d", 0x0000302f, 0xf800707f, Format.R, Op.AMOADD_D, "d,t,(s)"),
    AMOXOR_D("amoxor.d", 0x2000302f, 0xf800707f, Format.R, Op.AMOXOR_D, "d,t,(s)"),
    AMOAND_D("amoand.d", 0x6000302f, 0xf800707f, Format.R, Op.AMOAND_D, "d,t,(s)"),
    AMOOR_D("amoor.d", 0x4000302f, 0xf800707f, Format.R, Op.AMOOR_D, "d,t,(s)"),
    AMOMIN_D("amomin.d", 0x8000302f, 0xf800707f, Format.R, Op.AMOMIN_D, "d,t,(s)"),
    AMOMAX_D("amomax.d", 0xa000302f, 0xf800707f, Format.R, Op.AMOMAX_D, "d,t,(s)"),
    AMOMINU_D("amominu.d", 0xc000302f, 0xf800707f, Format.R, Op.AMOMINU_D, "d,t,(s)"),
    AMOMAXU_D("amomaxu.d", 0xe000302f, 0xf800707f, Format.R, Op.AMOMAXU_D, "d,t,(s)"),

    // Compressed (RVC), quadrant 0
    C_ADDI4SPN("c.addi4spn", 0x0000, 0xe003, Format.C_ADDI4SPN, Op.ADDI),
    C_LW("c.lw", 0x4000, 0xe003, Format.C_LW, Op.LW),
    C_LD("c.ld", 0x6000, 0xe003, Format.C_LD, Op.LD),
    C_SW("c.sw", 0xc000, 0xe003, Format.C_SW, Op.SW),
    C_SD("c.sd", 0xe000, 0xe003, Format.C_SD, Op.SD),
    // quadrant 1
    C_ADDI("c.addi", 0x0001, 0xe003, Format.C_ADDI, Op.ADDI),
    C_ADDIW("c.addiw", 0x2001, 0xe003, Format.C_ADDIW, Op.ADDIW),
    C_LI("c.li", 0x4001, 0xe003, Format.C_LI, Op.ADDI),
    C_ADDI16SP("c.addi16sp", 0x6101, 0xef83, Format.C_ADDI16SP, Op.ADDI),
    C_LUI("c.lui", 0x6001, 0xe003, Format.C_LUI, Op.LUI),
    C_SRLI("c.srli", 0x8001, 0xec03, Format.C_SHIFT, Op.SRLI),
    C_SRAI("c.srai", 0x8401, 0xec03, Format.C_SHIFT, Op.SRAI),
    C_ANDI("c.andi", 0x8801, 0xec03, Format.C_ANDI, Op.ANDI),
    C_SUB("c.sub", 0x8c01, 0xfc63, Format.C_ARITH, Op.SUB),
    C_XOR("c.xor", 0x8c21, 0xfc63, Format.C_ARITH, Op.XOR),
    C_OR("c.or", 0x8c41, 0xfc63, Format.C_ARITH, Op.OR),
    C_AND("c.and", 0x8c61, 0xfc63, Format.C_ARITH, Op.AND),
    C_SUBW("c.subw", 0x9c01, 0xfc63, Format.C_ARITH, Op.SUBW),
    C_ADDW("c.addw", 0x9c21, 0xfc63, Format.C_ARITH, Op.ADDW),
    C_J("c.j", 0xa001, 0xe003, Format.C_J, Op.JAL),
    C_BEQZ("c.beqz", 0xc001, 0xe003, Format.C_BRANCH, Op.BEQ),
    C_BNEZ("c.bnez", 0xe001, 0xe003, Format.C_BRANCH, Op.BNE),
    // quadrant 2
    C_SLLI("c.slli", 0x0002, 0xe003, Format.C_SLLI, Op.SLLI),
    C_LWSP("c.lwsp", 0x4002, 0xe003, Format.C_LWSP, Op.LW),
    C_LDSP("c.ldsp", 0x6002, 0xe003, Format.C_LDSP, Op.LD),
    C_JR("c.jr", 0x8002, 0xf07f, Format.C_JR, Op.JALR),
    C_MV("c.mv", 0x8002, 0xf003, Format.C_MV, Op.ADD),
    C_EBREAK("c.ebreak", 0x9002, 0xffff, Format.NONE, Op.EBREAK),
    C_JALR("c.jalr", 0x9002, 0xf07f, Format.C_JALR, Op.JALR),
    C_ADD("c.add", 0x9002, 0xf003, Format.C_ADD, Op.ADD),
    C_SWSP("c.swsp", 0xc002, 0xe003, Format.C_SWSP, Op.SW),
    C_SDSP("c.sdsp", 0xe002, 0xe003, Format.C_SDSP, Op.SD);

    /**
     * Operand layouts; compressed ones also say which field values are reserved. Each carries the
     * assembler syntax of its operands for {@link Disassembler}, in binutils' letters over the
     * decoded fields: d/s/t = integer rd/rs1/rs2, D/S/T/R = float rd/rs1/rs2/rs3, j = immediate,
     * o(s) / q(s) = load / store address, u = upper immediate, &gt; &lt; = shift amounts,
     * p / a = branch / jump target, E = CSR, Z = rs1 as a 5-bit immediate, P,Q = fence sets,
     * m = rounding mode. A compressed format's syntax is that of the base instruction it expands to.
     */
    enum Format {
        R("d,s,t"), I("d,s,j"), S("t,q(s)"), B("s,t,p"), U("d,u"), J("d,a"), SHAMT6("d,s,>"), SHAMT5("d,s,<"),
        CSR("d,E,s"), NONE(""),
        C_ADDI4SPN("d,s,j"), C_LW("d,o(s)"), C_LD("d,o(s)"), C_SW("t,q(s)"), C_SD("t,q(s)"), C_ADDI("d,s,j"),
        C_ADDIW("d,s,j"), C_LI("d,j"), C_ADDI16SP("d,s,j"), C_LUI("d,u"), C_SHIFT("d,s,>"), C_ANDI("d,s,j"),
        C_ARITH("d,s,t"), C_J("a"), C_BRANCH("s,p"), C_SLLI("d,s,>"), C_LWSP("d,o(s)"), C_LDSP("d,o(s)"), C_JR("s"),
        C_MV("d,t"), C_JALR("s"), C_ADD("d,s,t"), C_SWSP("t,q(s)"), C_SDSP("t,q(s)");

        final String syntax;

        Format(String syntax) {
            this.syntax = syntax;
        }
    }

    final String mnemonic;
    final int match;
    final int mask;
    final Format format;
    final int op;
    /** Assembler syntax of the operands (see {@link Format}): the format's, unless the entry names its own. */
    final String syntax;

    Encoding(String mnemonic, int match, int mask, Format format, int op) {
        this(mnemonic, match, mask, format, op, format.syntax);
    }

    Encoding(String mnemonic, int match, int mask, Format format, int op, String syntax) {
        this.mnemonic = mnemonic;
        this.match = match;
        this.mask = mask;
        this.format = format;
        this.op = op;
        this.syntax = syntax;
    }

    boolean compressed() {
        return (match & 3) != 3;
    }

    boolean matches(int insn) {
        return (insn & mask) == match;
    }
}
