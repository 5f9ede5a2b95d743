/* bigmem: the memory shape of a long-running operating system, for snapshot measurements
 * (./rewind bench snapshots). Needs a 512 MiB RAM (--ram 512M). It first writes every word
 * of the RAM above its image with non-zero values, so every page is in use (as a kernel's
 * allocator and page cache leave it), then computes forever with a small hot working set and
 * adds to one pseudo-random word of the whole RAM every BIGMEM_SPARSE loop iterations (about
 * 7 instructions each): per 1e7 instructions it dirties a few hundred pages out of 131072.
 * Prints a line after the fill and every 2^16 sparse writes. */
#include "rt.h"

#define RAM_END   (0x80000000UL + (512UL << 20))
#ifndef BIGMEM_SPARSE
#define BIGMEM_SPARSE 5000
#endif

extern char _end[];
static u64 hot[64];

int main(void)
{
    u64 *base = (u64 *)(((u64)_end + 4095) & ~4095UL);
    u64 words = (RAM_END - (u64)base) / 8;
    uart_puts("bigmem: filling ");
    uart_putdec(words * 8 >> 20);
    uart_puts(" MiB\n");
    for (u64 i = 0; i < words; i++)
        base[i] = (i * 0x9e3779b97f4a7c15UL) | 1;
    uart_puts("bigmem: every page written; now sparse writes\n");
    u64 x = 88172645463325252UL, acc = 0;
    for (u64 n = 1;; n++) {
        for (int j = 0; j < BIGMEM_SPARSE; j++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            acc += x;
            hot[j & 63] += acc;
        }
        base[(x >> 8) % words] += acc;
        if ((n & ((1UL << 16) - 1)) == 0) {
            uart_puts("bigmem: ");
            uart_putdec(n);
            uart_puts(" sparse writes\n");
        }
    }
}
