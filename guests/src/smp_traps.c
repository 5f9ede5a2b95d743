/* Traps on several harts, for the queries that name the hart that took a trap and follow one
 * hart's registers (rewind query events, last-change REG --hart N). Built for SMP_HARTS harts
 * (4); run with --smp 4.
 *
 * Every hart sets its own mtvec, then takes hartid + 1 ECALLs (the handler steps over them)
 * and hartid + 1 machine timer interrupts from its own mtimecmp, waiting for each in WFI. Hart
 * 0 waits for the others, prints the counts, checks them and exits through the finisher. */
#include "rt.h"

#ifndef SMP_HARTS
#define SMP_HARTS 4
#endif

volatile u64 smp_gate __attribute__((section(".data"))) = 0;
static volatile u64 ecalls[SMP_HARTS], ticks[SMP_HARTS], finished;

void on_trap(void) __attribute__((interrupt("machine"), aligned(4)));
void on_trap(void)
{
    u64 cause = csr_read(mcause);
    u64 me = csr_read(mhartid);
    if (cause == 11) {
        ecalls[me]++;
        csr_write(mepc, csr_read(mepc) + 4);
    } else if (cause == ((1UL << 63) | IRQ_M_TIMER)) {
        ticks[me]++;
        mmio_w64(CLINT_MTIMECMP + 8 * me, ~0UL);
    }
}

static void run(u64 me)
{
    csr_write(mtvec, (u64)on_trap);
    for (u64 i = 0; i <= me; i++)
        __asm__ volatile("ecall" ::: "memory");
    csr_write(mie, 1 << IRQ_M_TIMER);
    for (u64 i = 0; i <= me; i++) {
        u64 seen = ticks[me];
        mmio_w64(CLINT_MTIMECMP + 8 * me, mmio_r64(CLINT_MTIME) + 200 + 100 * me);
        csr_set(mstatus, 8); /* MIE */
        while (ticks[me] == seen)
            wfi();
        csr_clear(mstatus, 8);
    }
    __asm__ volatile("amoadd.d zero, %1, (%0)" :: "r"(&finished), "r"(1UL) : "memory");
}

void secondary_main(u64 me)
{
    if (me < SMP_HARTS)
        run(me);
    for (;;)
        wfi();
}

int main(void)
{
    __asm__ volatile("fence rw, rw" ::: "memory");
    smp_gate = 1;
    run(0);
    while (finished != SMP_HARTS)
        ;
    u64 e = 0, t = 0;
    for (u64 h = 0; h < SMP_HARTS; h++) {
        e += ecalls[h];
        t += ticks[h];
    }
    uart_puts("ecalls ");
    uart_putdec(e);
    uart_puts(" ticks ");
    uart_putdec(t);
    uart_puts("\n");
    group("smp_traps");
    check_eq(e, SMP_HARTS * (SMP_HARTS + 1) / 2, "ecalls of all harts");
    check_eq(t, SMP_HARTS * (SMP_HARTS + 1) / 2, "timer interrupts of all harts");
    return checks_done();
}
