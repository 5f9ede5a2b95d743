/* rtc: reads the goldfish RTC (0x101000) at set moments and prints each 64-bit value in hex: at
 * the start, after a busy loop, after sleeping in WFI until a CLINT timer 1 ms on, after setting
 * TIME_HIGH alone and after setting TIME_LOW (each write deposits its half into the running count,
 * as QEMU's device does). Run with -icount shift=0,sleep=off -rtc base=DATETIME,clock=vm, every
 * value is a function of the instruction count: QEMU 7.2 and Rewind print the same lines. */
#include "rt.h"

#define RTC_BASE 0x101000UL
#define RTC_TIME_LOW 0x00
#define RTC_TIME_HIGH 0x04

static u64 rtc_read(void)
{
    u64 lo = mmio_r32(RTC_BASE + RTC_TIME_LOW); /* latches TIME_HIGH */
    u64 hi = mmio_r32(RTC_BASE + RTC_TIME_HIGH);
    return hi << 32 | lo;
}

static void show(const char *what, u64 v)
{
    uart_puts(what);
    uart_puts(" ");
    uart_puthex(v);
    uart_puts("\n");
}

static volatile u64 sink;

static int m_hook(struct trap_frame *f)
{
    if (f->cause != (CAUSE_INTERRUPT | IRQ_M_TIMER))
        return 0;
    mmio_w64(CLINT_MTIMECMP, ~0UL);
    return 1;
}

int main(void)
{
    show("start", rtc_read());
    for (u64 i = 0; i < 100000; i++)
        sink += i;
    show("after-loop", rtc_read());

    m_trap_hook = m_hook;
    mmio_w64(CLINT_MTIMECMP, mmio_r64(CLINT_MTIME) + MTIME_HZ / 1000);
    csr_write(mie, 1UL << IRQ_M_TIMER);
    csr_clear(mstatus, MSTATUS_MIE);
    wfi();
    csr_write(mie, 0);
    show("after-wfi", rtc_read());

    mmio_w32(RTC_BASE + RTC_TIME_HIGH, 0x12345678);
    show("after-high", rtc_read());
    mmio_w32(RTC_BASE + RTC_TIME_LOW, 0x9abcdef0);
    show("after-low", rtc_read());
    return 0;
}
