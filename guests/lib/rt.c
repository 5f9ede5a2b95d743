/* Runtime: UART output, finisher, default trap handling and check reporting. */
#include "rt.h"

/* In .data, not .bss: crt0 stores them before it clears .bss. */
u64 boot_hartid = ~0UL, boot_dtb = ~0UL;
trap_hook m_trap_hook, s_trap_hook;
extern char mode_return[];

void uart_putc(char c)
{
    while (!(mmio_r8(UART0_BASE + UART_LSR) & 0x20))
        ;
    mmio_w8(UART0_BASE + UART_THR, (u8)c);
}

void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

void uart_puthex(u64 v)
{
    uart_puts("0x");
    for (int i = 60; i >= 0; i -= 4)
        uart_putc("0123456789abcdef"[(v >> i) & 15]);
}

void uart_putdec(i64 v)
{
    char buf[24];
    int n = 0;
    u64 u = v < 0 ? -(u64)v : (u64)v;
    if (v < 0)
        uart_putc('-');
    do {
        buf[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (n)
        uart_putc(buf[--n]);
}

int uart_getc(void)
{
    if (mmio_r8(UART0_BASE + UART_LSR) & 1)
        return mmio_r8(UART0_BASE + UART_RBR);
    return -1;
}

void finish(u32 code)
{
    u32 v = code == 0 ? 0x5555 : ((code & 0xffff) << 16) | 0x3333;
    for (;;)
        mmio_w32(TEST_BASE, v);
}

static void report_unexpected(const char *who, struct trap_frame *f)
{
    uart_puts("unexpected ");
    uart_puts(who);
    uart_puts(" trap: cause=");
    uart_puthex(f->cause);
    uart_puts(" epc=");
    uart_puthex(f->epc);
    uart_puts(" tval=");
    uart_puthex(f->tval);
    uart_puts("\n");
    finish(0x7e);
}

volatile struct trap_record last_trap;

int trap_skip_hook(struct trap_frame *f)
{
    last_trap.count++;
    last_trap.cause = f->cause;
    last_trap.epc = f->epc;
    last_trap.tval = f->tval;
    last_trap.status = f->status;
    last_trap.vector = f->vector;
    if (!(f->cause & CAUSE_INTERRUPT))
        f->epc += insn_len(f->epc);
    return 1;
}

static int is_exit_ecall(struct trap_frame *f)
{
    return (f->cause == EXC_ECALL_U || f->cause == EXC_ECALL_S || f->cause == EXC_ECALL_M)
        && f->x[17] == ECALL_EXIT_MODE;
}

void mtrap_handler(struct trap_frame *f)
{
    if (is_exit_ecall(f)) {
        /* Leave the lower mode: resume in M-mode at mode_return with a0 untouched. */
        f->epc = (u64)mode_return;
        f->status |= MSTATUS_MPP;
        return;
    }
    if (m_trap_hook && m_trap_hook(f))
        return;
    report_unexpected("M", f);
}

void strap_handler(struct trap_frame *f)
{
    if (f->cause == EXC_ECALL_U && f->x[17] == ECALL_EXIT_MODE) {
        /* U-mode ecalls delegated to S: forward the exit request to M. */
        register u64 a0 asm("a0") = f->x[10];
        register u64 a7 asm("a7") = ECALL_EXIT_MODE;
        asm volatile("ecall" :: "r"(a0), "r"(a7) : "memory");
    }
    if (s_trap_hook && s_trap_hook(f))
        return;
    report_unexpected("S", f);
}

static const char *group_name;
static int group_checks, group_failures, total_failures, total_checks;

static void group_end(void)
{
    if (!group_name)
        return;
    uart_puts("[");
    uart_puts(group_name);
    uart_puts("] ");
    if (group_failures) {
        uart_puts("FAIL ");
        uart_putdec(group_failures);
        uart_puts("/");
    } else {
        uart_puts("ok ");
    }
    uart_putdec(group_checks);
    uart_puts("\n");
    group_name = 0;
}

void group(const char *name)
{
    group_end();
    group_name = name;
    group_checks = group_failures = 0;
}

int check(int ok, const char *what)
{
    group_checks++;
    total_checks++;
    if (!ok) {
        group_failures++;
        total_failures++;
        uart_puts("  FAIL ");
        uart_puts(what);
        uart_puts("\n");
    }
    return ok;
}

int check_eq(u64 got, u64 want, const char *what)
{
    if (check(got == want, what))
        return 1;
    uart_puts("    got ");
    uart_puthex(got);
    uart_puts(" want ");
    uart_puthex(want);
    uart_puts("\n");
    return 0;
}

int checks_done(void)
{
    group_end();
    if (total_failures) {
        uart_putdec(total_failures);
        uart_puts(" of ");
        uart_putdec(total_checks);
        uart_puts(" checks FAILED\n");
        return total_failures > 0xffff ? 0xffff : total_failures;
    }
    uart_puts("ALL ");
    uart_putdec(total_checks);
    uart_puts(" CHECKS PASSED\n");
    return 0;
}

void *memset(void *d, int c, unsigned long n)
{
    u8 *p = d;
    while (n--)
        *p++ = (u8)c;
    return d;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
    u8 *p = d;
    const u8 *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

int memcmp(const void *a, const void *b, unsigned long n)
{
    const u8 *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q)
            return *p < *q ? -1 : 1;
    return 0;
}
