/* Inline-assembly wrappers that execute exactly one given instruction (uncompressed
 * unless the caller asks otherwise) on register operands, so checks see the raw result. */
#ifndef INSN_H
#define INSN_H
#include "rt.h"

#define NORVC ".option push\n.option norvc\n"
#define POPRVC "\n.option pop"

#define RR(insn, a, b) ({ u64 r__; asm volatile(NORVC insn " %0, %1, %2" POPRVC \
        : "=r"(r__) : "r"((u64)(a)), "r"((u64)(b))); r__; })
#define RI(insn, a, imm) ({ u64 r__; asm volatile(NORVC insn " %0, %1, %2" POPRVC \
        : "=r"(r__) : "r"((u64)(a)), "i"(imm)); r__; })
#define R1(insn, imm) ({ u64 r__; asm volatile(NORVC insn " %0, %1" POPRVC : "=r"(r__) : "i"(imm)); r__; })
/* 1 if the branch is taken. */
#define BR(insn, a, b) ({ u64 t__; asm volatile(NORVC insn " %1, %2, 1f\n li %0, 0\n j 2f\n1: li %0, 1\n2:" POPRVC \
        : "=&r"(t__) : "r"((u64)(a)), "r"((u64)(b))); t__; })
/* Load from address p + off. */
#define LD(insn, p, off) ({ u64 r__; asm volatile(NORVC insn " %0, %2(%1)" POPRVC \
        : "=r"(r__) : "r"(p), "i"(off) : "memory"); r__; })
#define ST(insn, v, p, off) asm volatile(NORVC insn " %0, %2(%1)" POPRVC :: "r"((u64)(v)), "r"(p), "i"(off) : "memory")

#endif
