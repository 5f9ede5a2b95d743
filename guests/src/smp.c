/* Several harts (1..8) share one counter and pass a token round a ring with IPIs.
 *
 * Phase 1: every hart adds 1 to a shared counter ITERS times with amoadd.d.
 * Phase 2: every hart adds 1 to a second counter ITERS times with an lr.d/sc.d loop.
 * Phase 3: a token goes ROUNDS times round the ring of harts 0 -> 1 -> ... -> N-1 -> 0; each
 *          hart adds its hartid + 1 and hands it on through a mailbox and the CLINT's msip (the
 *          receiver sleeps in WFI with only MSIE enabled, so no trap handler is involved).
 * Hart 0 prints the totals, checks them against the exact values, and exits through the
 * finisher. The number of harts comes from the device tree's cpu nodes. */
#include "rt.h"

#define MAX_HARTS 8
#define ITERS 2000
#define ROUNDS 25

volatile u64 smp_gate __attribute__((section(".data"))) = 0;
static volatile u64 amo_counter, lrsc_counter, lrsc_retries, arrived, barrier_count, barrier_sense;
static volatile u64 mailbox[MAX_HARTS], ipis[MAX_HARTS];
static u64 nharts;

static inline u64 amoadd(volatile u64 *p, u64 v)
{
    u64 old;
    __asm__ volatile("amoadd.d.aqrl %0, %2, (%1)" : "=r"(old) : "r"(p), "r"(v) : "memory");
    return old;
}

static inline void lrsc_add(volatile u64 *p, u64 v)
{
    u64 tmp, fail;
    for (;;) {
        __asm__ volatile("lr.d.aq %0, (%2)\n\tadd %0, %0, %3\n\tsc.d.rl %1, %0, (%2)"
                         : "=&r"(tmp), "=&r"(fail) : "r"(p), "r"(v) : "memory");
        if (!fail)
            return;
        amoadd(&lrsc_retries, 1);
    }
}

static void barrier(void)
{
    u64 sense = !barrier_sense;
    if (amoadd(&barrier_count, 1) == nharts - 1) {
        barrier_count = 0;
        __asm__ volatile("fence rw, rw" ::: "memory");
        barrier_sense = sense;
    } else {
        while (barrier_sense != sense)
            ;
    }
}

static void send(u64 to, u64 value)
{
    mailbox[to] = value;
    __asm__ volatile("fence rw, rw" ::: "memory");
    mmio_w32(CLINT_MSIP + 4 * to, 1);
}

static u64 receive(u64 me)
{
    while (!(csr_read(mip) & (1 << IRQ_M_SOFT)))
        __asm__ volatile("wfi");
    mmio_w32(CLINT_MSIP + 4 * me, 0);
    __asm__ volatile("fence rw, rw" ::: "memory");
    ipis[me]++;
    return mailbox[me];
}

static void work(void)
{
    csr_write(mie, 1 << IRQ_M_SOFT); /* wakes WFI; mstatus.MIE stays 0, so no trap */
    amoadd(&arrived, 1);
    while (arrived != nharts)
        ;
    for (int i = 0; i < ITERS; i++)
        amoadd(&amo_counter, 1);
    barrier();
    for (int i = 0; i < ITERS; i++)
        lrsc_add(&lrsc_counter, 1);
    barrier();
}

void secondary_main(u64 me)
{
    work();
    for (int r = 0; r < ROUNDS; r++) {
        u64 token = receive(me);
        send((me + 1) % nharts, token + me + 1);
    }
    barrier();
}

static u32 be32(const u8 *p)
{
    return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

/* Counts the /cpus/cpu@N nodes of the flattened device tree. */
static u64 count_cpus(const u8 *fdt)
{
    if (be32(fdt) != 0xd00dfeed)
        return 1;
    const u8 *p = fdt + be32(fdt + 8);
    u64 n = 0;
    for (;;) {
        u32 token = be32(p);
        p += 4;
        if (token == 1) { /* begin node: name, NUL, padded to 4 */
            const char *name = (const char *)p;
            if (name[0] == 'c' && name[1] == 'p' && name[2] == 'u' && name[3] == '@')
                n++;
            while (*p)
                p++;
            p = (const u8 *)(((u64)p + 4) & ~3UL);
        } else if (token == 3) { /* property: len, nameoff, value */
            u32 len = be32(p);
            p += 8 + ((len + 3) & ~3U);
        } else if (token == 9) {
            break;
        }
    }
    return n ? n : 1;
}

int main(void)
{
    nharts = count_cpus((const u8 *)boot_dtb);
    if (nharts > MAX_HARTS)
        nharts = MAX_HARTS;
    __asm__ volatile("fence rw, rw" ::: "memory");
    smp_gate = 1;
    work();
    u64 token = 0;
    for (int r = 0; r < ROUNDS; r++) {
        if (nharts > 1) {
            send(1, token + 1);
            token = receive(0);
        } else {
            token += 1;
        }
    }
    barrier();
    u64 ring = 0;
    for (u64 h = 0; h < nharts; h++)
        ring += h + 1;
    u64 ipi_total = 0;
    for (u64 h = 0; h < nharts; h++)
        ipi_total += ipis[h];
    uart_puts("harts ");
    uart_putdec(nharts);
    uart_puts(" amo ");
    uart_putdec(amo_counter);
    uart_puts(" lrsc ");
    uart_putdec(lrsc_counter);
    uart_puts(" token ");
    uart_putdec(token);
    uart_puts(" ipis ");
    uart_putdec(ipi_total);
    uart_puts("\n");
    group("smp");
    check_eq(amo_counter, nharts * ITERS, "amoadd total");
    check_eq(lrsc_counter, nharts * ITERS, "lr/sc total");
    check_eq(token, ROUNDS * ring, "token after the ring");
    check_eq(ipi_total, nharts > 1 ? ROUNDS * nharts : 0, "IPIs received");
    /* Retries vary with the interleaving (QEMU's is not deterministic): printed, not checked. */
    uart_puts("lr/sc retries ");
    uart_putdec(lrsc_retries);
    uart_puts("\n");
    return checks_done();
}
