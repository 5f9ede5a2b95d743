/* fencei: self-modifying code made visible with FENCE.I — code generated into a
 * data buffer, an instruction patched inside .text on the page being executed,
 * a compressed instruction patched, and a loop whose body is rewritten. */
#include "rt.h"

extern u64 patch_target(void);
extern u32 patch_site[];
extern u64 patch_loop(u64 n);
extern u32 patch_loop_site[];
asm(".text\n .option push\n .option norvc\n"
    ".globl patch_target\npatch_target:\n"
    ".globl patch_site\npatch_site:\n li a0, 1\n ret\n"
    ".globl patch_loop\npatch_loop:\n li a1, 0\n"
    "1:\n"
    ".globl patch_loop_site\npatch_loop_site:\n addi a1, a1, 1\n"
    " addi a0, a0, -1\n bnez a0, 1b\n mv a0, a1\n ret\n"
    " .option pop\n");

static u32 code[8] __attribute__((aligned(8)));

static u32 addi(int rd, int rs1, int imm) { return ((u32)imm << 20) | (rs1 << 15) | (rd << 7) | 0x13; }
#define RET 0x00008067U

static void fence_i(void) { asm volatile("fence.i" ::: "memory"); }

int main(void)
{
    uart_puts("fencei: self-modifying code\n");

    group("fencei.generated");
    code[0] = addi(10, 0, 123);                 /* li a0, 123 */
    code[1] = RET;
    fence_i();
    u64 (*gen)(void) = (u64 (*)(void))code;
    check_eq(gen(), 123, "generated code runs");
    code[0] = addi(10, 0, -7);
    fence_i();
    check_eq(gen(), (u64)-7, "rewritten code runs after fence.i");
    /* A compressed c.li a0, 9 followed by c.jr ra in one word. */
    code[0] = 0x8082U << 16 | 0x4525U;
    fence_i();
    check_eq(gen(), 9, "compressed generated code");

    group("fencei.text");
    check_eq(patch_target(), 1, "original text");
    patch_site[0] = addi(10, 0, 2);
    fence_i();
    check_eq(patch_target(), 2, "patched text");
    patch_site[0] = addi(10, 0, 1);
    fence_i();
    check_eq(patch_target(), 1, "restored text");

    group("fencei.loop");
    check_eq(patch_loop(10), 10, "loop adds 1");
    patch_loop_site[0] = addi(11, 11, 5);
    fence_i();
    check_eq(patch_loop(10), 50, "loop body rewritten to add 5");
    patch_loop_site[0] = addi(11, 11, 1);
    fence_i();
    check_eq(patch_loop(3), 3, "loop body restored");

    return checks_done();
}
