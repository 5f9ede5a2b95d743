/* rv64m: multiply/divide incl. high halves of signed x unsigned products,
 * division by zero, signed overflow, and the W forms' sign extension. */
#include "insn.h"

int main(void)
{
    uart_puts("rv64m: multiply and divide\n");
    const u64 MIN = 0x8000000000000000UL, MAX = 0x7fffffffffffffffUL, ALL = ~0UL;

    group("rv64m.mul");
    check_eq(RR("mul", 3, ALL), (u64)-3, "mul 3*-1");
    check_eq(RR("mul", MIN, ALL), MIN, "mul MIN*-1 wraps");
    check_eq(RR("mul", 0x100000000UL, 0x100000000UL), 0, "mul low half of 2^64");
    check_eq(RR("mulh", MIN, MIN), 0x4000000000000000UL, "mulh MIN*MIN");
    check_eq(RR("mulh", ALL, ALL), 0, "mulh -1*-1");
    check_eq(RR("mulh", ALL, 2), ALL, "mulh -1*2");
    check_eq(RR("mulhu", ALL, ALL), 0xfffffffffffffffeUL, "mulhu max*max");
    check_eq(RR("mulhu", MIN, 2), 1, "mulhu 2^63*2");
    check_eq(RR("mulhsu", ALL, ALL), ALL, "mulhsu -1*(2^64-1)");
    check_eq(RR("mulhsu", 2, ALL), 1, "mulhsu 2*(2^64-1)");
    check_eq(RR("mulhsu", MIN, 1), ALL, "mulhsu MIN*1");
    check_eq(RR("mulw", 0x7fffffff, 2), 0xfffffffffffffffeUL, "mulw sign-extends");
    check_eq(RR("mulw", 0x1234567800010000UL, 0x10000), 0, "mulw keeps low 32 bits");
    check_eq(RR("mulw", 0xffffffff, 0xffffffff), 1, "mulw -1*-1");

    group("rv64m.div");
    check_eq(RR("div", 7, (u64)-2), (u64)-3, "div truncates toward zero");
    check_eq(RR("rem", 7, (u64)-2), 1, "rem sign follows dividend");
    check_eq(RR("rem", (u64)-7, 2), (u64)-1, "rem negative dividend");
    check_eq(RR("divu", ALL, 2), MAX, "divu");
    check_eq(RR("remu", ALL, 10), 5, "remu");

    group("rv64m.div-by-zero");
    check_eq(RR("div", 42, 0), ALL, "div by 0 = -1");
    check_eq(RR("divu", 42, 0), ALL, "divu by 0 = max");
    check_eq(RR("rem", (u64)-42, 0), (u64)-42, "rem by 0 = dividend");
    check_eq(RR("remu", 42, 0), 42, "remu by 0 = dividend");
    check_eq(RR("divw", 42, 0x100000000UL), ALL, "divw by 0 (upper bits ignored)");
    check_eq(RR("divuw", 42, 0), ALL, "divuw by 0 = sext(0xffffffff)");
    check_eq(RR("remw", 0x80000005UL, 0), 0xffffffff80000005UL, "remw by 0 = sext(dividend)");
    check_eq(RR("remuw", 0x1234567880000005UL, 0), 0xffffffff80000005UL, "remuw by 0 = sext(dividend)");

    group("rv64m.overflow");
    check_eq(RR("div", MIN, ALL), MIN, "div MIN/-1 = MIN");
    check_eq(RR("rem", MIN, ALL), 0, "rem MIN/-1 = 0");
    check_eq(RR("divw", 0x80000000UL, ALL), 0xffffffff80000000UL, "divw MIN/-1");
    check_eq(RR("remw", 0x80000000UL, ALL), 0, "remw MIN/-1");

    group("rv64m.word");
    check_eq(RR("divw", 0xfffffff9UL, 2), (u64)-3, "divw uses signed low words");
    check_eq(RR("divuw", 0xfffffffeUL, 1), 0xfffffffffffffffeUL, "divuw result sign-extended");
    check_eq(RR("divuw", 0x80000000UL, 2), 0x40000000, "divuw unsigned");
    check_eq(RR("remw", 0xfffffff9UL, 2), ALL, "remw negative");
    check_eq(RR("remuw", 0xfffffff9UL, 0x10), 9, "remuw");
    check_eq(RR("divw", 0x1234567800000064UL, 0xabcdef000000000aUL), 10, "divw ignores upper halves");

    return checks_done();
}
