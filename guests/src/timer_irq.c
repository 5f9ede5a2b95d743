/* timer_irq: CLINT mtime/mtimecmp, mip.MTIP, machine timer interrupts taken
 * from WFI, WFI waking on a pending-but-globally-disabled interrupt, M-level
 * interrupts taken in U-mode regardless of mstatus.MIE, S timer interrupts
 * forwarded by M-mode through mip.STIP, and counter CSRs. Depends on elapsed
 * virtual time, so its instruction count varies unless run with icount. */
#include "rt.h"

static volatile u64 m_timer_irqs, m_soft_irqs, s_timer_irqs, last_cause;

static int m_hook(struct trap_frame *f)
{
    last_cause = f->cause;
    if (f->cause == (CAUSE_INTERRUPT | IRQ_M_TIMER)) {
        m_timer_irqs++;
        mmio_w64(CLINT_MTIMECMP, ~0UL);     /* deassert MTIP */
        return 1;
    }
    if (f->cause == (CAUSE_INTERRUPT | IRQ_M_SOFT)) {
        m_soft_irqs++;
        mmio_w32(CLINT_MSIP, 0);
        return 1;
    }
    return 0;
}

static int s_hook(struct trap_frame *f)
{
    if (f->cause == (CAUSE_INTERRUPT | IRQ_S_TIMER)) {
        s_timer_irqs++;
        f->status &= ~(u64)MSTATUS_SPIE;   /* STIP stays set until M clears it: return with SIE off */
        return 1;
    }
    return 0;
}

static u64 mtime(void) { return mmio_r64(CLINT_MTIME); }

/* Sleeps until *counter reaches value. MIE is off while deciding to sleep, so an
 * interrupt between the check and the WFI cannot be missed (WFI still wakes on it). */
static void sleep_until(volatile u64 *counter, u64 value)
{
    for (;;) {
        csr_clear(mstatus, MSTATUS_MIE);
        if (*counter >= value)
            break;
        wfi();
        csr_set(mstatus, MSTATUS_MIE);
    }
    csr_set(mstatus, MSTATUS_MIE);
}

static i64 u_spin(i64 n)
{
    volatile i64 i = 0;
    while (i < n)
        i++;
    return i;
}

static i64 s_wait_timer(i64 unused)
{
    (void)unused;
    csr_set(sie, 1UL << IRQ_S_TIMER);
    csr_set(sstatus, MSTATUS_SIE);
    for (int i = 0; i < 100000 && !s_timer_irqs; i++)
        ;
    csr_clear(sstatus, MSTATUS_SIE);
    return (i64)s_timer_irqs;
}

int main(void)
{
    uart_puts("timer_irq: CLINT timer and software interrupts\n");
    m_trap_hook = m_hook;
    s_trap_hook = s_hook;

    group("timer.clint");
    u64 t0 = mtime();
    u64 t1 = mtime();
    check(t1 >= t0, "mtime does not go backwards");
    u64 tc = csr_read(time);
    check(tc >= t1, "time CSR follows mtime");
    u64 c0 = csr_read(cycle), i0 = csr_read(instret);
    u64 c1 = csr_read(cycle), i1 = csr_read(instret);
    check(c1 >= c0 && i1 >= i0, "cycle and instret do not go backwards");
    mmio_w64(CLINT_MTIMECMP, ~0UL);
    check_eq(csr_read(mip) & (1UL << IRQ_M_TIMER), 0, "MTIP clear with mtimecmp in the future");
    mmio_w64(CLINT_MTIMECMP, 0);
    check(csr_read(mip) & (1UL << IRQ_M_TIMER), "MTIP set when mtime >= mtimecmp");
    mmio_w64(CLINT_MTIMECMP, 0x123456789abcdefUL);
    check_eq(mmio_r64(CLINT_MTIMECMP), 0x123456789abcdefUL, "mtimecmp 64-bit readback");
    mmio_w32(CLINT_MTIMECMP + 4, 0x7fffffff);
    check_eq(mmio_r64(CLINT_MTIMECMP), 0x7fffffff89abcdefUL, "mtimecmp high word write");
    mmio_w64(CLINT_MTIMECMP, ~0UL);

    group("timer.wfi-interrupt");
    csr_write(mie, 1UL << IRQ_M_TIMER);
    csr_set(mstatus, MSTATUS_MIE);
    u64 deadline = mtime() + MTIME_HZ / 1000;   /* 1 ms */
    mmio_w64(CLINT_MTIMECMP, deadline);
    sleep_until(&m_timer_irqs, 1);
    check_eq(m_timer_irqs, 1, "one timer interrupt");
    check_eq(last_cause, CAUSE_INTERRUPT | IRQ_M_TIMER, "mcause = machine timer");
    check(mtime() >= deadline, "interrupt not before the deadline");
    for (int tick = 0; tick < 5; tick++) {
        u64 before = m_timer_irqs;          /* read before arming: the tick may come at once */
        deadline += MTIME_HZ / 1000;
        mmio_w64(CLINT_MTIMECMP, deadline);
        sleep_until(&m_timer_irqs, before + 1);
    }
    check_eq(m_timer_irqs, 6, "five periodic ticks");
    check(mtime() >= deadline, "last tick after its deadline");

    group("timer.wfi-masked");
    csr_clear(mstatus, MSTATUS_MIE);
    mmio_w64(CLINT_MTIMECMP, mtime() + MTIME_HZ / 2000);
    while (!(csr_read(mip) & (1UL << IRQ_M_TIMER)))
        wfi();                                   /* wakes although MIE = 0 */
    check_eq(m_timer_irqs, 6, "no interrupt taken while MIE = 0");
    csr_set(mstatus, MSTATUS_MIE);
    asm volatile("nop");
    csr_clear(mstatus, MSTATUS_MIE);
    check_eq(m_timer_irqs, 7, "pending interrupt taken once MIE = 1");

    group("timer.lower-mode");
    csr_write(mie, 1UL << IRQ_M_SOFT);
    mmio_w32(CLINT_MSIP, 1);
    check_eq(call_in_mode(MODE_U, u_spin, 100, 0), 100, "U code completes");
    check_eq(m_soft_irqs, 1, "M interrupt taken in U with mstatus.MIE = 0");
    check_eq(csr_read(mstatus) & MSTATUS_MIE, 0, "MIE still 0");

    group("timer.s-forwarded");
    csr_write(mie, 1UL << IRQ_S_TIMER);
    csr_write(mideleg, 1UL << IRQ_S_TIMER);
    csr_set(mip, 1UL << IRQ_S_TIMER);            /* what firmware does when it forwards a timer */
    check(csr_read(mip) & (1UL << IRQ_S_TIMER), "M can set mip.STIP");
    check_eq(call_in_mode(MODE_S, s_wait_timer, 0, 0), 1, "S timer interrupt taken in S");
    csr_clear(mip, 1UL << IRQ_S_TIMER);
    check_eq(csr_read(mip) & (1UL << IRQ_S_TIMER), 0, "M clears mip.STIP");
    csr_write(mideleg, 0);
    csr_write(mie, 0);

    return checks_done();
}
