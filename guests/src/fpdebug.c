/* fpdebug: a small program built with the toolchain's default flags (riscv64-unknown-elf-gcc
 * defaults to rv64imafdc, lp64d) for debugging with gdb: doubles and floats passed in fa0/fa1,
 * a double local living in an FP register, inexact results that raise fflags. */
#include "rt.h"

volatile double sink;

/* r arrives in fa0 and stays there (DWARF location: an FP register). */
__attribute__((noinline)) double area(double r)
{
    double a = 3.14159 * r * r;
    return a / 3.0;
}

__attribute__((noinline)) float ratio(float x, float y)
{
    return x / y + 0.1f;
}

int main(void)
{
    double total = 0;
    for (int i = 1; i <= 5; i++) {
        total += area(i * 0.5);
        total += ratio((float)i, 7.0f);
    }
    sink = total;
    uart_puts("fpdebug total ");
    uart_puthex((u64)(total * 1000));
    uart_puts("\n");
    return 0;
}
