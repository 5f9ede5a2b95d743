/* Start-up for the several-harts guest (smp.c), used instead of lib/crt0.S, which parks every
 * hart but 0. Every hart arrives here in M-mode with a0 = hartid, a1 = device tree (QEMU virt's
 * reset vector, and Rewind's). Harts 0..7 get a 2 KiB stack each; hart 0 clears .bss, then runs
 * main(); the others wait for main to open the gate, then run secondary_main(hartid). */
	.file "smp_start.S"
#define MAX_HARTS 8

    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    li t0, MAX_HARTS
    bgeu a0, t0, park
    la sp, __stack_top
    slli t0, a0, 11
    sub sp, sp, t0
    bnez a0, secondary
    la t0, boot_hartid
    sd a0, 0(t0)
    la t0, boot_dtb
    sd a1, 0(t0)
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:  call main
    call finish
secondary:
    la t0, smp_gate          /* in .data: valid before hart 0 clears .bss */
3:  ld t1, 0(t0)
    beqz t1, 3b
    fence rw, rw
    call secondary_main
park:
    wfi
    j park

    /* rt.c returns here from a lower mode; this guest never leaves M-mode. */
    .globl mode_return
mode_return:
    j park
