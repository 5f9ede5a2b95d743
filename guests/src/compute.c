/* compute: a compute-bound loop (xorshift, multiply, table updates) for speed
 * measurements. COMPUTE_ROUNDS rounds of 1e8 iterations, about 1.2e9
 * instructions per round; built as compute-1g (1 round) and compute-2g
 * (2 rounds) so benchmarks can subtract start-up cost, and as compute-endless
 * (1e6 rounds, days of work) for tests that stop a run. Prints a checksum. */
#include "rt.h"

#ifndef COMPUTE_ROUNDS
#define COMPUTE_ROUNDS 1
#endif
#define ITERATIONS 60000000UL

static u64 table[256];

static u64 __attribute__((noinline)) round_(u64 x, u64 r)
{
    u64 acc = r;
    for (u64 i = 0; i < ITERATIONS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc += x * (i | 1);
        table[i & 255] += acc >> 3;
    }
    return acc ^ x;
}

int main(void)
{
    uart_puts("compute: ");
    uart_putdec(COMPUTE_ROUNDS);
    uart_puts(" x 6e7 iterations\n");
    u64 x = 0x9e3779b97f4a7c15UL, sum = 0;
    for (u64 r = 0; r < COMPUTE_ROUNDS; r++) {
        sum += round_(x, r);
        x = sum | 1;
    }
    for (int i = 0; i < 256; i++)
        sum ^= table[i] * (u64)(i + 1);
    uart_puts("compute: checksum ");
    uart_puthex(sum);
    uart_puts("\n");
    return 0;
}
