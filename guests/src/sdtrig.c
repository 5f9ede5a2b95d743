/* sdtrig: the debug trigger module as QEMU 7.2 implements it (target/riscv/debug.c): tselect,
 * tdata1..3, tinfo; mcontrol (type 2) and mcontrol6 (type 6) triggers on execute, load and store
 * raise a breakpoint exception before the instruction or access, in the privilege modes their
 * M/S/U bits select; unsupported fields and types are dropped as QEMU drops them. Values that
 * are not obvious from the spec (tval, overlap, AMOs) are printed so the differential test pins
 * them to QEMU's. */
#include "rt.h"

#define TYPE(t)   ((u64)(t) << 60)
#define T_LOAD    (1UL << 0)
#define T_STORE   (1UL << 1)
#define T_EXEC    (1UL << 2)
#define T_U       (1UL << 3)
#define T_S       (1UL << 4)
#define T_M       (1UL << 6)
#define SIZELO(n) ((u64)(n) << 16)
#define EXC_BREAKPOINT 3

static volatile u64 var[8] __attribute__((aligned(64)));
static volatile u64 hits, hit_epc, hit_tval, hit_mpp, hit_tdata1, hit_seen_value;
static volatile u64 *seen_ptr;

__attribute__((noipa)) static i64 target_fn(i64 x) { return x * 3 + 1; }
__attribute__((noipa)) static i64 other_fn(i64 x) { return x * 5 + 2; }

/* A trigger's breakpoint: note it, switch both triggers off, retry the instruction. */
static int hook(struct trap_frame *f)
{
    if (f->cause == EXC_BREAKPOINT) {
        hits++;
        hit_epc = f->epc;
        hit_tval = f->tval;
        hit_mpp = (f->status >> 11) & 3;
        hit_tdata1 = csr_read(0x7a1);
        if (seen_ptr)
            hit_seen_value = *seen_ptr;
        u64 selected = csr_read(0x7a0);
        for (u64 i = 0; i < 2; i++) {
            csr_write(0x7a0, i);
            csr_write(0x7a1, TYPE(2));
        }
        csr_write(0x7a0, selected);
        return 1;
    }
    return trap_skip_hook(f);
}

static void arm(u64 index, u64 tdata1, u64 tdata2)
{
    csr_write(0x7a0, index);
    csr_write(0x7a1, TYPE(2));
    csr_write(0x7a2, tdata2);
    csr_write(0x7a1, tdata1);
}

static void reset_hits(void) { hits = 0; hit_epc = hit_tval = hit_mpp = hit_tdata1 = 0; }

/* Trigger 0 on target_fn in M-mode, trigger 1 (selected afterwards) on other_fn in the given modes. */
static void arm_both(u64 modes1)
{
    reset_hits();
    arm(0, TYPE(2) | T_EXEC | T_M, (u64)target_fn);
    arm(1, TYPE(2) | T_EXEC | modes1, (u64)other_fn);
}

static u32 r32(u64 a) { return *(volatile u32 *)a; }

static void show(const char *what, u64 v)
{
    uart_puts("  ");
    uart_puts(what);
    uart_puts(": ");
    uart_puthex(v);
    uart_putc('\n');
}

static i64 u_load(i64 addr) { return *(volatile u64 *)addr; }
static i64 u_call(i64 x) { return target_fn(x); }

