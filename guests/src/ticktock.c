/* ticktock: the reverse-debugging benchmark guest. A compute loop calls the
 * small non-inlined function tick() once every 18 instructions and milestone()
 * once every ~1.2e6 instructions (66,667 ticks), about 1.1e9 instructions in
 * total (917 milestones). Break on tick or milestone and reverse-continue. */
#include "rt.h"

#ifndef MILESTONES
#define MILESTONES 917
#endif
#define TICKS_PER_MILESTONE 66667

u64 ticks_total;          /* written by milestone(): a watchpoint target */
u64 last_milestone;

u64 __attribute__((noinline)) tick(u64 x)
{
    x ^= x << 7;
    x ^= x >> 9;
    return x + 0x55;
}

void __attribute__((noinline)) milestone(u64 m, u64 x)
{
    last_milestone = m;
    ticks_total += TICKS_PER_MILESTONE;
    if ((m & 127) == 0) {
        uart_puts("milestone ");
        uart_putdec((i64)m);
        uart_puts(" x=");
        uart_puthex(x);
        uart_puts("\n");
    }
}

int main(void)
{
    uart_puts("ticktock: ");
    uart_putdec(MILESTONES);
    uart_puts(" milestones of 66667 ticks\n");
    u64 x = 0x243f6a8885a308d3UL, acc = 0;
    for (u64 m = 0; m < MILESTONES; m++) {
        for (u32 t = 0; t < TICKS_PER_MILESTONE; t++) {
            x = tick(x + t);
            acc += x >> 3;
            acc ^= acc << 5;
            acc += t;
            acc ^= x >> 17;
        }
        milestone(m, x ^ acc);
    }
    uart_puts("ticktock: done, ticks ");
    uart_putdec((i64)ticks_total);
    uart_puts(" checksum ");
    uart_puthex(x ^ acc);
    uart_puts("\n");
    return ticks_total == (u64)MILESTONES * TICKS_PER_MILESTONE ? 0 : 1;
}
