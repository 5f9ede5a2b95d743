/* Test program for dev.rewind.symbols: recursion across files, a loop, a struct walk. */
#include "calc.h"

volatile long result;
struct node nodes[4];
static int counter;

/* Strings and characters, to compare how their values print with gdb's. */
const char *greeting = "hi \"there\"\n";
char label[8] = "abc";
char banner[40] = "xyz";
signed char small = -5;
unsigned char octet = 200;

/* Bit fields, an enum and floating point, likewise. */
struct flags {
    unsigned int ready : 1;
    unsigned int mode : 3;
    int delta : 5;
    unsigned int count : 12;
} status = {1, 5, -3, 1000};
enum color { RED, GREEN = 5, BLUE };
enum color shade = BLUE;
double ratio = 3.141592653589793;
float tenth = 0.1f;
double huge = 1e20;
double tiny = -1.5e-7;
double whole = 2.0;

static void bump(int by)
{
    counter += by;
}

int main(void)
{
    for (int i = 0; i < 4; i++) {
        nodes[i].value = i * 3;
        nodes[i].next = i + 1 < 4 ? &nodes[i + 1] : 0;
        bump(i);
    }
    result = factorial(5);
    result += list_sum(&nodes[0]);
    result += fib(6) + counter;
    result += combine((struct pair) {7, 9});
    return (int) result;
}
