package dev.rewind.emulator;

/**
 * Dense operation ids the hart's dispatch {@code switch} runs on. Encodings live only in
 * {@link Encoding}; compressed encodings map onto these same ids. 0 marks an undecoded slot.
 */
final class Op {
    private Op() {
    }

    static final int NONE = 0, ILLEGAL = 1, BREAKPOINT = 2;
    static final int LUI = 3, AUIPC = 4, JAL = 5, JALR = 6;
    static final int BEQ = 7, BNE = 8, BLT = 9, BGE = 10, BLTU = 11, BGEU = 12;
    static final int LB = 13, LH = 14, LW = 15, LD = 16, LBU = 17, LHU = 18, LWU = 19;
    static final int SB = 20, SH = 21, SW = 22, SD = 23;
    static final int ADDI = 24, SLTI = 25, SLTIU = 26, XORI = 27, ORI = 28, ANDI = 29, SLLI = 30, SRLI = 31, SRAI = 32;
    static final int ADD = 33, SUB = 34, SLL = 35, SLT = 36, SLTU = 37, XOR = 38, SRL = 39, SRA = 40, OR = 41, AND = 42;
    static final int ADDIW = 43, SLLIW = 44, SRLIW = 45, SRAIW = 46;
    static final int ADDW = 47, SUBW = 48, SLLW = 49, SRLW = 50, SRAW = 51;
    static final int FENCE = 52, FENCE_I = 53, ECALL = 54, EBREAK = 55;
    static final int MUL = 56, MULH = 57, MULHSU = 58, MULHU = 59, DIV = 60, DIVU = 61, REM = 62, REMU = 63;
    static final int MULW = 64, DIVW = 65, DIVUW = 66, REMW = 67, REMUW = 68;
    /** All A-extension ops are >= LR_W and <= AMOMAXU_D; they run in a cold method. */
    static final int LR_W = 69, SC_W = 70, AMOSWAP_W = 71, AMOADD_W = 72, AMOXOR_W = 73, AMOAND_W = 74, AMOOR_W = 75,
            AMOMIN_W = 76, AMOMAX_W = 77, AMOMINU_W = 78, AMOMAXU_W = 79;
    static final int LR_D = 80, SC_D = 81, AMOSWAP_D = 82, AMOADD_D = 83, AMOXOR_D = 84, AMOAND_D = 85, AMOOR_D = 86,
            AMOMIN_D = 87, AMOMAX_D = 88, AMOMINU_D = 89, AMOMAXU_D = 90;
    static final int CSRRW = 91, CSRRS = 92, CSRRC = 93, CSRRWI = 94, CSRRSI = 95, CSRRCI = 96;
    static final int MRET = 97, SRET = 98, WFI = 99, SFENCE_VMA = 100;
    /** A 32-bit instruction in the last halfword of a page: executed through a scratch page. */
    static final int CROSS = 101;
    /** The sentinel slot just past a page: the pc has run off the end. */
    static final int PAGE_END = 102;
    /**
     * F and D. Loads/stores first; then every op writing an f register (FLW..FMV_D_X), then
     * every op writing an x register (FCVT_W_S..FCLASS_D). The non-memory ones run in
     * {@link FloatUnit}; rm (3 bits) and rs3 (5 bits above it) travel in the immediate.
     */
    static final int FLW = 103, FLD = 104, FSW = 105, FSD = 106;
    static final int FADD_S = 107, FSUB_S = 108, FMUL_S = 109, FDIV_S = 110, FSQRT_S = 111,
            FSGNJ_S = 112, FSGNJN_S = 113, FSGNJX_S = 114, FMIN_S = 115, FMAX_S = 116,
            FMADD_S = 117, FMSUB_S = 118, FNMSUB_S = 119, FNMADD_S = 120,
            FCVT_S_W = 121, FCVT_S_WU = 122, FCVT_S_L = 123, FCVT_S_LU = 124, FMV_W_X = 125, FCVT_S_D = 126;
    static final int FADD_D = 127, FSUB_D = 128, FMUL_D = 129, FDIV_D = 130, FSQRT_D = 131,
            FSGNJ_D = 132, FSGNJN_D = 133, FSGNJX_D = 134, FMIN_D = 135, FMAX_D = 136,
            FMADD_D = 137, FMSUB_D = 138, FNMSUB_D = 139, FNMADD_D = 140,
            FCVT_D_W = 141, FCVT_D_WU = 142, FCVT_D_L = 143, FCVT_D_LU = 144, FMV_D_X = 145, FCVT_D_S = 146;
    static final int FCVT_W_S = 147, FCVT_WU_S = 148, FCVT_L_S = 149, FCVT_LU_S = 150, FMV_X_W = 151,
            FEQ_S = 152, FLT_S = 153, FLE_S = 154, FCLASS_S = 155;
    static final int FCVT_W_D = 156, FCVT_WU_D = 157, FCVT_L_D = 158, FCVT_LU_D = 159, FMV_X_D = 160,
            FEQ_D = 161, FLT_D = 162, FLE_D = 163, FCLASS_D = 164;
    static final int FP_FIRST = FLW, FP_LAST = FCLASS_D;
    static final int COUNT = 165;

    /** Ops whose rd names an f register (f0 is a real register, not the x0 sink). */
    static boolean writesFloat(int op) {
        return op == FLW || op == FLD || (op >= FADD_S && op <= FCVT_D_S);
    }

    /**
     * Slot word layout: op | rd << 8 (6 bits) | rs1 << 14 | rs2 << 19 | compressed << 24.
     * A destination x0 is stored as 32, a scratch register, so the hot loop never tests rd == 0
     * (an f-register destination keeps f0).
     */
    static final int RD_SHIFT = 8, RS1_SHIFT = 14, RS2_SHIFT = 19, COMPRESSED_BIT = 1 << 24;
    static final int X0_SINK = 32;

    static int word(int op, int rd, int rs1, int rs2, boolean compressed) {
        int d = rd == 0 && !writesFloat(op) ? X0_SINK : rd;
        return op | d << RD_SHIFT | rs1 << RS1_SHIFT | rs2 << RS2_SHIFT | (compressed ? COMPRESSED_BIT : 0);
    }
}
