/* hot_line: two pages of RAM where hot 64-byte lines sit beside cold ones, for the query
 * index's per-line write log (WriteLogTest). In `pages` (page aligned, two pages):
 *   line 0  `hot`    stored on every iteration;
 *   line 1  `cold`   every 50th iteration, and the first half of `straddle`;
 *   line 2  `warm`   every iteration (hot), `low2` every 5th, and the second half of `straddle`,
 *           an 8-byte store at offset 124 every 7th iteration that crosses from line 1 into 2;
 *   line 63 `edge`, an 8-byte store at offset 4092 every 11th iteration that crosses into the
 *           second page's line 0, where `head` (offset 4096) is stored every 3rd iteration and
 *           `next_hot` (4100) on every one.
 * Misaligned stores are done as one sd (the hart may split them into bytes). About 1,000
 * instructions per iteration, 2,000 iterations. */
#include "rt.h"

#define ITERATIONS 2000UL

struct two_pages {
    volatile u64 hot;            /* 0 */
    u64 pad0[7];
    volatile u64 cold;           /* 64 */
    u64 pad1[6];
    volatile u32 pad1b;          /* 120 */
    volatile u32 straddle_lo;    /* 124: the straddling store's first half */
    volatile u32 low2;           /* 128: its second half, and line 2's own store */
    volatile u32 pad2a;          /* 132 */
    volatile u64 warm;           /* 136 */
    u64 pad2[493];
    volatile u32 pad63;          /* 4088 */
    volatile u32 edge;           /* 4092: crosses into the next page */
    volatile u32 head;           /* 4096 */
    volatile u32 next_hot;       /* 4100 */
    u64 rest[511];
};

struct two_pages pages __attribute__((aligned(4096)));
static u64 table[64];

static void __attribute__((noinline)) store8(volatile void *at, u64 v)
{
    __asm__ volatile("sd %1, 0(%0)" : : "r"(at), "r"(v) : "memory");
}

/* About 10 instructions per round. */
static u64 __attribute__((noinline)) work(u64 x, u64 n)
{
    for (u64 i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        table[i & 63] += x;
    }
    return x;
}

int main(void)
{
    uart_puts("hot_line: start\n");
    u64 x = 0x9e3779b97f4a7c15UL;
    for (u64 i = 1; i <= ITERATIONS; i++) {
        pages.hot = i;
        pages.warm = i * 3;
        pages.next_hot = (u32)i;
        if (i % 50 == 0) {
            pages.cold = i;
        }
        if (i % 5 == 0) {
            pages.low2 = (u32)(i * 7);
        }
        if (i % 7 == 0) {
            store8((volatile u8 *)&pages + 124, x);
        }
        if (i % 11 == 0) {
            store8((volatile u8 *)&pages + 4092, x ^ i);
        }
        if (i % 3 == 0) {
            pages.head = (u32)i;
        }
        x = work(x, 95);
    }
    uart_puts("hot_line: done ");
    uart_puthex(x ^ table[7]);
    uart_puts("\n");
    return 0;
}
