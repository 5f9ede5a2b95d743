/* rvc: every RV64C instruction form (hand-written in rvc_asm.S) plus whatever
 * gcc -Os emits for ordinary C, with immediate edge values, pc+2 links and a
 * 32-bit instruction straddling a page boundary. */
#include "rt.h"

typedef u64 (*fn2)(u64, u64);
#define X(name) extern u64 name(u64, u64);
X(c_addi) X(c_addiw) X(c_addiw0) X(c_li) X(c_lui) X(c_lui_pos) X(c_slli) X(c_srli) X(c_srai)
X(c_andi) X(c_mv) X(c_add) X(c_sub) X(c_xor) X(c_or) X(c_and) X(c_subw) X(c_addw) X(c_nop)
X(c_beqz) X(c_bnez) X(c_j) X(c_jalr_link) X(c_sp_forms) X(c_sp_mem) X(c_reg_mem) X(c_straddle)

static u64 buf[3];

/* Ordinary code that -Os compiles mostly to compressed instructions. */
static u64 __attribute__((noinline)) fib(u64 n)
{
    u64 a = 0, b = 1;
    while (n--) {
        u64 t = a + b;
        a = b;
        b = t;
    }
    return a;
}

static u32 __attribute__((noinline)) crc32(const u8 *p, int n)
{
    u32 crc = ~0U;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320U & -(crc & 1));
    }
    return ~crc;
}

int main(void)
{
    const u64 MIN = 0x8000000000000000UL, ALL = ~0UL;
    uart_puts("rvc: compressed instructions\n");

    group("rvc.alu");
    check_eq(c_addi(0, 0), (u64)-32, "c.addi -32");
    check_eq(c_addiw(0x7fffffff, 0), 0xffffffff80000000UL, "c.addiw overflow sign-extends");
    check_eq(c_addiw0(0x12345678ffffffffUL, 0), ALL, "c.addiw 0 = sext.w");
    check_eq(c_li(0, 0), (u64)-32, "c.li -32");
    check_eq(c_lui(0, 0), 0xfffffffffffe0000UL, "c.lui negative");
    check_eq(c_lui_pos(0, 0), 0x1f000, "c.lui positive");
    check_eq(c_slli(1, 0), MIN, "c.slli 63");
    check_eq(c_srli(MIN, 0), 1, "c.srli 63");
    check_eq(c_srai(MIN, 0), ALL, "c.srai 63");
    check_eq(c_andi(0xff, 0), 0xf0, "c.andi -16");
    check_eq(c_mv(1, 42), 42, "c.mv");
    check_eq(c_add(ALL, 2), 1, "c.add");
    check_eq(c_sub(0, 1), ALL, "c.sub");
    check_eq(c_xor(0xf0, 0xff), 0x0f, "c.xor");
    check_eq(c_or(0xf0, 0x0f), 0xff, "c.or");
    check_eq(c_and(0xf0, 0x3c), 0x30, "c.and");
    check_eq(c_subw(0x80000000UL, 1), 0x7fffffff, "c.subw");
    check_eq(c_addw(0x7fffffff, 1), 0xffffffff80000000UL, "c.addw sign-extends");
    check_eq(c_nop(0, 0), 7, "c.nop");

    group("rvc.control");
    check_eq(c_beqz(0, 0), 1, "c.beqz taken");
    check_eq(c_beqz(MIN, 0), 0, "c.beqz not taken");
    check_eq(c_bnez(ALL, 0), 1, "c.bnez taken");
    check_eq(c_bnez(0, 0), 0, "c.bnez not taken");
    check_eq(c_j(0, 0), 3, "c.j forward and backward");
    check_eq(c_jalr_link(0, 0), 0, "c.jalr links pc+2");
    check_eq(c_straddle(0, 0), 101, "32-bit insn across a page boundary");

    group("rvc.memory");
    check_eq(c_sp_forms(0, 0), 0, "c.addi16sp / c.addi4spn");
    check_eq(c_sp_mem(0x80000001deadbeefUL, 0), 0, "c.sdsp/c.ldsp/c.lwsp/c.swsp");
    buf[0] = 0x8000000012345678UL;
    check_eq(c_reg_mem((u64)buf, 0), 0xffffffff80000000UL, "c.ld/c.sd/c.lw/c.sw");
    check_eq(buf[1], 0x8000000012345678UL, "c.sd stored");

    group("rvc.compiled");
    check_eq(fib(90), 2880067194370816120UL, "fib(90)");
    static const u8 msg[] = "123456789";
    check_eq(crc32(msg, 9), 0xcbf43926, "crc32 check value");

    return checks_done();
}
