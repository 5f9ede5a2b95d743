/* rv64a: LR/SC success and failure (no reservation, wrong address, reservation
 * consumed), and every AMO in .w and .d form: old value returned (sign-extended
 * for .w), memory result, neighbours untouched, rd = x0. */
#include "insn.h"

static volatile u64 cell[4] __attribute__((aligned(16)));

#define AMO(insn, addr, v) ({ u64 r__; asm volatile(insn " %0, %2, (%1)" : "=r"(r__) : "r"(addr), "r"((u64)(v)) : "memory"); r__; })

static void amo_w(const char *name, u64 (*op)(volatile u32 *, u32), u32 init, u32 operand, u32 want_mem)
{
    cell[0] = 0xa5a5a5a5a5a5a5a5UL;
    cell[1] = 0x5a5a5a5a00000000UL | init;
    volatile u32 *w = (volatile u32 *)&cell[1];
    u64 old = op(w, operand);
    check_eq(old, (u64)(i64)(i32)init, name);
    check_eq(cell[1], 0x5a5a5a5a00000000UL | want_mem, name);
    check_eq(cell[0], 0xa5a5a5a5a5a5a5a5UL, "neighbour untouched");
}

static void amo_d(const char *name, u64 (*op)(volatile u64 *, u64), u64 init, u64 operand, u64 want_mem)
{
    cell[1] = init;
    cell[2] = 0x1111111111111111UL;
    check_eq(op(&cell[1], operand), init, name);
    check_eq(cell[1], want_mem, name);
    check_eq(cell[2], 0x1111111111111111UL, "neighbour untouched");
}

#define DEF_W(n, insn) static u64 n(volatile u32 *a, u32 v) { return AMO(insn, a, v); }
#define DEF_D(n, insn) static u64 n(volatile u64 *a, u64 v) { return AMO(insn, a, v); }
DEF_W(swap_w, "amoswap.w") DEF_W(add_w, "amoadd.w") DEF_W(xor_w, "amoxor.w") DEF_W(and_w, "amoand.w")
DEF_W(or_w, "amoor.w") DEF_W(min_w, "amomin.w") DEF_W(max_w, "amomax.w") DEF_W(minu_w, "amominu.w")
DEF_W(maxu_w, "amomaxu.w") DEF_W(add_w_aqrl, "amoadd.w.aqrl")
DEF_D(swap_d, "amoswap.d") DEF_D(add_d, "amoadd.d") DEF_D(xor_d, "amoxor.d") DEF_D(and_d, "amoand.d")
DEF_D(or_d, "amoor.d") DEF_D(min_d, "amomin.d") DEF_D(max_d, "amomax.d") DEF_D(minu_d, "amominu.d")
DEF_D(maxu_d, "amomaxu.d") DEF_D(swap_d_aq, "amoswap.d.aq")

