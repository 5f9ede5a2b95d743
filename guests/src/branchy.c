/* branchy: branch- and call-heavy code for speed measurements, the opposite of compute's one
 * tight loop: an insertion sort, a switch-dispatched byte-code interpreter and small calls.
 * BRANCHY_ROUNDS x 20000 rounds; built as branchy-1 and branchy-2 so `rewind bench --short
 * --long` can subtract start-up cost. Prints a checksum. */
#include "rt.h"

#ifndef BRANCHY_ROUNDS
#define BRANCHY_ROUNDS 1
#endif

static u64 state = 88172645463325252UL;
static int arr[256];
static unsigned char prog[512];

static u64 __attribute__((noinline)) rnd(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static void __attribute__((noinline)) isort(int *a, int n)
{
    for (int i = 1; i < n; i++) {
        int v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static u64 __attribute__((noinline)) interp(const unsigned char *code, int n, u64 acc)
{
    for (int pc = 0; pc < n; pc++) {
        switch (code[pc] & 7) {
        case 0: acc += pc; break;
        case 1: acc ^= acc >> 3; break;
        case 2: acc *= 3; break;
        case 3: acc -= 7; break;
        case 4: acc = (acc << 1) | (acc >> 63); break;
        case 5: acc += code[pc]; break;
        case 6: if (acc & 1) acc++; break;
        default: acc ^= 0x5555; break;
        }
    }
    return acc;
}

int main(void)
{
    u64 sum = 0;
    for (int i = 0; i < 512; i++)
        prog[i] = (unsigned char)rnd();
    for (int r = 0; r < BRANCHY_ROUNDS * 20000; r++) {
        for (int i = 0; i < 256; i++)
            arr[i] = (int)(rnd() & 0xffff);
        isort(arr, 64);
        sum += arr[0] + arr[63];
        sum = interp(prog, 512, sum);
    }
    uart_puts("branchy: checksum ");
    uart_puthex(sum);
    uart_puts("\n");
    return 0;
}
