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

/* Passed by value: optimized code keeps it in two registers, described in pieces. */
struct pair {
    long a;
    long b;
};
long combine(struct pair p);

#endif