int main(void)
{
    uart_puts("sdtrig: debug triggers\n");
    m_trap_hook = hook;

    group("sdtrig.csrs");
    u64 n;
    check_eq(csr_read(0x7a0), 0, "tselect starts at 0");
    check_eq(csr_read(0x7a1), TYPE(2), "tdata1: an idle type 2 trigger");
    check_eq(csr_read(0x7a2), 0, "tdata2 starts 0");
    check_eq(csr_read(0x7a3), 0, "tdata3 starts 0");
    show("tinfo", csr_read(0x7a4));
    n = last_trap.count;
    csr_write(0x7a4, 0);
    check_eq(last_trap.count - n, 0, "tinfo ignores writes without trapping");
    check_eq(csr_read(0x7a4), 0x44, "tinfo unchanged");
    csr_write(0x7a0, 1);
    check_eq(csr_read(0x7a0), 1, "tselect 1 exists");
    csr_write(0x7a0, 2);
    check_eq(csr_read(0x7a0), 1, "tselect 2 does not: the write is ignored");
    csr_write(0x7a0, 0);
    n = last_trap.count;
    u64 v;
    asm volatile("csrr %0, 0x7a8" : "=r"(v));
    asm volatile("csrr %0, 0x5a8" : "=r"(v));
    show("traps reading mcontext and scontext", last_trap.count - n);

    group("sdtrig.tdata1-fields");
    csr_write(0x7a1, 0x2fffffffffffffffUL);
    show("tdata1 after writing all ones (type 2)", csr_read(0x7a1));
    csr_write(0x7a1, TYPE(2) | SIZELO(2) | T_LOAD | T_U);
    check_eq(csr_read(0x7a1), TYPE(2) | SIZELO(2) | T_LOAD | T_U, "size, mode and access bits kept");
    csr_write(0x7a1, TYPE(2) | (3UL << 21) | SIZELO(1) | T_STORE);
    show("tdata1 with an unsupported size (13)", csr_read(0x7a1));
    csr_write(0x7a1, TYPE(2) | (1UL << 12) | (1UL << 11) | (1UL << 7) | T_EXEC);
    show("tdata1 with action 1, chain, match 1", csr_read(0x7a1));
    csr_write(0x7a1, TYPE(2) | (1UL << 59) | T_EXEC);
    show("tdata1 with dmode", csr_read(0x7a1));
    u64 before = csr_read(0x7a1);
    csr_write(0x7a1, TYPE(0) | T_LOAD);
    check_eq(csr_read(0x7a1), before, "type 0 write ignored");
    csr_write(0x7a1, TYPE(15) | T_LOAD);
    check_eq(csr_read(0x7a1), before, "type 15 write ignored");
    csr_write(0x7a1, TYPE(3) | 5);
    show("tdata1 after a type 3 write", csr_read(0x7a1));
    csr_write(0x7a3, 0x1234);
    check_eq(csr_read(0x7a3), 0, "tdata3 ignores writes");
    csr_write(0x7a1, TYPE(6) | 0xffffffffUL);
    show("tdata1 after a type 6 write", csr_read(0x7a1));
    csr_write(0x7a1, TYPE(2));
    show("tdata1 back to type 2", csr_read(0x7a1));
    csr_write(0x7a2, 0xabc);
    check_eq(csr_read(0x7a2), 0xabc, "tdata2 holds any value");
    csr_write(0x7a2, 0);

    group("sdtrig.execute");
    reset_hits();
    arm(0, TYPE(2) | T_EXEC | T_M, (u64)target_fn);
    check_eq(target_fn(4), 13, "the function still runs after the hit");
    check_eq(hits, 1, "one breakpoint");
    check_eq(hit_epc, (u64)target_fn, "mepc = the triggering instruction");
    show("mtval of an execute trigger", hit_tval);
    check_eq(hit_mpp, 3, "taken in M-mode");
    check_eq(hit_tdata1, TYPE(2) | T_EXEC | T_M, "tdata1 unchanged by the hit");
    reset_hits();
    arm(0, TYPE(2) | T_EXEC | T_U | T_S, (u64)target_fn);
    check_eq(target_fn(5), 16, "runs");
    check_eq(hits, 0, "an S/U-only trigger ignores M-mode");
    check_eq(call_in_mode(0, u_call, 6, 0), 19, "U-mode call runs after the hit");
    check_eq(hits, 1, "fires in U-mode");
    check_eq(hit_mpp, 0, "from U-mode");
    arm_both(T_M);
    check_eq(other_fn(1), 7, "second trigger's function runs");
    check_eq(hits, 1, "trigger 1 fired");
    check_eq(hit_epc, (u64)other_fn, "at its address");
    check_eq(target_fn(1), 4, "first trigger's function runs");
    check_eq(hits, 1, "the first hit switched both off");
    arm_both(T_M);
    check_eq(target_fn(1), 4, "trigger 0 fires while trigger 1 is selected");
    check_eq(hits, 1, "one hit");
    check_eq(csr_read(0x7a0), 1, "tselect unchanged by the hit");
    arm_both(T_U);
    check_eq(other_fn(2), 12, "a U-only trigger's function called in M");
    show("hits there while another execute trigger allows M", hits);
    csr_write(0x7a1, TYPE(2));
    csr_write(0x7a0, 0);
    csr_write(0x7a1, TYPE(2));

    group("sdtrig.load");
    for (int i = 0; i < 8; i++)
        var[i] = 0x1111111111111111UL * (i + 1);
    reset_hits();
    arm(0, TYPE(2) | T_LOAD | T_M, (u64)&var[2]);
    check_eq(var[1], 0x2222222222222222UL, "the word before is not watched");
    check_eq(hits, 0, "no hit");
    check_eq(var[3], 0x4444444444444444UL, "the word after (size any = 8 bytes)");
    check_eq(hits, 0, "no hit");
    var[2] = 0x3333;
    check_eq(hits, 0, "a store does not fire a load trigger");
    check_eq(var[2], 0x3333, "watched load returns the value after the retry");
    check_eq(hits, 1, "load fired");
    show("mtval of a load trigger", hit_tval);

    reset_hits();
    arm(0, TYPE(2) | T_LOAD | T_M, (u64)&var[2]);
    check_eq(*(volatile u8 *)((u64)&var[2] + 7), 0, "byte load inside the watched 8 bytes");
    check_eq(hits, 1, "fired");
    show("mtval of a byte load at +7", hit_tval);
    reset_hits();
    arm(0, TYPE(2) | T_LOAD | T_M | SIZELO(1), (u64)&var[2] + 4);
    check_eq(r32((u64)&var[2] + 4), 0, "word load covering the watched byte");
    check_eq(hits, 1, "fired (overlap)");
    reset_hits();
    arm(0, TYPE(2) | T_LOAD | T_M | SIZELO(1), (u64)&var[2] + 4);
    check_eq(r32((u64)&var[0]), 0x11111111, "word load far from the watched byte");
    check_eq(hits, 0, "no hit");
    check_eq(r32((u64)var + 16), 0x3333, "word load before the watched byte");
    check_eq(hits, 0, "no hit");
    for (u64 code = 2; code <= 5; code++) {
        /* the size code is taken as a length in bytes (QEMU 7.2), not as 2, 4, 6 or 8 */
        reset_hits();
        arm(0, TYPE(2) | T_LOAD | T_M | SIZELO(code & 3) | ((code >> 2) << 21), (u64)&var[2]);
        (void)*(volatile u8 *)((u64)&var[2] + 3);
        (void)*(volatile u8 *)((u64)&var[2] + 4);
        uart_puts("  size code ");
        uart_putdec(code);
        uart_puts(": tdata1 ");
        uart_puthex(hit_tdata1 ? hit_tdata1 : csr_read(0x7a1));
        uart_puts(", byte loads at +3 and +4 hit ");
        uart_putdec(hits);
        uart_puts(" times\n");
        csr_write(0x7a1, TYPE(2));
    }
    u64 misaligned;
    reset_hits();
    arm(0, TYPE(2) | T_LOAD | T_M | SIZELO(1), (u64)&var[2] + 4);
    asm volatile("ld %0, 0(%1)" : "=r"(misaligned) : "r"((u64)&var[2] - 2));
    show("hits of a misaligned load over the watched byte", hits);
    show("its mtval", hit_tval);
    csr_write(0x7a1, TYPE(2));

    group("sdtrig.store");
    reset_hits();
    seen_ptr = &var[4];
    arm(0, TYPE(2) | T_STORE | T_M, (u64)&var[4]);
    check_eq(var[4], 0x5555555555555555UL, "a load does not fire a store trigger");
    var[4] = 0xabcdef;
    check_eq(hits, 1, "store fired");
    check_eq(hit_seen_value, 0x5555555555555555UL, "memory unchanged when the trap is taken");
    check_eq(var[4], 0xabcdef, "stored after the retry");
    show("mtval of a store trigger", hit_tval);
    seen_ptr = 0;
    reset_hits();
    arm(0, TYPE(2) | T_STORE | T_LOAD | T_M, (u64)&var[5]);
    u64 old;
    asm volatile("amoadd.d %0, %2, (%1)" : "=r"(old) : "r"(&var[5]), "r"(1UL) : "memory");
    show("hits of an AMO on a load+store trigger", hits);
    show("AMO old value", old);
    reset_hits();
    arm(0, TYPE(2) | T_LOAD | T_M, (u64)&var[5]);
    asm volatile("amoadd.d %0, %2, (%1)" : "=r"(old) : "r"(&var[5]), "r"(1UL) : "memory");
    show("hits of an AMO on a load trigger", hits);
    reset_hits();
    arm(0, TYPE(2) | T_STORE | T_M, (u64)&var[5]);
    asm volatile("amoadd.d %0, %2, (%1)" : "=r"(old) : "r"(&var[5]), "r"(1UL) : "memory");
    show("hits of an AMO on a store trigger", hits);
    reset_hits();
    arm(0, TYPE(2) | T_LOAD | T_M, (u64)&var[6]);
    asm volatile("lr.d %0, (%1)" : "=r"(old) : "r"(&var[6]) : "memory");
    show("hits of LR on a load trigger", hits);
    u64 fail;
    reset_hits();
    arm(0, TYPE(2) | T_STORE | T_M, (u64)&var[6]);
    asm volatile("lr.d %0, (%2)\n sc.d %1, %3, (%2)" : "=&r"(old), "=&r"(fail) : "r"(&var[6]), "r"(9UL) : "memory");
    show("hits of SC on a store trigger", hits);
    show("SC result", fail);
    reset_hits();
    arm(0, TYPE(2) | T_LOAD | T_M, (u64)&var[6]);
    asm volatile("lr.d %0, (%2)\n sc.d %1, %3, (%2)" : "=&r"(old), "=&r"(fail) : "r"(&var[6]), "r"(10UL) : "memory");
    show("hits of LR+SC on a load trigger", hits);
    show("SC result", fail);
    reset_hits();
    asm volatile("lr.d %0, (%2)\n sc.d %1, %3, (%2)" : "=&r"(old), "=&r"(fail) : "r"(&var[6]), "r"(11UL) : "memory");
    show("SC without a trigger", fail);
    show("var[6]", var[6]);
    csr_write(0x7a1, TYPE(2));

    group("sdtrig.user");
    reset_hits();
    arm(0, TYPE(2) | T_LOAD | T_U, (u64)&var[7]);
    check_eq(var[7], 0x8888888888888888UL, "M-mode load ignored by a U trigger");
    check_eq(hits, 0, "no hit in M");
    check_eq(call_in_mode(0, u_load, (i64)&var[7], 0), 0x8888888888888888UL, "U-mode load after the hit");
    check_eq(hits, 1, "fired in U");
    check_eq(hit_mpp, 0, "from U");
    reset_hits();
    arm(0, TYPE(2) | T_LOAD | T_S, (u64)&var[7]);
    check_eq(call_in_mode(1, u_load, (i64)&var[7], 0), 0x8888888888888888UL, "S-mode load after the hit");
    check_eq(hits, 1, "fired in S");
    check_eq(hit_mpp, 1, "from S");
    n = last_trap.count;
    call_in_mode(1, u_load, (i64)&var[7], 0);
    csr_write(0x7a1, TYPE(2));

    group("sdtrig.type6");
    reset_hits();
    arm(0, TYPE(6) | T_EXEC | T_M, (u64)target_fn);
    show("type 6 tdata1", csr_read(0x7a1));
    check_eq(target_fn(2), 7, "runs");
    show("type 6 execute hits", hits);
    csr_write(0x7a1, TYPE(2));
    return checks_done();
}
