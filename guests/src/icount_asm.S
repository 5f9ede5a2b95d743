/* Each probe returns instret(after) - instret(before) around one instruction; a trap
 * goes to a 4-instruction handler that skips the (4-byte) instruction. */
    .option norvc
    .text
    .balign 4
min_handler:
    csrr t5, mepc
    addi t5, t5, 4
    csrw mepc, t5
    mret

#define PROBE(name, ...) \
    .globl name; name: \
    csrr t6, mtvec; la t0, min_handler; csrw mtvec, t0; \
    li t3, 0x800000; la t4, probe_buf; addi a2, t4, 2; addi a3, t4, 4; \
    csrr a0, instret; __VA_ARGS__; csrr a1, instret; \
    csrw mtvec, t6; sub a0, a1, a0; ret

PROBE(probe_nop, nop)
PROBE(probe_ecall, ecall)
PROBE(probe_ebreak, ebreak)
PROBE(probe_custom0, .word 0x0000000b)
PROBE(probe_all_ones, .word 0xffffffff)
PROBE(probe_csr_readonly, csrw mhartid, zero)
PROBE(probe_csr_unknown, csrr t1, 0x7ff)
PROBE(probe_load_fault, ld t1, 0(t3))
PROBE(probe_store_fault, sd t1, 0(t3))
PROBE(probe_amo_fault, amoadd.w t1, t1, (t3))
PROBE(probe_amo_misaligned, amoadd.w t1, t1, (a2))
PROBE(probe_lr_misaligned, lr.d t1, (a3))
PROBE(probe_ld_misaligned, ld t1, 3(t4))

    .bss
    .balign 16
probe_buf: .space 32
