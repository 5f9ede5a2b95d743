/* sv39_harts: several harts in S-mode write through a kernel-style virtual address (a high,
 * global Sv39 mapping of a data page) while hart 0 moves that page halfway, as a kernel migrates
 * a page: the other harts stop, hart 0 copies the page, points the entry at the copy and fences,
 * then every hart fences and goes on. Hart 0 then writes the old page through another virtual
 * address (an alias the first one no longer reaches). The data pages are at physical addresses
 * S-mode does not map as themselves (it maps only the program's first 2 MiB one to one). For the
 * queries that follow a virtual address through the page tables and the physical ones (rewind
 * query ... --phys). Built for SMP_HARTS harts (2); run with --smp 2 (harts past SMP_HARTS park). */
#include "rt.h"

#ifndef SMP_HARTS
#define SMP_HARTS 2
#endif
#define ROUNDS 64

#define PTE_V 1
#define PTE_R 2
#define PTE_W 4
#define PTE_X 8
#define PTE_G 32
#define PTE_A 64
#define PTE_D 128
#define LEAF (PTE_V | PTE_R | PTE_W | PTE_G | PTE_A | PTE_D)

/* root[256] -> l1[1] -> l0[0]: the moving page, l0[1]: a page that stays, l0[2] and l0[3]: the
 * old and the new page, always. */
#define HIGH_VA 0xffffffc000200000UL
#define PAGE_OLD 0x80600000UL
#define PAGE_NEW 0x80601000UL
#define PAGE_FIXED 0x80602000UL

struct shared {
    u64 total;               /* amoadd by every hart */
    u64 mine[SMP_HARTS];     /* each hart's own store */
    u64 last;                /* the last writer's id + 1 */
};

static u64 root[512] __attribute__((aligned(4096), section(".pages")));
static u64 l1_id[512] __attribute__((aligned(4096), section(".pages")));
static u64 l1[512] __attribute__((aligned(4096), section(".pages")));
static u64 l0[512] __attribute__((aligned(4096), section(".pages")));

volatile u64 smp_gate __attribute__((section(".data"))) = 0;
static volatile u64 ready, stop_request, stopped, epoch, done;

#define V ((volatile struct shared *)HIGH_VA)
#define FIXED ((volatile u64 *)(HIGH_VA + 0x1000))
#define OLD ((volatile u64 *)(HIGH_VA + 0x2000))
#define NEW ((volatile u64 *)(HIGH_VA + 0x3000))

static u64 pte(u64 pa, u64 flags) { return (pa >> 12) << 10 | flags; }
static void sfence(void) { asm volatile("sfence.vma" ::: "memory"); }
static void amoadd(volatile u64 *p, u64 v) { asm volatile("amoadd.d zero, %1, (%0)" :: "r"(p), "r"(v) : "memory"); }

/* The page moves: every other hart has stopped writing through HIGH_VA. */
static void move_page(void)
{
    stop_request = 1;
    while (stopped != SMP_HARTS - 1)
        ;
    for (int i = 0; i < 512; i++)
        NEW[i] = OLD[i];
    fence();
    l0[0] = pte(PAGE_NEW, LEAF);
    sfence();
    stop_request = 0;
    fence();
    epoch = 1;
}

static void s_main(u64 me) __attribute__((noreturn));
static void s_main(u64 me)
{
    amoadd(&ready, 1);
    while (ready != SMP_HARTS)
        ;
    /* the others also wait for the move if they are through their rounds first */
    for (u64 i = 0; i < ROUNDS || (me != 0 && epoch == 0); i++) {
        if (me != 0 && stop_request) {
            amoadd(&stopped, 1);
            while (epoch == 0)
                ;
            sfence();
        }
        if (i >= ROUNDS)
            continue;
        V->mine[me] = i + 1000 * me;
        amoadd(&V->total, 1);
        V->last = me + 1;
        FIXED[me] += 1;
        if (me == 0 && i == ROUNDS / 2)
            move_page();
    }
    if (me == 0)
        OLD[0] = 0xdead;         /* through the alias: HIGH_VA is elsewhere now */
    amoadd(&done, 1);
    if (me != 0)
        for (;;)
            ;
    while (done != SMP_HARTS)
        ;
    uart_puts("sv39_harts: total ");
    uart_putdec(V->total);
    uart_puts(" fixed ");
    uart_putdec(FIXED[0] + FIXED[1]);
    uart_puts(" old page ");
    uart_puthex(OLD[0]);
    uart_puts("\n");
    finish(V->total == SMP_HARTS * ROUNDS && OLD[0] == 0xdead && FIXED[0] == ROUNDS ? 0 : 1);
}

/* Every hart: its own PMP (one region over everything), the shared page table, then S-mode. */
static void enter_s(u64 me) __attribute__((noreturn));
static void enter_s(u64 me)
{
    csr_write(pmpaddr0, -1L);
    csr_write(pmpcfg0, 0x1f);
    csr_write(satp, (8UL << 60) | ((u64)root >> 12));
    sfence();
    csr_clear(mstatus, 3UL << 11);
    csr_set(mstatus, 1UL << 11);  /* MPP = S */
    csr_write(mepc, (u64)s_main);
    asm volatile("mv a0, %0\n mret" :: "r"(me) : "a0", "memory");
    __builtin_unreachable();
}

void secondary_main(u64 me)
{
    if (me < SMP_HARTS)
        enter_s(me);
    for (;;)
        wfi();
}

int main(void)
{
    volatile u64 *old = (u64 *)PAGE_OLD, *new = (u64 *)PAGE_NEW, *fixed = (u64 *)PAGE_FIXED;
    for (int i = 0; i < 512; i++) {
        root[i] = l1_id[i] = l1[i] = l0[i] = 0;
        old[i] = new[i] = fixed[i] = 0;
    }
    new[0] = 777;  /* what the copy overwrites */
    root[0] = pte(0, PTE_V | PTE_R | PTE_W | PTE_G | PTE_A | PTE_D);                  /* devices */
    root[2] = pte((u64)l1_id, PTE_V | PTE_G);
    l1_id[0] = pte(0x80000000UL, PTE_V | PTE_R | PTE_W | PTE_X | PTE_G | PTE_A | PTE_D); /* 2 MiB one to one */
    root[256] = pte((u64)l1, PTE_V | PTE_G);
    l1[1] = pte((u64)l0, PTE_V | PTE_G);
    l0[0] = pte(PAGE_OLD, LEAF);
    l0[1] = pte(PAGE_FIXED, LEAF);
    l0[2] = pte(PAGE_OLD, LEAF);
    l0[3] = pte(PAGE_NEW, LEAF);
    fence();
    smp_gate = 1;
    enter_s(0);
}
