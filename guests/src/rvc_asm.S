/* Hand-written compressed instructions (explicit c.* mnemonics) so that every
 * RV64C form is executed regardless of what the compiler chooses. */
    .option rvc
    .text
#define FN(name) .globl name; name:

FN(c_addi)      c.addi a0, -32;  c.jr ra
FN(c_addiw)     c.addiw a0, 1;   c.jr ra
FN(c_addiw0)    c.addiw a0, 0;   c.jr ra          /* sext.w */
FN(c_li)        c.li a0, -32;    c.jr ra
FN(c_lui)       c.lui a0, 0xfffe0; c.jr ra        /* -32 << 12 */
FN(c_lui_pos)   c.lui a0, 31;    c.jr ra
FN(c_slli)      c.slli a0, 63;   c.jr ra
FN(c_srli)      c.srli a0, 63;   c.jr ra
FN(c_srai)      c.srai a0, 63;   c.jr ra
FN(c_andi)      c.andi a0, -16;  c.jr ra
FN(c_mv)        c.mv a0, a1;     c.jr ra
FN(c_add)       c.add a0, a1;    c.jr ra
FN(c_sub)       c.sub a0, a1;    c.jr ra
FN(c_xor)       c.xor a0, a1;    c.jr ra
FN(c_or)        c.or a0, a1;     c.jr ra
FN(c_and)       c.and a0, a1;    c.jr ra
FN(c_subw)      c.subw a0, a1;   c.jr ra
FN(c_addw)      c.addw a0, a1;   c.jr ra
FN(c_nop)       c.nop;           c.li a0, 7; c.jr ra

/* 1 if c.beqz / c.bnez branches on a0 */
FN(c_beqz)      c.beqz a0, 1f;   c.li a0, 0; c.jr ra
1:              c.li a0, 1;      c.jr ra
FN(c_bnez)      c.bnez a0, 1f;   c.li a0, 0; c.jr ra
1:              c.li a0, 1;      c.jr ra

/* c.j forward and backward; returns 3 when both jumps were taken. */
FN(c_j)         c.li a0, 0
                c.j 2f
1:              c.addi a0, 2
                c.j 3f
2:              c.addi a0, 1
                c.j 1b
3:              c.jr ra

/* c.jalr links pc+2: returns link - address of the c.jalr - 2 (0 when right). */
FN(c_jalr_link)
                c.mv t2, ra
                lla t0, 2f
1:              c.jalr t0
                c.li a0, 1
                c.mv ra, t2
                c.jr ra
2:              lla t1, 1b
                c.li t0, 0
                sub a0, ra, t1
                addi a0, a0, -2
                c.mv ra, t2
                c.jr ra

/* c.addi16sp / c.addi4spn: return sp-relative results minus expectation. */
FN(c_sp_forms)
                c.mv a1, sp
                c.addi16sp sp, -64
                sub a0, a1, sp
                addi a0, a0, -64
                c.addi4spn a2, sp, 16
                sub a3, a2, sp
                addi a3, a3, -16
                c.or a0, a3
                c.addi16sp sp, 64
                c.jr ra

/* Stack-pointer loads/stores: a0 = value; returns (ldsp after sdsp) ^ value, and
 * lwsp of the upper word in a1 (sign-extended). */
FN(c_sp_mem)
                c.addi16sp sp, -32
                c.sdsp a0, 8(sp)
                c.ldsp a2, 8(sp)
                c.xor a2, a0
                c.lwsp a1, 12(sp)
                c.swsp a1, 16(sp)
                c.lwsp a3, 16(sp)
                c.sub a3, a1
                c.or a2, a3
                c.mv a0, a2
                c.addi16sp sp, 32
                c.jr ra

/* Register-based loads/stores on a buffer at a0 (x8..x15 only). */
FN(c_reg_mem)
                c.mv a5, a0
                c.ld a2, 0(a5)
                c.sd a2, 8(a5)
                c.lw a3, 4(a5)          /* sign-extended upper word */
                c.sw a3, 16(a5)
                c.lw a4, 16(a5)
                c.mv a0, a4
                c.jr ra

/* A 32-bit instruction at a 2-byte-aligned address that straddles a page boundary. */
    .balign 4096
    .skip 4096 - 4
FN(c_straddle)
                c.addi a0, 1            /* at page offset 0xffc */
    .option push
    .option norvc
                addi a0, a0, 100        /* bytes 0xffe..0x1001 */
    .option pop
                c.jr ra
