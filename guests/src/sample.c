/* sample: the program `rewind demo` records and then debugs backwards.
 * Small on purpose: a loop in main, three helper functions, and one global
 * variable, `total`, written in several places (a good watchpoint target). */
#include "rt.h"

int total;                 /* watch me: written by add_square, main and penalty */
static int squares[10];

static int square(int n)
{
    int result = n * n;
    return result;
}

static void add_square(int i)
{
    int s = square(i);
    squares[i - 1] = s;
    total = total + s;
}

static void penalty(int i)
{
    if (i % 3 == 0)
        total = total - 1;
}

static void report(int i)
{
    uart_puts("step ");
    uart_putdec(i);
    uart_puts(": total = ");
    uart_putdec(total);
    uart_puts("\n");
}

int main(void)
{
    uart_puts("sample: summing squares\n");
    total = 0;
    for (int i = 1; i <= 10; i++) {
        add_square(i);
        penalty(i);
        report(i);
    }
    uart_puts("sample: done, total = ");
    uart_putdec(total);
    uart_puts("\n");
    return total == 382 ? 0 : 1;   /* 1 + 4 + ... + 100 = 385, minus 3 penalties */
}
