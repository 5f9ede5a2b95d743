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
