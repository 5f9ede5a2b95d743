/* history: a long bare-metal run for the query benchmark (scripts/bench-queries.sh).
 * `boot_config.marker` is written once, at the start; `progress` is written
 * HISTORY_WRITES times, evenly over the run, between stretches of compute work
 * (xorshift and table updates, as in compute.c) of about HISTORY_WORK
 * instructions each. The marker's page holds nothing else, as a configuration
 * block written at boot would; the linker puts `progress` and the busy table
 * on pages of their own too. */
#include "rt.h"

#ifndef HISTORY_WRITES
#define HISTORY_WRITES 10000UL
#endif
#ifndef HISTORY_WORK
#define HISTORY_WORK 150000UL
#endif

struct config {
    volatile u64 marker;
    u64 rest[511];
};

struct config boot_config __attribute__((aligned(4096)));
volatile u64 progress;
static u64 table[256];

/* About 11 instructions per iteration. */
static u64 __attribute__((noinline)) work(u64 x, u64 n)
{
    for (u64 i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        table[i & 255] += x;
    }
    return x;
}

int main(void)
{
    uart_puts("history: ");
    uart_putdec(HISTORY_WRITES);
    uart_puts(" writes of progress\n");
    boot_config.marker = 0x600d;
    u64 x = 0x9e3779b97f4a7c15UL;
    for (u64 i = 1; i <= HISTORY_WRITES; i++) {
        x = work(x, HISTORY_WORK / 11);
        progress = i;
    }
    uart_puts("history: done ");
    uart_puthex(x ^ table[7]);
    uart_puts("\n");
    return 0;
}
