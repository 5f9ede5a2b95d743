/* eventful: endless compute work with a machine timer interrupt every ~20,000
 * instructions (at -icount shift=0) and a console byte every 100 interrupts,
 * so a long recording has events all along it (about 50,000 interrupts, as
 * many mrets and 500 console bytes per 1e9 instructions): the Timeline
 * refresh benchmark's guest. */
#include "rt.h"

#define TICKS 200UL /* mtime ticks (100 ns) between interrupts */

static volatile u64 irqs;

static int m_hook(struct trap_frame *f)
{
    if (f->cause == (CAUSE_INTERRUPT | IRQ_M_TIMER)) {
        irqs++;
        mmio_w64(CLINT_MTIMECMP, mmio_r64(CLINT_MTIMECMP) + TICKS);
        return 1;
    }
    return 0;
}

int main(void)
{
    m_trap_hook = m_hook;
    mmio_w64(CLINT_MTIMECMP, mmio_r64(CLINT_MTIME) + TICKS);
    csr_write(mie, 1UL << IRQ_M_TIMER);
    csr_set(mstatus, MSTATUS_MIE);
    u64 x = 88172645463325252UL, printed = 0;
    for (;;) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if (irqs / 100 > printed) {
            printed++;
            uart_putc(printed % 50 == 0 ? '\n' : (char)('a' + (x & 15)));
        }
    }
}
