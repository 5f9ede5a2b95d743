/* Embench-IoT board support for QEMU's virt machine, written for Rewind's benchmark script
 * (scripts/bench-embench.sh builds it with each benchmark; Embench itself is fetched at
 * benchmark time and never committed). Start-up, UART, finisher and traps come from
 * guests/lib (crt0.S, rt.c): main's return value 0 (result verified) exits through the SiFive
 * test finisher with the pass code, anything else with a failure code.
 *
 * The timer hooks read the time CSR as a board's cycle counter would, so each run also
 * exercises a CSR read at its start and end; the script times whole processes instead. */
#include <support.h>

volatile unsigned long embench_start_time, embench_stop_time;

void initialise_board(void)
{
}

void __attribute__((noinline)) __attribute__((externally_visible)) start_trigger(void)
{
    unsigned long t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    embench_start_time = t;
}

void __attribute__((noinline)) __attribute__((externally_visible)) stop_trigger(void)
{
    unsigned long t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    embench_stop_time = t;
}
