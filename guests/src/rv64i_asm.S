/* Control-flow and x0 checks that need exact instruction placement. Each returns 0 on success. */
    .option norvc
    .text

/* auipc result minus the address of the auipc itself. */
    .globl asm_auipc_delta
asm_auipc_delta:
10: auipc a0, 0
    lla a1, 10b
    sub a0, a0, a1
11: auipc a2, 0x80000            /* the upper immediate sign-extends: pc - 2^31 */
    lla a3, 11b
    li a4, 0x80000000
    sub a3, a3, a4
    sub a2, a2, a3
    or a0, a0, a2
    ret

    .globl asm_jal_link
asm_jal_link:
    mv t2, ra
    jal ra, 1f
0:  j 9f                         /* not reached: the callee returns to 3f */
1:  lla t0, 0b
    sub a0, ra, t0               /* link must be the address after the jal */
    jal t1, 2f                   /* forward */
3:  j 4f
2:  lla t0, 3b
    sub t0, t1, t0
    or a0, a0, t0
    jal x0, 3b                   /* backward, no link */
4:  mv ra, t2
    ret
9:  li a0, 1
    mv ra, t2
    ret

    .globl asm_jalr_same_reg
asm_jalr_same_reg:
    lla t0, 1f
    jalr t0, 0(t0)
0:  li a0, 1
    ret
1:  lla t1, 0b
    sub a0, t0, t1
    ret

    .globl asm_jalr_odd_target
asm_jalr_odd_target:
    lla t0, 21f
    jalr t1, 1(t0)               /* target 21f+1: bit 0 is cleared */
20: li a0, 1
    ret
21: lla t2, 20b
    sub a0, t1, t2               /* link = address after the jalr */
    lla t0, 23f + 7
    jalr x0, -7(t0)              /* negative immediate */
22: li a0, 1
    ret
23: ret

    .globl asm_x0_discard
asm_x0_discard:
    addi x0, x0, 5
    lui x0, 0x12345
    add x0, sp, sp
    li a0, 0
    ld x0, 0(sp)
    or a0, a0, x0
    mv a1, x0
    or a0, a0, a1
    ret
