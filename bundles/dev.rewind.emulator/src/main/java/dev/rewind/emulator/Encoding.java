package dev.rewind.emulator;

/**
 * The single table of instruction encodings (RISC-V unprivileged spec 20191213 ch. 24, 11-12 and 16,
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

    // F and D (unprivileged spec ch. 11-12)
    FLW("flw", 0x00002007, 0x0000707f, Format.I, Op.FLW, "D,o(s)"),
    FLD("fld", 0x00003007, 0x0000707f, Format.I, Op.FLD, "D,o(s)"),
    FSW("fsw", 0x00002027, 0x0000707f, Format.S, Op.FSW, "T,q(s)"),
    FSD("fsd", 0x00003027, 0x0000707f, Format.S, Op.FSD, "T,q(s)"),
    FMADD_S("fmadd.s", 0x00000043, 0x0600007f, Format.R4, Op.FMADD_S),
    FMSUB_S("fmsub.s", 0x00000047, 0x0600007f, Format.R4, Op.FMSUB_S),
    FNMSUB_S("fnmsub.s", 0x0000004b, 0x0600007f, Format.R4, Op.FNMSUB_S),
    FNMADD_S("fnmadd.s", 0x0000004f, 0x0600007f, Format.R4, Op.FNMADD_S),
    FADD_S("fadd.s", 0x00000053, 0xfe00007f, Format.FP_RM, Op.FADD_S),
    FSUB_S("fsub.s", 0x08000053, 0xfe00007f, Format.FP_RM, Op.FSUB_S),
    FMUL_S("fmul.s", 0x10000053, 0xfe00007f, Format.FP_RM, Op.FMUL_S),
    FDIV_S("fdiv.s", 0x18000053, 0xfe00007f, Format.FP_RM, Op.FDIV_S),
    FSQRT_S("fsqrt.s", 0x58000053, 0xfff0007f, Format.FP_RM, Op.FSQRT_S, "D,S,m"),
    FSGNJ_S("fsgnj.s", 0x20000053, 0xfe00707f, Format.R, Op.FSGNJ_S, "D,S,T"),
    FSGNJN_S("fsgnjn.s", 0x20001053, 0xfe00707f, Format.R, Op.FSGNJN_S, "D,S,T"),
    FSGNJX_S("fsgnjx.s", 0x20002053, 0xfe00707f, Format.R, Op.FSGNJX_S, "D,S,T"),
    FMIN_S("fmin.s", 0x28000053, 0xfe00707f, Format.R, Op.FMIN_S, "D,S,T"),
    FMAX_S("fmax.s", 0x28001053, 0xfe00707f, Format.R, Op.FMAX_S, "D,S,T"),
    FEQ_S("feq.s", 0xa0002053, 0xfe00707f, Format.R, Op.FEQ_S, "d,S,T"),
    FLT_S("flt.s", 0xa0001053, 0xfe00707f, Format.R, Op.FLT_S, "d,S,T"),
    FLE_S("fle.s", 0xa0000053, 0xfe00707f, Format.R, Op.FLE_S, "d,S,T"),
    FCVT_W_S("fcvt.w.s", 0xc0000053, 0xfff0007f, Format.FP_RM, Op.FCVT_W_S, "d,S,m"),
    FCVT_WU_S("fcvt.wu.s", 0xc0100053, 0xfff0007f, Format.FP_RM, Op.FCVT_WU_S, "d,S,m"),
    FCVT_L_S("fcvt.l.s", 0xc0200053, 0xfff0007f, Format.FP_RM, Op.FCVT_L_S, "d,S,m"),
    FCVT_LU_S("fcvt.lu.s", 0xc0300053, 0xfff0007f, Format.FP_RM, Op.FCVT_LU_S, "d,S,m"),
    FCVT_S_W("fcvt.s.w", 0xd0000053, 0xfff0007f, Format.FP_RM, Op.FCVT_S_W, "D,s,m"),
    FCVT_S_WU("fcvt.s.wu", 0xd0100053, 0xfff0007f, Format.FP_RM, Op.FCVT_S_WU, "D,s,m"),
    FCVT_S_L("fcvt.s.l", 0xd0200053, 0xfff0007f, Format.FP_RM, Op.FCVT_S_L, "D,s,m"),
    FCVT_S_LU("fcvt.s.lu", 0xd0300053, 0xfff0007f, Format.FP_RM, Op.FCVT_S_LU, "D,s,m"),
    FMV_X_W("fmv.x.w", 0xe0000053, 0xfff0707f, Format.R, Op.FMV_X_W, "d,S"),
    FCLASS_S("fclass.s", 0xe0001053, 0xfff0707f, Format.R, Op.FCLASS_S, "d,S"),
    FMV_W_X("fmv.w.x", 0xf0000053, 0xfff0707f, Format.R, Op.FMV_W_X, "D,s"),
    FMADD_D("fmadd.d", 0x02000043, 0x0600007f, Format.R4, Op.FMADD_D),
    FMSUB_D("fmsub.d", 0x02000047, 0x0600007f, Format.R4, Op.FMSUB_D),
    FNMSUB_D("fnmsub.d", 0x0200004b, 0x0600007f, Format.R4, Op.FNMSUB_D),
    FNMADD_D("fnmadd.d", 0x0200004f, 0x0600007f, Format.R4, Op.FNMADD_D),
    FADD_D("fadd.d", 0x02000053, 0xfe00007f, Format.FP_RM, Op.FADD_D),
    FSUB_D("fsub.d", 0x0a000053, 0xfe00007f, Format.FP_RM, Op.FSUB_D),
    FMUL_D("fmul.d", 0x12000053, 0xfe00007f, Format.FP_RM, Op.FMUL_D),
    FDIV_D("fdiv.d", 0x1a000053, 0xfe00007f, Format.FP_RM, Op.FDIV_D),
    FSQRT_D("fsqrt.d", 0x5a000053, 0xfff0007f, Format.FP_RM, Op.FSQRT_D, "D,S,m"),
    FSGNJ_D("fsgnj.d", 0x22000053, 0xfe00707f, Format.R, Op.FSGNJ_D, "D,S,T"),
    FSGNJN_D("fsgnjn.d", 0x22001053, 0xfe00707f, Format.R, Op.FSGNJN_D, "D,S,T"),
    FSGNJX_D("fsgnjx.d", 0x22002053, 0xfe00707f, Format.R, Op.FSGNJX_D, "D,S,T"),
    FMIN_D("fmin.d", 0x2a000053, 0xfe00707f, Format.R, Op.FMIN_D, "D,S,T"),
    FMAX_D("fmax.d", 0x2a001053, 0xfe00707f, Format.R, Op.FMAX_D, "D,S,T"),
    FEQ_D("feq.d", 0xa2002053, 0xfe00707f, Format.R, Op.FEQ_D, "d,S,T"),
    FLT_D("flt.d", 0xa2001053, 0xfe00707f, Format.R, Op.FLT_D, "d,S,T"),
    FLE_D("fle.d", 0xa2000053, 0xfe00707f, Format.R, Op.FLE_D, "d,S,T"),
    FCVT_W_D("fcvt.w.d", 0xc2000053, 0xfff0007f, Format.FP_RM, Op.FCVT_W_D, "d,S,m"),
    FCVT_WU_D("fcvt.wu.d", 0xc2100053, 0xfff0007f, Format.FP_RM, Op.FCVT_WU_D, "d,S,m"),
    FCVT_L_D("fcvt.l.d", 0xc2200053, 0xfff0007f, Format.FP_RM, Op.FCVT_L_D, "d,S,m"),
    FCVT_LU_D("fcvt.lu.d", 0xc2300053, 0xfff0007f, Format.FP_RM, Op.FCVT_LU_D, "d,S,m"),
    FCVT_D_W("fcvt.d.w", 0xd2000053, 0xfff0007f, Format.FP_RM, Op.FCVT_D_W, "D,s"),
    FCVT_D_WU("fcvt.d.wu", 0xd2100053, 0xfff0007f, Format.FP_RM, Op.FCVT_D_WU, "D,s"),
    FCVT_D_L("fcvt.d.l", 0xd2200053, 0xfff0007f, Format.FP_RM, Op.FCVT_D_L, "D,s,m"),
    FCVT_D_LU("fcvt.d.lu", 0xd2300053, 0xfff0007f, Format.FP_RM, Op.FCVT_D_LU, "D,s,m"),
    FMV_X_D("fmv.x.d", 0xe2000053, 0xfff0707f, Format.R, Op.FMV_X_D, "d,S"),
    FCLASS_D("fclass.d", 0xe2001053, 0xfff0707f, Format.R, Op.FCLASS_D, "d,S"),
    FMV_D_X("fmv.d.x", 0xf2000053, 0xfff0707f, Format.R, Op.FMV_D_X, "D,s"),
    FCVT_S_D("fcvt.s.d", 0x40100053, 0xfff0007f, Format.FP_RM, Op.FCVT_S_D, "D,S,m"),
    FCVT_D_S("fcvt.d.s", 0x42000053, 0xfff0007f, Format.FP_RM, Op.FCVT_D_S, "D,S"),

    // Compressed (RVC), quadrant 0
    C_ADDI4SPN("c.addi4spn", 0x0000, 0xe003, Format.C_ADDI4SPN, Op.ADDI),
    C_LW("c.lw", 0x4000, 0xe003, Format.C_LW, Op.LW),
    C_LD("c.ld", 0x6000, 0xe003, Format.C_LD, Op.LD),
    C_SW("c.sw", 0xc000, 0xe003, Format.C_SW, Op.SW),
    C_SD("c.sd", 0xe000, 0xe003, Format.C_SD, Op.SD),
    C_FLD("c.fld", 0x2000, 0xe003, Format.C_LD, Op.FLD, "D,o(s)"),
    C_FSD("c.fsd", 0xa000, 0xe003, Format.C_SD, Op.FSD, "T,q(s)"),
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
    C_FLDSP("c.fldsp", 0x2002, 0xe003, Format.C_FLDSP, Op.FLD),
    C_JR("c.jr", 0x8002, 0xf07f, Format.C_JR, Op.JALR),
    C_MV("c.mv", 0x8002, 0xf003, Format.C_MV, Op.ADD),
    C_EBREAK("c.ebreak", 0x9002, 0xffff, Format.NONE, Op.EBREAK),
    C_JALR("c.jalr", 0x9002, 0xf07f, Format.C_JALR, Op.JALR),
    C_ADD("c.add", 0x9002, 0xf003, Format.C_ADD, Op.ADD),
    C_SWSP("c.swsp", 0xc002, 0xe003, Format.C_SWSP, Op.SW),
    C_SDSP("c.sdsp", 0xe002, 0xe003, Format.C_SDSP, Op.SD),
    C_FSDSP("c.fsdsp", 0xa002, 0xe003, Format.C_SDSP, Op.FSD, "T,q(s)");

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
        /** rd, rs1, rs2 and rm: imm = rm. */
        FP_RM("D,S,T,m"),
        /** rd, rs1, rs2, rs3 and rm: imm = rm | rs3 << 3. */
        R4("D,S,T,R,m"),
        C_ADDI4SPN("d,s,j"), C_LW("d,o(s)"), C_LD("d,o(s)"), C_SW("t,q(s)"), C_SD("t,q(s)"), C_ADDI("d,s,j"),
        C_ADDIW("d,s,j"), C_LI("d,j"), C_ADDI16SP("d,s,j"), C_LUI("d,u"), C_SHIFT("d,s,>"), C_ANDI("d,s,j"),
        C_ARITH("d,s,t"), C_J("a"), C_BRANCH("s,p"), C_SLLI("d,s,>"), C_LWSP("d,o(s)"), C_LDSP("d,o(s)"), C_FLDSP("D,o(s)"), C_JR("s"),
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
