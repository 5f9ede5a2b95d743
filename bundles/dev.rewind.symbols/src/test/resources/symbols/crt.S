/* Minimal runtime for running the test program under qemu-system-riscv64 -M virt -bios none:
 * a stack in RAM, call main, then stop the machine through the SiFive test device. */
    .section .text.start, "ax"
    .globl _start
    .type _start, @function
_start:
    .cfi_startproc
    .cfi_undefined ra
    la sp, stack_top
    call main
    li t0, 0x100000
    li t1, 0x5555
    sw t1, 0(t0)
1:  j 1b
    .cfi_endproc
    .size _start, . - _start

    .bss
    .balign 16
    .space 8192
stack_top:
