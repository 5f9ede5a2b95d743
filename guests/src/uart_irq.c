/* uart_irq: 16550 interrupt sources routed through the PLIC — THR-empty and
 * (in loopback mode) received-data interrupts, IIR identification, PLIC
 * priority/threshold/pending/claim/complete for the M and S contexts. */
#include "rt.h"

static volatile u64 m_ext, s_ext, claims_seen;
static volatile u8 rx_buf[32];
static volatile int rx_len;
static volatile u8 iir_seen[8];
static volatile int iir_count;

static void service_uart(void)
{
    u8 iir = mmio_r8(UART0_BASE + UART_IIR);
    if (iir_count < 8)
        iir_seen[iir_count++] = iir & 0x0f;
    if ((iir & 0x0f) == 0x2)                     /* THR empty: reading IIR cleared it; stop it recurring */
        mmio_w8(UART0_BASE + UART_IER, mmio_r8(UART0_BASE + UART_IER) & ~2);
    while (mmio_r8(UART0_BASE + UART_LSR) & 1)
        if (rx_len < 32)
            rx_buf[rx_len++] = mmio_r8(UART0_BASE + UART_RBR);
}

static int m_hook(struct trap_frame *f)
{
    if (f->cause != (CAUSE_INTERRUPT | IRQ_M_EXT))
        return 0;
    m_ext++;
    u32 src = mmio_r32(PLIC_CLAIM(0));
    claims_seen = src;
    if (src == UART0_IRQ)
        service_uart();
    mmio_w32(PLIC_CLAIM(0), src);
    return 1;
}

static int s_hook(struct trap_frame *f)
{
    if (f->cause != (CAUSE_INTERRUPT | IRQ_S_EXT))
        return 0;
    s_ext++;
    u32 src = mmio_r32(PLIC_CLAIM(1));
    claims_seen = src;
    if (src == UART0_IRQ)
        service_uart();
    mmio_w32(PLIC_CLAIM(1), src);
    return 1;
}

static i64 s_wait(i64 n)
{
    csr_set(sie, 1UL << IRQ_S_EXT);
    csr_set(sstatus, MSTATUS_SIE);
    for (int i = 0; i < 100000 && s_ext < (u64)n; i++)
        ;
    csr_clear(sstatus, MSTATUS_SIE);
    return (i64)s_ext;
}

static void spin_until(volatile u64 *counter, u64 value)
{
    for (int i = 0; i < 100000 && *counter < value; i++)
        ;
}

