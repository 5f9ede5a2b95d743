#ifndef CALC_H
#define CALC_H

struct node {
    long value;
    struct node *next;
};

long factorial(int n);
long fib(int n);
long list_sum(const struct node *head);
long deepest(int n);

/* An inline helper used from two files, so line tables mention the header. */
static inline long twice(long x)
{
    return x + x;
}

#endif
