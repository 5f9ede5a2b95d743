/* echo: interrupt-driven UART input. Sleeps in WFI until the receive interrupt
 * (PLIC source 10) delivers bytes, echoes them, counts lines, and exits with
 * a summary when it reads 'q'. Output is a pure function of the input bytes. */
#include "rt.h"

static volatile u8 ring[256];
static volatile u32 ring_head, ring_tail;   /* written by the handler / by main */

static int m_hook(struct trap_frame *f)
{
    if (f->cause == (CAUSE_INTERRUPT | IRQ_M_TIMER)) {
        mmio_w64(CLINT_MTIMECMP, ~0UL);        /* idle tick: just wake the main loop */
        return 1;
    }
    if (f->cause != (CAUSE_INTERRUPT | IRQ_M_EXT))
        return 0;
    u32 src = mmio_r32(PLIC_CLAIM(0));
    if (src == UART0_IRQ) {
        while (mmio_r8(UART0_BASE + UART_LSR) & 1) {
            u8 c = mmio_r8(UART0_BASE + UART_RBR);
            if (ring_head - ring_tail < sizeof ring)
                ring[ring_head++ % sizeof ring] = c;
        }
    }
    mmio_w32(PLIC_CLAIM(0), src);
    return 1;
}

/* Waits for the next byte: WFI with interrupts masked so a wake-up cannot be missed. */
static u8 next_byte(void)
{
    for (;;) {
        csr_clear(mstatus, MSTATUS_MIE);
        if (ring_tail != ring_head)
            break;
        /* An idle tick (MTIE on) wakes us now and then: QEMU's icount record/replay only
         * delivers input when the vCPU wakes, and waits forever otherwise. */
        mmio_w64(CLINT_MTIMECMP, mmio_r64(CLINT_MTIME) + MTIME_HZ / 100);
        wfi();
        csr_set(mstatus, MSTATUS_MIE);
    }
    u8 c = ring[ring_tail % sizeof ring];
    ring_tail++;
    csr_set(mstatus, MSTATUS_MIE);
    return c;
}

int main(void)
{
    m_trap_hook = m_hook;
    /* FCR is left alone: changing it clears the receive FIFO, which may already hold input. */
    mmio_w32(PLIC_PRIORITY(UART0_IRQ), 1);
    mmio_w32(PLIC_ENABLE(0), 1U << UART0_IRQ);
    mmio_w32(PLIC_THRESHOLD(0), 0);
    mmio_w8(UART0_BASE + UART_IER, 0x01);
    csr_write(mie, (1UL << IRQ_M_EXT) | (1UL << IRQ_M_TIMER));
    csr_set(mstatus, MSTATUS_MIE);
    uart_puts("echo: type lines, 'q' quits\n");

    u64 lines = 0, bytes = 0, line_len = 0;
    u32 sum = 0;
    for (;;) {
        u8 c = next_byte();
        if (c == 'q')
            break;
        bytes++;
        sum = sum * 31 + c;
        if (c == '\r' || c == '\n') {
            lines++;
            uart_puts("\n[line ");
            uart_putdec((i64)lines);
            uart_puts(": ");
            uart_putdec((i64)line_len);
            uart_puts(" chars]\n");
            line_len = 0;
        } else {
            uart_putc((char)c);
            line_len++;
        }
    }
    uart_puts("\necho: bye, ");
    uart_putdec((i64)lines);
    uart_puts(" lines, ");
    uart_putdec((i64)bytes);
    uart_puts(" bytes, hash ");
    uart_puthex(sum);
    uart_puts("\n");
    return 0;
}
