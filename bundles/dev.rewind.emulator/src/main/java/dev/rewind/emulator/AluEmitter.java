package dev.rewind.emulator;

/**
 * The integer register-register and register-immediate operations of a translated block
 * ({@link BlockEmitter}): RV64I and M arithmetic, LUI and AUIPC. Each pushes its result as a
 * long; the caller stores it into rd.
 */
final class AluEmitter {
    private static final String ARITH = "dev/rewind/emulator/Arithmetic";
    private final BlockEmitter e;
    private final CodeBuffer c;

    AluEmitter(BlockEmitter e) {
        this.e = e;
        this.c = e.c;
    }

    private void lessThan() {
        c.op(CodeBuffer.LCMP);
        c.op(CodeBuffer.BIPUSH, 31);
        c.op(CodeBuffer.IUSHR);
        c.op(CodeBuffer.I2L);
    }

    /** Pushes the result of a register-to-register or immediate operation. */
    void operation(int op, int rs1, int rs2, int imm, int off) {
        switch (op) {
            case Op.LUI -> e.pushLong(imm);
            case Op.AUIPC -> {
                c.local(CodeBuffer.LLOAD, BlockEmitter.PC0);
                e.pushLong(off + (long) imm);
                c.op(CodeBuffer.LADD);
            }
            case Op.ADDI -> binaryImm(rs1, imm, CodeBuffer.LADD);
            case Op.XORI -> binaryImm(rs1, imm, CodeBuffer.LXOR);
            case Op.ORI -> binaryImm(rs1, imm, CodeBuffer.LOR);
            case Op.ANDI -> binaryImm(rs1, imm, CodeBuffer.LAND);
            case Op.SLTI -> {
                e.read(rs1);
                e.pushLong(imm);
                lessThan();
            }
            case Op.SLTIU -> {
                e.read(rs1);
                e.pushLong(Long.MIN_VALUE);
                c.op(CodeBuffer.LADD);
                e.pushLong(imm + Long.MIN_VALUE);
                lessThan();
            }
            case Op.SLLI, Op.SRLI, Op.SRAI -> {
                e.read(rs1);
                e.pushInt(imm);
                c.op(op == Op.SLLI ? CodeBuffer.LSHL : op == Op.SRLI ? CodeBuffer.LUSHR : CodeBuffer.LSHR);
            }
            case Op.ADD -> binary(rs1, rs2, CodeBuffer.LADD);
            case Op.SUB -> binary(rs1, rs2, CodeBuffer.LSUB);
            case Op.XOR -> binary(rs1, rs2, CodeBuffer.LXOR);
            case Op.OR -> binary(rs1, rs2, CodeBuffer.LOR);
            case Op.AND -> binary(rs1, rs2, CodeBuffer.LAND);
            case Op.MUL -> binary(rs1, rs2, CodeBuffer.LMUL);
            case Op.SLL, Op.SRL, Op.SRA -> {
                e.read(rs1);
                e.read(rs2);
                c.op(CodeBuffer.L2I);
                c.op(op == Op.SLL ? CodeBuffer.LSHL : op == Op.SRL ? CodeBuffer.LUSHR : CodeBuffer.LSHR);
            }
            case Op.SLT -> {
                e.read(rs1);
                e.read(rs2);
                lessThan();
            }
            case Op.SLTU -> {
                e.read(rs1);
                e.pushLong(Long.MIN_VALUE);
                c.op(CodeBuffer.LADD);
                e.read(rs2);
                e.pushLong(Long.MIN_VALUE);
                c.op(CodeBuffer.LADD);
                lessThan();
            }
            case Op.ADDIW -> {
                binaryImm(rs1, imm, CodeBuffer.LADD);
                c.op(CodeBuffer.L2I);
                c.op(CodeBuffer.I2L);
            }
            case Op.SLLIW, Op.SRLIW, Op.SRAIW -> {
                e.read(rs1);
                c.op(CodeBuffer.L2I);
                e.pushInt(imm);
                c.op(op == Op.SLLIW ? CodeBuffer.ISHL : op == Op.SRLIW ? CodeBuffer.IUSHR : CodeBuffer.ISHR);
                c.op(CodeBuffer.I2L);
            }
            case Op.ADDW, Op.SUBW -> {
                binary(rs1, rs2, op == Op.ADDW ? CodeBuffer.LADD : CodeBuffer.LSUB);
                c.op(CodeBuffer.L2I);
                c.op(CodeBuffer.I2L);
            }
            case Op.SLLW, Op.SRLW, Op.SRAW, Op.MULW -> {
                e.read(rs1);
                c.op(CodeBuffer.L2I);
                e.read(rs2);
                c.op(CodeBuffer.L2I);
                c.op(switch (op) {
                    case Op.SLLW -> CodeBuffer.ISHL;
                    case Op.SRLW -> CodeBuffer.IUSHR;
                    case Op.SRAW -> CodeBuffer.ISHR;
                    default -> CodeBuffer.IMUL;
                });
                c.op(CodeBuffer.I2L);
            }
            case Op.MULH -> {
                e.read(rs1);
                e.read(rs2);
                e.invokeStatic("java/lang/Math", "multiplyHigh", "(JJ)J");
            }
            default -> {
                String name = switch (op) {
                    case Op.MULHSU -> "mulhsu";
                    case Op.MULHU -> "mulhu";
                    case Op.DIV -> "div";
                    case Op.DIVU -> "divu";
                    case Op.REM -> "rem";
                    case Op.REMU -> "remu";
                    case Op.DIVW -> "divw";
                    case Op.DIVUW -> "divuw";
                    case Op.REMW -> "remw";
                    case Op.REMUW -> "remuw";
                    default -> throw new IllegalStateException("op " + op + " is not translated");
                };
                e.read(rs1);
                e.read(rs2);
                e.invokeStatic(ARITH, name, "(JJ)J");
            }
        }
    }

    private void binary(int rs1, int rs2, int opcode) {
        e.read(rs1);
        e.read(rs2);
        c.op(opcode);
    }

    private void binaryImm(int rs1, int imm, int opcode) {
        e.read(rs1);
        e.pushLong(imm);
        c.op(opcode);
    }
}
