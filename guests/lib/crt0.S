/* Start-up and trap entry for every guest. QEMU virt's reset vector jumps here
 * in M-mode with a0 = hartid and a1 = device tree address. */
	.file "crt0.S"
#include "rt.h"
#define FRAME 304
#define F_EPC 256
#define F_CAUSE 264
#define F_TVAL 272
#define F_STATUS 280
#define F_VEC 288

    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    bnez a0, park                 /* only hart 0 runs the guest */
    la sp, __stack_top
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
2:  /* One NAPOT PMP region over everything: QEMU denies S/U accesses when no PMP entry matches. */
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f
    csrw pmpcfg0, t0
#ifdef __riscv_flen
    /* RV64GC guests: mstatus.FS = Initial, or their first FP instruction is illegal (FS is Off at reset). */
    li t0, MSTATUS_FS_INITIAL
    csrs mstatus, t0
#endif
    la t0, mtrap_entry
    csrw mtvec, t0
    la t0, __mtrap_stack_top
    csrw mscratch, t0
    la t0, strap_entry
    csrw stvec, t0
    la t0, __strap_stack_top
    csrw sscratch, t0
    call main
    call finish
park:
    wfi
    j park

/* Save the interrupted context on the trap stack held in xSCRATCH.
 * \vec is the vector slot (-1 for the direct entry). */
.macro SAVE scratch, epc, cause, tval, status
    csrrw sp, \scratch, sp
    addi sp, sp, -FRAME
    sd x1, 8(sp)
    sd x3, 24(sp)
    sd x4, 32(sp)
    sd x5, 40(sp)
    sd x6, 48(sp)
    sd x7, 56(sp)
    sd x8, 64(sp)
    sd x9, 72(sp)
    sd x10, 80(sp)
    sd x11, 88(sp)
    sd x12, 96(sp)
    sd x13, 104(sp)
    sd x14, 112(sp)
    sd x15, 120(sp)
    sd x16, 128(sp)
    sd x17, 136(sp)
    sd x18, 144(sp)
    sd x19, 152(sp)
    sd x20, 160(sp)
    sd x21, 168(sp)
    sd x22, 176(sp)
    sd x23, 184(sp)
    sd x24, 192(sp)
    sd x25, 200(sp)
    sd x26, 208(sp)
    sd x27, 216(sp)
    sd x28, 224(sp)
    sd x29, 232(sp)
    sd x30, 240(sp)
    sd x31, 248(sp)
    sd zero, 0(sp)
    csrr t0, \scratch
    sd t0, 16(sp)
    csrr t0, \epc
    sd t0, F_EPC(sp)
    csrr t0, \cause
    sd t0, F_CAUSE(sp)
    csrr t0, \tval
    sd t0, F_TVAL(sp)
    csrr t0, \status
    sd t0, F_STATUS(sp)
.endm

/* Write back the (possibly edited) frame and return; sp comes from the frame's x2. */
.macro RESTORE scratch, epc, status, ret
    ld t0, F_EPC(sp)
    csrw \epc, t0
    ld t0, F_STATUS(sp)
    csrw \status, t0
    ld t0, 16(sp)
    csrw \scratch, t0
    ld x1, 8(sp)
    ld x3, 24(sp)
    ld x4, 32(sp)
    ld x5, 40(sp)
    ld x6, 48(sp)
    ld x7, 56(sp)
    ld x8, 64(sp)
    ld x9, 72(sp)
    ld x10, 80(sp)
    ld x11, 88(sp)
    ld x12, 96(sp)
    ld x13, 104(sp)
    ld x14, 112(sp)
    ld x15, 120(sp)
    ld x16, 128(sp)
    ld x17, 136(sp)
    ld x18, 144(sp)
    ld x19, 152(sp)
    ld x20, 160(sp)
    ld x21, 168(sp)
    ld x22, 176(sp)
    ld x23, 184(sp)
    ld x24, 192(sp)
    ld x25, 200(sp)
    ld x26, 208(sp)
    ld x27, 216(sp)
    ld x28, 224(sp)
    ld x29, 232(sp)
    ld x30, 240(sp)
    ld x31, 248(sp)
    addi sp, sp, FRAME
    csrrw sp, \scratch, sp
    \ret
.endm

    .text
    .balign 4
    .globl mtrap_entry
mtrap_entry:
    SAVE mscratch, mepc, mcause, mtval, mstatus
    li t0, -1
mtrap_common:
    sd t0, F_VEC(sp)
    mv a0, sp
    call mtrap_handler
    RESTORE mscratch, mepc, mstatus, mret

    .balign 4
    .globl strap_entry
strap_entry:
    SAVE sscratch, sepc, scause, stval, sstatus
    li t0, -1
strap_common:
    sd t0, F_VEC(sp)
    mv a0, sp
    call strap_handler
    RESTORE sscratch, sepc, sstatus, sret

/* Vector tables for xtvec MODE=1: slot n jumps to a stub that records n in the frame. */
.macro VECSTUBS prefix, scratch, epc, cause, tval, status, common
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
\prefix\()_vec\n:
    SAVE \scratch, \epc, \cause, \tval, \status
    li t0, \n
    j \common
    .endr
.endm
    VECSTUBS m, mscratch, mepc, mcause, mtval, mstatus, mtrap_common
    VECSTUBS s, sscratch, sepc, scause, stval, sstatus, strap_common

    .balign 256
    .globl mtrap_vector_table
mtrap_vector_table:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
    j m_vec\n
    .endr
    .balign 256
    .globl strap_vector_table
strap_vector_table:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
    j s_vec\n
    .endr

/* i64 call_in_mode(u64 mode, i64 (*fn)(i64), i64 arg, i64 va_offset) */
    .globl call_in_mode
call_in_mode:
    addi sp, sp, -112
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    sd s2, 24(sp)
    sd s3, 32(sp)
    sd s4, 40(sp)
    sd s5, 48(sp)
    sd s6, 56(sp)
    sd s7, 64(sp)
    sd s8, 72(sp)
    sd s9, 80(sp)
    sd s10, 88(sp)
    sd s11, 96(sp)
    la t0, mode_saved_sp
    sd sp, 0(t0)
    li t1, MSTATUS_MPP | MSTATUS_MPIE   /* mstatus.MIE = 0 below and after return */
    csrc mstatus, t1
    slli t2, a0, 11
    csrs mstatus, t2
    la t0, mode_trampoline
    add t0, t0, a3
    csrw mepc, t0
    add a1, a1, a3
    add sp, sp, a3
    mv a0, a2
    mret
mode_trampoline:
    jalr a1
    .globl exit_mode
exit_mode:
    li a7, ECALL_EXIT_MODE
    ecall
1:  j 1b
    .globl mode_return
mode_return:                 /* mtrap_handler resumes here, in M-mode, with a0 = result */
    la t0, mode_saved_sp
    ld sp, 0(t0)
    la t0, __mtrap_stack_top
    csrw mscratch, t0
    la t0, __strap_stack_top   /* an S handler may have been abandoned mid-trap */
    csrw sscratch, t0
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    ld s2, 24(sp)
    ld s3, 32(sp)
    ld s4, 40(sp)
    ld s5, 48(sp)
    ld s6, 56(sp)
    ld s7, 64(sp)
    ld s8, 72(sp)
    ld s9, 80(sp)
    ld s10, 88(sp)
    ld s11, 96(sp)
    addi sp, sp, 112
    ret

    .bss
    .balign 8
mode_saved_sp: .dword 0