int main(void)
{
    uart_puts("uart_irq: UART interrupts through the PLIC\n");
    m_trap_hook = m_hook;
    s_trap_hook = s_hook;

    group("uart.registers");
    mmio_w8(UART0_BASE + UART_SCR, 0x5a);
    check_eq(mmio_r8(UART0_BASE + UART_SCR), 0x5a, "scratch register");
    mmio_w8(UART0_BASE + UART_LCR, 0x03);
    check_eq(mmio_r8(UART0_BASE + UART_LCR), 0x03, "LCR 8N1");
    check_eq(mmio_r8(UART0_BASE + UART_LSR) & 0x60, 0x60, "LSR: THR and transmitter empty");
    check_eq(mmio_r8(UART0_BASE + UART_IIR) & 0x0f, 0x01, "IIR: no interrupt pending");

    group("uart.plic-m");
    mmio_w32(PLIC_PRIORITY(UART0_IRQ), 1);
    mmio_w32(PLIC_ENABLE(0), 1U << UART0_IRQ);
    mmio_w32(PLIC_THRESHOLD(0), 0);
    check_eq(mmio_r32(PLIC_PRIORITY(UART0_IRQ)), 1, "priority reads back");
    check_eq(mmio_r32(PLIC_ENABLE(0)), 1U << UART0_IRQ, "enable reads back");
    mmio_w8(UART0_BASE + UART_IER, 0x02);        /* THR empty interrupt */
    check(mmio_r32(PLIC_PENDING) & (1U << UART0_IRQ), "PLIC pending bit 10");
    check(csr_read(mip) & (1UL << IRQ_M_EXT), "mip.MEIP");
    csr_write(mie, 1UL << IRQ_M_EXT);
    csr_set(mstatus, MSTATUS_MIE);
    spin_until(&m_ext, 1);
    csr_clear(mstatus, MSTATUS_MIE);
    check_eq(m_ext, 1, "one external interrupt");
    check_eq(claims_seen, UART0_IRQ, "claimed source 10");
    check_eq(iir_seen[0], 0x2, "IIR identified THR empty");
    check_eq(mmio_r32(PLIC_CLAIM(0)), 0, "nothing left to claim");
    check_eq(csr_read(mip) & (1UL << IRQ_M_EXT), 0, "MEIP cleared");

    group("uart.plic-threshold");
    mmio_w32(PLIC_THRESHOLD(0), 1);              /* priority 1 does not exceed threshold 1 */
    mmio_w8(UART0_BASE + UART_IER, 0x02);
    check(mmio_r32(PLIC_PENDING) & (1U << UART0_IRQ), "still pending at the PLIC");
    check_eq(csr_read(mip) & (1UL << IRQ_M_EXT), 0, "masked by threshold");
    mmio_w32(PLIC_PRIORITY(UART0_IRQ), 2);
    check(csr_read(mip) & (1UL << IRQ_M_EXT), "raised priority passes threshold");
    csr_set(mstatus, MSTATUS_MIE);
    spin_until(&m_ext, 2);
    csr_clear(mstatus, MSTATUS_MIE);
    check_eq(m_ext, 2, "second interrupt");
    mmio_w32(PLIC_THRESHOLD(0), 0);
    mmio_w32(PLIC_PRIORITY(UART0_IRQ), 1);

    group("uart.loopback-rx");
    /* FIFO off (16450 mode): with the FIFO on, a byte below the trigger level raises the
     * time-dependent character-timeout interrupt (IIR 0xc) instead of 0x4. */
    mmio_w8(UART0_BASE + UART_FCR, 0x00);
    mmio_w8(UART0_BASE + UART_MCR, 0x10);        /* loopback: TX feeds RX, nothing leaves */
    mmio_w8(UART0_BASE + UART_IER, 0x01);        /* received data available */
    csr_set(mstatus, MSTATUS_MIE);
    const char *msg = "rewind";
    for (const char *p = msg; *p; p++) {
        u64 before = m_ext;
        mmio_w8(UART0_BASE + UART_THR, (u8)*p);
        spin_until(&m_ext, before + 1);
    }
    csr_clear(mstatus, MSTATUS_MIE);
    mmio_w8(UART0_BASE + UART_IER, 0);
    mmio_w8(UART0_BASE + UART_MCR, 0);
    check_eq(rx_len, 6, "six bytes received");
    check(rx_len == 6 && rx_buf[0] == 'r' && rx_buf[5] == 'd', "bytes in order");
    check_eq(iir_seen[2], 0x4, "IIR identified received data");
    check_eq(m_ext, 8, "one interrupt per byte");

    group("uart.plic-s");
    mmio_w32(PLIC_ENABLE(0), 0);
    mmio_w32(PLIC_ENABLE(1), 1U << UART0_IRQ);
    mmio_w32(PLIC_THRESHOLD(1), 0);
    csr_write(mideleg, 1UL << IRQ_S_EXT);
    csr_write(mie, 1UL << IRQ_S_EXT);
    mmio_w8(UART0_BASE + UART_IER, 0x02);
    check(csr_read(mip) & (1UL << IRQ_S_EXT), "mip.SEIP from context 1");
    check_eq(call_in_mode(MODE_S, s_wait, 1, 0), 1, "S external interrupt");
    check_eq(claims_seen, UART0_IRQ, "S claimed source 10");
    check_eq(m_ext, 8, "M handler not involved");
    csr_write(mideleg, 0);
    csr_write(mie, 0);
    mmio_w32(PLIC_ENABLE(1), 0);

    return checks_done();
}
