/* timer: periodic machine timer interrupts (CLINT mtimecmp) with the hart
 * sleeping in WFI between them; prints one line per tick. Under icount the
 * whole run, including where each tick lands, is deterministic. */
#include "rt.h"

#ifndef TICKS
#define TICKS 10
#endif
#define PERIOD (MTIME_HZ / 100)   /* 10 ms */

static volatile u64 ticks, late;
static u64 deadline;

static int m_hook(struct trap_frame *f)
{
    if (f->cause != (CAUSE_INTERRUPT | IRQ_M_TIMER))
        return 0;
    if (mmio_r64(CLINT_MTIME) < deadline)
        late++;                               /* counted as an error: fired early */
    ticks++;
    deadline += PERIOD;
    mmio_w64(CLINT_MTIMECMP, ticks < TICKS ? deadline : ~0UL);
    return 1;
}

int main(void)
{
    m_trap_hook = m_hook;
    uart_puts("timer: ");
    uart_putdec(TICKS);
    uart_puts(" ticks of 10 ms\n");
    deadline = mmio_r64(CLINT_MTIME) + PERIOD;
    mmio_w64(CLINT_MTIMECMP, deadline);
    csr_write(mie, 1UL << IRQ_M_TIMER);
    u64 seen = 0, wakeups = 0;
    while (seen < TICKS) {
        csr_clear(mstatus, MSTATUS_MIE);
        if (ticks == seen) {
            wfi();
            wakeups++;
        }
        csr_set(mstatus, MSTATUS_MIE);       /* the pending tick is taken here */
        while (seen < ticks) {
            seen++;
            uart_puts("tick ");
            uart_putdec((i64)seen);
            uart_puts("\n");
        }
    }
    csr_clear(mstatus, MSTATUS_MIE);
    uart_puts("timer: done");
    uart_puts(late ? ", some ticks fired early\n" : "\n");
    return late ? 1 : 0;
}
