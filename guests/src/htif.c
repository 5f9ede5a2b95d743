/* htif: Spike-style host/target interface. The symbols tohost/fromhost live in
 * section .tohost; a write of (code << 1) | 1 to tohost reports the exit code
 * (1 = pass). QEMU virt has no HTIF host, so after a short wait the program
 * also reports the same code through the SiFive finisher: either way the exit
 * code is the same. Built twice: htif (passes) and htif_fail (exits with 3). */
#include "rt.h"

volatile u64 tohost __attribute__((section(".tohost"), aligned(64)));
volatile u64 fromhost __attribute__((section(".tohost"), aligned(64)));

#ifndef HTIF_EXIT_CODE
#define HTIF_EXIT_CODE 0
#endif

int main(void)
{
    uart_puts("htif: exit through tohost\n");
    group("htif.symbols");
    check_eq((u64)&tohost & 63, 0, "tohost 64-byte aligned");
    check_eq(tohost, 0, "tohost starts at 0");
    check_eq(fromhost, 0, "fromhost starts at 0");
    u32 failures = checks_done();
    u32 code = failures ? failures : HTIF_EXIT_CODE;
    tohost = ((u64)code << 1) | 1;
    /* An HTIF host stops the machine here; without one, fall back to the finisher. */
    for (volatile int i = 0; i < 1000; i++)
        ;
    uart_puts("no HTIF host, using the finisher\n");
    return (int)code;
}