int main(void)
{
    uart_puts("rv64a: atomics\n");
    u64 r, sc;

    group("rv64a.lr-sc");
    cell[0] = 0xfedcba9876543210UL;
    asm volatile("lr.d %0, (%2)\n sc.d %1, %3, (%2)" : "=&r"(r), "=&r"(sc) : "r"(&cell[0]), "r"(0x1234UL) : "memory");
    check_eq(r, 0xfedcba9876543210UL, "lr.d loads");
    check_eq(sc, 0, "sc.d succeeds after lr.d");
    check_eq(cell[0], 0x1234, "sc.d stored");
    asm volatile("sc.d %0, %2, (%1)" : "=&r"(sc) : "r"(&cell[0]), "r"(0x5678UL) : "memory");
    check(sc != 0, "sc.d without reservation fails");
    check_eq(cell[0], 0x1234, "failed sc.d does not store");
    cell[1] = 0x00000000ffff8000UL;
    asm volatile("lr.w %0, (%2)\n sc.w %1, %3, (%2)" : "=&r"(r), "=&r"(sc) : "r"(&cell[1]), "r"(0x7fffffffUL) : "memory");
    check_eq(r, 0xffffffffffff8000UL, "lr.w sign-extends");
    check_eq(sc, 0, "sc.w succeeds");
    check_eq(cell[1], 0x000000007fffffffUL, "sc.w stores 32 bits only");
    asm volatile("lr.w %0, (%2)\n sc.w %1, %3, (%2)\n sc.w %1, %3, (%2)" : "=&r"(r), "=&r"(sc)
                 : "r"(&cell[1]), "r"(0x1UL) : "memory");
    check(sc != 0, "second sc.w after one lr.w fails");
    check_eq(cell[1], 1, "first sc.w stored");
    cell[2] = 7;
    cell[3] = 9;
    asm volatile("lr.d %0, (%2)\n sc.d %1, %3, (%4)" : "=&r"(r), "=&r"(sc)
                 : "r"(&cell[2]), "r"(0x77UL), "r"(&cell[3]) : "memory");
    check(sc != 0, "sc.d to another address fails");
    check_eq(cell[3], 9, "sc.d to another address does not store");
    asm volatile("lr.d.aq %0, (%2)\n sc.d.rl %1, %3, (%2)" : "=&r"(r), "=&r"(sc) : "r"(&cell[2]), "r"(0x42UL) : "memory");
    check_eq(sc, 0, "lr.aq/sc.rl succeed");
    check_eq(cell[2], 0x42, "sc.d.rl stored");

    group("rv64a.amo-w");
    amo_w("amoswap.w", swap_w, 0x80000001, 0x12345678, 0x12345678);
    amo_w("amoadd.w wraps", add_w, 0xffffffff, 2, 1);
    amo_w("amoadd.w.aqrl", add_w_aqrl, 0x7fffffff, 1, 0x80000000);
    amo_w("amoxor.w", xor_w, 0xf0f0f0f0, 0xffffffff, 0x0f0f0f0f);
    amo_w("amoand.w", and_w, 0xf0f0f0f0, 0x3c3c3c3c, 0x30303030);
    amo_w("amoor.w", or_w, 0x80000000, 0x1, 0x80000001);
    amo_w("amomin.w signed", min_w, 5, 0xfffffffe, 0xfffffffe);
    amo_w("amomax.w signed", max_w, 0x80000000, 0xffffffff, 0xffffffff);
    amo_w("amominu.w unsigned", minu_w, 5, 0xfffffffe, 5);
    amo_w("amomaxu.w unsigned", maxu_w, 0x7fffffff, 0x80000000, 0x80000000);

    group("rv64a.amo-d");
    const u64 MIN = 0x8000000000000000UL, ALL = ~0UL;
    amo_d("amoswap.d", swap_d, MIN, 3, 3);
    amo_d("amoswap.d.aq", swap_d_aq, 1, 2, 2);
    amo_d("amoadd.d wraps", add_d, ALL, 2, 1);
    amo_d("amoxor.d", xor_d, 0xff00ff00ff00ff00UL, ALL, 0x00ff00ff00ff00ffUL);
    amo_d("amoand.d", and_d, 0xff00ff00ff00ff00UL, 0x0ff00ff00ff00ff0UL, 0x0f000f000f000f00UL);
    amo_d("amoor.d", or_d, MIN, 1, MIN | 1);
    amo_d("amomin.d signed", min_d, 1, MIN, MIN);
    amo_d("amomax.d signed", max_d, MIN, ALL, ALL);
    amo_d("amominu.d unsigned", minu_d, 1, MIN, 1);
    amo_d("amomaxu.d unsigned", maxu_d, 1, MIN, MIN);

    group("rv64a.rd-x0");
    cell[1] = 10;
    asm volatile("amoadd.d x0, %1, (%0)" :: "r"(&cell[1]), "r"(5UL) : "memory");
    check_eq(cell[1], 15, "amoadd.d with rd=x0 still writes memory");
    asm volatile("amoswap.w x0, %1, (%0)" :: "r"(&cell[1]), "r"(0x99UL) : "memory");
    check_eq(cell[1], 0x99, "amoswap.w with rd=x0");
    /* rs2 = rd: the old value must be returned, the register operand read before. */
    u64 v = 4;
    asm volatile("amoadd.d %0, %0, (%1)" : "+r"(v) : "r"(&cell[1]) : "memory");
    check_eq(v, 0x99, "amoadd.d rd=rs2 returns old value");
    check_eq(cell[1], 0x9d, "amoadd.d rd=rs2 adds the operand");

    return checks_done();
}
