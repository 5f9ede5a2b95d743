#include "calc.h"

volatile int probe;

/* The innermost call of the factorial recursion; a breakpoint here sees the whole chain. */
__attribute__((noinline)) long deepest(int n)
{
    probe = n;
    return twice(n) / 2;
}

long factorial(int n)
{
    if (n <= 1) {
        return deepest(n);
    }
    long below = factorial(n - 1);
    return n * below;
}

long fib(int n)
{
    if (n < 2)
        return n;
    return fib(n - 1) + fib(n - 2);
}

__attribute__((noinline)) long combine(struct pair p)
{
    probe = (int) p.a;
    probe = (int) p.b;
    return p.a * 3 + p.b;
}
