/* Trapping instructions at known addresses; each function returns normally
 * once the handler has skipped the trapping instruction. */
    .text
    .option norvc
#define FN(name) .globl name; name:
#define AT(name) .globl name; name:

FN(do_ecall)      li a7, 1
AT(at_ecall)      ecall
                  ret
FN(do_ebreak)
AT(at_ebreak)     ebreak
                  ret
FN(do_illegal32)
AT(at_illegal32)  .word 0x0000000b          /* custom-0 opcode, not implemented */
                  ret
FN(do_mret)
AT(at_mret)       mret
                  ret
FN(do_sret)
AT(at_sret)       sret
                  ret
FN(do_sfence)
AT(at_sfence)     sfence.vma
                  ret
FN(do_read_mstatus)
AT(at_read_mstatus) csrr a0, mstatus
                  ret
    .option rvc
FN(do_illegal16)
AT(at_illegal16)  .half 0x0000              /* all-zero halfword is defined illegal */
                  c.jr ra
FN(do_cebreak)
AT(at_cebreak)    c.ebreak
                  c.jr ra
    .option norvc
/* Jump to a0; the handler for the fetch fault resumes at ra. */
FN(do_jump)       jr a0
