/* rv64i: every RV64I instruction with its edge cases — wrap-around, signed vs
 * unsigned compares, shift amounts 0/31/32/63/64 (masked), W-op sign extension,
 * load sign/zero extension, partial stores, branches, jal/jalr links, x0. */
#include "insn.h"

extern u64 asm_x0_discard(void);
extern u64 asm_jalr_same_reg(void);
extern u64 asm_jalr_odd_target(void);
extern u64 asm_jal_link(void);
extern u64 asm_auipc_delta(void);

static u64 mem[4] __attribute__((aligned(16)));

int main(void)
{
    uart_puts("rv64i: base integer instructions\n");
    const u64 MIN = 0x8000000000000000UL, MAX = 0x7fffffffffffffffUL, ALL = ~0UL;

    group("rv64i.add-sub");
    check_eq(RR("add", MAX, 1), MIN, "add wraps MAX+1");
    check_eq(RR("add", ALL, 1), 0, "add -1+1");
    check_eq(RR("sub", 0, 1), ALL, "sub 0-1");
    check_eq(RR("sub", MIN, 1), MAX, "sub MIN-1");
    check_eq(RI("addi", 5, -6), ALL, "addi negative imm");
    check_eq(RI("addi", 0, 2047), 2047, "addi max imm");
    check_eq(RI("addi", 0, -2048), (u64)-2048, "addi min imm");

    group("rv64i.compare");
    check_eq(RR("slt", ALL, 1), 1, "slt -1<1");
    check_eq(RR("slt", 1, ALL), 0, "slt 1<-1");
    check_eq(RR("sltu", ALL, 1), 0, "sltu max<1");
    check_eq(RR("sltu", 1, ALL), 1, "sltu 1<max");
    check_eq(RR("slt", MIN, MAX), 1, "slt MIN<MAX");
    check_eq(RR("slt", 7, 7), 0, "slt equal");
    check_eq(RI("slti", ALL, 0), 1, "slti -1<0");
    check_eq(RI("slti", 0, -1), 0, "slti 0<-1");
    check_eq(RI("sltiu", 5, -1), 1, "sltiu imm sign-extends to max");
    check_eq(RI("sltiu", 0, 1), 1, "sltiu seqz idiom");
    check_eq(RI("sltiu", 2, 1), 0, "sltiu 2<1");
    check_eq(RR("sltu", 0, 0), 0, "sltu 0<0 (snez x0)");

    group("rv64i.logic");
    check_eq(RR("and", 0xff00ff00ff00ff00UL, 0x0ff00ff00ff00ff0UL), 0x0f000f000f000f00UL, "and");
    check_eq(RR("or", 0xff00ff00ff00ff00UL, 0x0ff00ff00ff00ff0UL), 0xfff0fff0fff0fff0UL, "or");
    check_eq(RR("xor", 0xff00ff00ff00ff00UL, 0x0ff00ff00ff00ff0UL), 0xf0f0f0f0f0f0f0f0UL, "xor");
    check_eq(RI("xori", 0x1234, -1), ~0x1234UL, "xori -1 = not");
    check_eq(RI("andi", ALL, -2048), ~0x7ffUL, "andi sign-extended imm");
    check_eq(RI("ori", 0, -1), ALL, "ori -1");
    check_eq(RI("andi", 0x1234, 0x0ff), 0x34, "andi");

    group("rv64i.shift");
    check_eq(RR("sll", 1, 63), MIN, "sll by 63");
    check_eq(RR("sll", 1, 64), 1, "sll by 64 uses low 6 bits");
    check_eq(RR("sll", 3, 0x7f), MIN, "sll by 127 -> 63");
    check_eq(RR("srl", MIN, 63), 1, "srl by 63");
    check_eq(RR("sra", MIN, 63), ALL, "sra by 63");
    check_eq(RR("sra", MIN, 64), MIN, "sra by 64 -> 0");
    check_eq(RR("srl", ALL, 0), ALL, "srl by 0");
    check_eq(RI("slli", 1, 63), MIN, "slli 63");
    check_eq(RI("srli", ALL, 63), 1, "srli 63");
    check_eq(RI("srai", MIN, 63), ALL, "srai 63");
    check_eq(RI("srai", 0x4000000000000000UL, 62), 1, "srai positive");
    check_eq(RI("slli", 0x123, 0), 0x123, "slli 0");

    group("rv64i.word-ops");
    check_eq(RR("addw", 0x7fffffff, 1), 0xffffffff80000000UL, "addw overflow sign-extends");
    check_eq(RR("addw", 0xdeadbeef00000001UL, 0x12345678ffffffffUL), 0, "addw ignores upper halves");
    check_eq(RR("subw", 0x80000000UL, 1), 0x7fffffff, "subw wraps to positive");
    check_eq(RR("subw", 0, 1), ALL, "subw 0-1");
    check_eq(RI("addiw", 0x00000000ffffffffUL, 0), ALL, "addiw 0 = sext.w");
    check_eq(RI("addiw", 0x7fffffff, 1), 0xffffffff80000000UL, "addiw overflow");
    check_eq(RR("sllw", 1, 31), 0xffffffff80000000UL, "sllw by 31");
    check_eq(RR("sllw", 1, 32), 1, "sllw by 32 uses low 5 bits");
    check_eq(RR("srlw", 0xffffffff80000000UL, 31), 1, "srlw by 31");
    check_eq(RR("srlw", 0xffffffff80000000UL, 0), 0xffffffff80000000UL, "srlw by 0 sign-extends");
    check_eq(RR("srlw", 0x80000000UL, 1), 0x40000000, "srlw zero-fills from bit 31");
    check_eq(RR("sraw", 0x80000000UL, 31), ALL, "sraw by 31");
    check_eq(RR("sraw", 0x1234567880000000UL, 4), 0xfffffffff8000000UL, "sraw uses bit 31 as sign");
    check_eq(RI("slliw", 0xffffffff, 31), 0xffffffff80000000UL, "slliw 31");
    check_eq(RI("srliw", 0xffffffffffffffffUL, 31), 1, "srliw 31");
    check_eq(RI("sraiw", 0x80000000UL, 31), ALL, "sraiw 31");
    check_eq(RI("srliw", 0x80000000UL, 0), 0xffffffff80000000UL, "srliw 0 sign-extends");

    group("rv64i.upper");
    check_eq(R1("lui", 0x80000), 0xffffffff80000000UL, "lui sign-extends bit 31");
    check_eq(R1("lui", 0x7ffff), 0x7ffff000, "lui positive");
    check_eq(R1("lui", 0xfffff), 0xfffffffffffff000UL, "lui all ones");
    check_eq(asm_auipc_delta(), 0, "auipc = pc of the instruction");

    group("rv64i.load-store");
    u8 *m = (u8 *)mem;
    mem[0] = 0x8081828384858687UL;
    mem[1] = 0x7f7e7d7c7b7a7978UL;
    check_eq(LD("lb", m, 7), 0xffffffffffffff80UL, "lb sign-extends");
    check_eq(LD("lbu", m, 7), 0x80, "lbu zero-extends");
    check_eq(LD("lh", m, 6), 0xffffffffffff8081UL, "lh sign-extends");
    check_eq(LD("lhu", m, 6), 0x8081, "lhu zero-extends");
    check_eq(LD("lw", m, 4), 0xffffffff80818283UL, "lw sign-extends");
    check_eq(LD("lwu", m, 4), 0x80818283UL, "lwu zero-extends");
    check_eq(LD("ld", m, 0), 0x8081828384858687UL, "ld");
    check_eq(LD("lb", m, 15), 0x7f, "lb positive");
    check_eq(LD("lw", m + 16, -4), 0x7f7e7d7cUL, "lw negative offset");
    ST("sb", 0x11223344556677aaUL, m, 0);
    check_eq(mem[0], 0x80818283848586aaUL, "sb writes one byte");
    ST("sh", 0x1122334455bbccddUL, m, 2);
    check_eq(mem[0], 0x80818283ccdd86aaUL, "sh writes two bytes");
    ST("sw", 0x11223344deadbeefUL, m, 4);
    check_eq(mem[0], 0xdeadbeefccdd86aaUL, "sw writes four bytes");
    ST("sd", 0x0123456789abcdefUL, m + 16, -8);
    check_eq(mem[1], 0x0123456789abcdefUL, "sd negative offset");
    check_eq(mem[2], 0, "neighbour untouched");

    group("rv64i.branch");
    check_eq(BR("beq", 5, 5), 1, "beq equal");
    check_eq(BR("beq", 5, 6), 0, "beq unequal");
    check_eq(BR("bne", 5, 6), 1, "bne");
    check_eq(BR("bne", ALL, ALL), 0, "bne equal");
    check_eq(BR("blt", ALL, 0), 1, "blt -1<0");
    check_eq(BR("blt", 0, ALL), 0, "blt 0<-1");
    check_eq(BR("blt", MIN, MAX), 1, "blt MIN<MAX");
    check_eq(BR("bge", 0, ALL), 1, "bge 0>=-1");
    check_eq(BR("bge", 3, 3), 1, "bge equal");
    check_eq(BR("bge", MIN, 0), 0, "bge MIN>=0");
    check_eq(BR("bltu", 0, ALL), 1, "bltu 0<max");
    check_eq(BR("bltu", ALL, 0), 0, "bltu max<0");
    check_eq(BR("bgeu", ALL, 0), 1, "bgeu max>=0");
    check_eq(BR("bgeu", 0, 1), 0, "bgeu 0>=1");
    check_eq(BR("bgeu", 9, 9), 1, "bgeu equal");

    group("rv64i.jumps");
    check_eq(asm_jal_link(), 0, "jal links pc+4, jumps forward/backward");
    check_eq(asm_jalr_same_reg(), 0, "jalr rd == rs1 uses old rs1");
    check_eq(asm_jalr_odd_target(), 0, "jalr clears bit 0 of the target");
    check_eq(asm_x0_discard(), 0, "writes to x0 are discarded");

    return checks_done();
}
