/* uart_poll: polled UART input, as boot loaders and monitors read it: no UART
 * interrupts, a tight loop on LSR.DR, then RBR. Built twice: uart_poll with the
 * FIFO disabled (16450 mode, FCR = 0: one holding byte, so every byte must wait
 * until the previous one was read) and uart_poll_fifo with it enabled (FCR = 7).
 * Reads until 'q', then prints the count, a hash of the bytes and how many
 * overruns LSR.OE reported; exits 0 only if no byte was lost to an overrun. */
#include "rt.h"

#ifndef UART_POLL_FCR
#define UART_POLL_FCR 0x00
#endif

int main(void)
{
    mmio_w8(UART0_BASE + UART_IER, 0);
    mmio_w8(UART0_BASE + UART_FCR, UART_POLL_FCR);
    uart_puts("poll: ready\n");

    u64 bytes = 0, overruns = 0;
    u32 sum = 0;
    for (;;) {
        u8 lsr;
        while (!((lsr = mmio_r8(UART0_BASE + UART_LSR)) & 1))
            ;
        if (lsr & 2)
            overruns++;
        u8 c = mmio_r8(UART0_BASE + UART_RBR);
        if (c == 'q')
            break;
        bytes++;
        sum = sum * 31 + c;
    }
    uart_puts("poll: ");
    uart_putdec((i64)bytes);
    uart_puts(" bytes, hash ");
    uart_puthex(sum);
    uart_puts(", ");
    uart_putdec((i64)overruns);
    uart_puts(" overruns\n");
    return overruns ? 1 : 0;
}
