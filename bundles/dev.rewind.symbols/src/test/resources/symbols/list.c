#include "calc.h"

long list_sum(const struct node *head)
{
    long sum = 0;
    while (head) {
        sum += twice(head->value);
        head = head->next;
    }
    return sum;
}

/* Never called: with -ffunction-sections -Wl,--gc-sections the linker drops it, and its
 * line-table sequence collapses to address 0. */
long list_length(const struct node *head)
{
    long n = 0;
    for (; head; head = head->next)
        n++;
    return n;
}
