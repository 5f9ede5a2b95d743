/* sv39: three-level page tables with 4 KiB pages, 2 MiB and 1 GiB superpages,
 * hardware A/D updates, page faults (load/store/fetch) with stval/mtval = VA,
 * invalid and reserved PTEs, misaligned superpages, U bit (U and S side), SUM,
 * MXR, MPRV, sfence.vma after a PTE change (one address of a megapage: all of it),
 * translations not carried across SUM or privilege changes, and delegation of page faults to S. */
#include "rt.h"

#define PTE_V 1
#define PTE_R 2
#define PTE_W 4
#define PTE_X 8
#define PTE_U 16
#define PTE_A 64
#define PTE_D 128

#define ALIAS_OFFSET 0x40000000L      /* VA 0xC0000000 = PA 0x80000000, user-accessible */
#define TEST_VA      0x100000000UL    /* 4 KiB test pages: root[4] -> l1 -> l0 */
#define MEGA_VA      (TEST_VA + 0x200000UL)
#define MEGA_PA      0x80400000UL
#define BADMEGA_VA   (TEST_VA + 0x400000UL)

static u64 root[512] __attribute__((aligned(4096), section(".pages")));
static u64 l1[512] __attribute__((aligned(4096), section(".pages")));
static u64 l0[512] __attribute__((aligned(4096), section(".pages")));
static u64 pages[9][512] __attribute__((aligned(4096), section(".pages")));
extern char _end[];

enum { PG_AD, PG_RO, PG_INVALID, PG_XONLY, PG_USER, PG_WONLY, PG_NOX, PG_REMAP };

static u64 pte(u64 pa, u64 flags) { return (pa >> 12) << 10 | flags; }
static u64 va_of(int page) { return TEST_VA + (u64)page * 4096; }

static volatile struct trap_record s_rec;

/* Code runs at identity VAs and at the +ALIAS_OFFSET alias; read instructions by PA. */
static u64 code_pa(u64 va) { return va >= 0xC0000000UL && va < 0x100000000UL ? va - ALIAS_OFFSET : va; }

static int m_hook(struct trap_frame *f)
{
    last_trap.count++;
    last_trap.cause = f->cause;
    last_trap.epc = f->epc;
    last_trap.tval = f->tval;
    last_trap.status = f->status;
    if (f->cause == EXC_INSN_PAGE)
        f->epc = f->x[1];                 /* came from a jump: resume at the link */
    else
        f->epc += insn_len(code_pa(f->epc));
    return 1;
}

static int s_hook(struct trap_frame *f)
{
    s_rec.count++;
    s_rec.cause = f->cause;
    s_rec.epc = f->epc;
    s_rec.tval = f->tval;
    f->epc += insn_len(code_pa(f->epc));
    return 1;
}

/* Loads/stores that leave -1 / do nothing when the access faults and is skipped. */
static i64 ld_or_m1(i64 va) { i64 v; asm volatile("li %0, -1\n ld %0, 0(%1)" : "=&r"(v) : "r"(va) : "memory"); return v; }
static i64 sd_42(i64 va) { asm volatile("sd %1, 0(%0)" :: "r"(va), "r"(42L) : "memory"); return 0; }
static i64 jump_to(i64 va) { asm volatile("jalr %0" :: "r"(va) : "ra", "memory"); return 7; }

static u64 faults(void) { return last_trap.count; }

static void expect_fault(u64 before, u64 cause, u64 tval, const char *what)
{
    check_eq(faults(), before + 1, what);
    check_eq(last_trap.cause, cause, "cause");
    check_eq(last_trap.tval, tval, "tval = faulting VA");
}

static void sfence(void) { asm volatile("sfence.vma" ::: "memory"); }

int main(void)
{
    uart_puts("sv39: virtual memory\n");
    m_trap_hook = m_hook;
    s_trap_hook = s_hook;
    if ((u64)_end > MEGA_PA) {
        uart_puts("image too large for the megapage test\n");
        return 99;
    }
    memset(root, 0, sizeof root);
    memset(l1, 0, sizeof l1);
    memset(l0, 0, sizeof l0);
    memset(pages, 0, sizeof pages);
    root[0] = pte(0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);                       /* devices */
    root[2] = pte(0x80000000UL, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);    /* kernel */
    root[3] = pte(0x80000000UL, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D); /* user alias */
    root[4] = pte((u64)l1, PTE_V);
    l1[0] = pte((u64)l0, PTE_V);
    l1[1] = pte(MEGA_PA, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    l1[2] = pte(MEGA_PA + 0x1000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);          /* misaligned */
    l0[PG_AD] = pte((u64)pages[PG_AD], PTE_V | PTE_R | PTE_W);                      /* A = D = 0 */
    l0[PG_RO] = pte((u64)pages[PG_RO], PTE_V | PTE_R | PTE_A);
    l0[PG_INVALID] = pte((u64)pages[PG_INVALID], PTE_R | PTE_W | PTE_A | PTE_D);
    l0[PG_XONLY] = pte((u64)pages[PG_XONLY], PTE_V | PTE_X | PTE_A);
    l0[PG_USER] = pte((u64)pages[PG_USER], PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
    l0[PG_WONLY] = pte((u64)pages[PG_WONLY], PTE_V | PTE_W | PTE_A | PTE_D);
    l0[PG_NOX] = pte((u64)pages[PG_NOX], PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    l0[PG_REMAP] = pte((u64)pages[PG_REMAP], PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    pages[PG_AD][1] = 0x1111;
    pages[PG_RO][0] = 0x2222;
    pages[PG_XONLY][0] = 0x3333;
    pages[PG_USER][0] = 0x4444;
    pages[PG_REMAP][0] = 0x5555;
    pages[PG_REMAP + 1][0] = 0x6666;
    pages[PG_NOX][0] = 0x00008067;       /* ret, in a page without X */
    *(volatile u64 *)(MEGA_PA + 0x1238) = 0x7777;
    csr_write(satp, (8UL << 60) | ((u64)root >> 12));
    sfence();
    u64 n;

    group("sv39.translate");
    check_eq(call_in_mode(MODE_S, ld_or_m1, va_of(PG_RO), 0), 0x2222, "4 KiB page load");
    call_in_mode(MODE_S, sd_42, va_of(PG_REMAP) + 8, 0);
    check_eq(pages[PG_REMAP][1], 42, "4 KiB page store reaches the PA");
    check_eq(call_in_mode(MODE_S, ld_or_m1, MEGA_VA + 0x1238, 0), 0x7777, "2 MiB megapage");
    check_eq(call_in_mode(MODE_S, ld_or_m1, (i64)&pages[PG_USER][0], 0), 0x4444, "1 GiB gigapage (identity)");
    n = faults();
    check_eq(call_in_mode(MODE_S, ld_or_m1, BADMEGA_VA + 8, 0), (u64)-1, "misaligned megapage faults");
    expect_fault(n, EXC_LOAD_PAGE, BADMEGA_VA + 8, "misaligned superpage");

    group("sv39.accessed-dirty");
    check_eq(l0[PG_AD] & (PTE_A | PTE_D), 0, "A and D start clear");
    n = faults();
    check_eq(call_in_mode(MODE_S, ld_or_m1, va_of(PG_AD) + 8, 0), 0x1111, "load from A=0 page");
    check_eq(faults(), n, "no fault: hardware sets A");
    check_eq(l0[PG_AD] & (PTE_A | PTE_D), PTE_A, "load set A only");
    call_in_mode(MODE_S, sd_42, va_of(PG_AD), 0);
    check_eq(faults(), n, "no fault: hardware sets D");
    check_eq(l0[PG_AD] & (PTE_A | PTE_D), PTE_A | PTE_D, "store set D");
    check_eq(pages[PG_AD][0], 42, "store landed");

    group("sv39.page-faults");
    n = faults();
    check_eq(call_in_mode(MODE_S, ld_or_m1, va_of(PG_INVALID) + 16, 0), (u64)-1, "invalid PTE");
    expect_fault(n, EXC_LOAD_PAGE, va_of(PG_INVALID) + 16, "load page fault");
    n = faults();
    call_in_mode(MODE_S, sd_42, va_of(PG_RO) + 24, 0);
    expect_fault(n, EXC_STORE_PAGE, va_of(PG_RO) + 24, "store to read-only page");
    check_eq(pages[PG_RO][3], 0, "read-only page unchanged");
    n = faults();
    check_eq(call_in_mode(MODE_S, ld_or_m1, va_of(PG_WONLY), 0), (u64)-1, "W without R is reserved");
    expect_fault(n, EXC_LOAD_PAGE, va_of(PG_WONLY), "reserved PTE");
    n = faults();
    check_eq(call_in_mode(MODE_S, jump_to, va_of(PG_NOX), 0), 7, "fetch from non-X page returns");
    expect_fault(n, EXC_INSN_PAGE, va_of(PG_NOX), "instruction page fault");
    check_eq(last_trap.epc, va_of(PG_NOX), "mepc = faulting VA");
    n = faults();
    check_eq(call_in_mode(MODE_S, ld_or_m1, 0x4000000000UL, 0), (u64)-1, "non-canonical VA");
    expect_fault(n, EXC_LOAD_PAGE, 0x4000000000UL, "VA bits 63..39 not sign-extended");

    group("sv39.mxr");
    n = faults();
    check_eq(call_in_mode(MODE_S, ld_or_m1, va_of(PG_XONLY), 0), (u64)-1, "load from X-only page faults");
    expect_fault(n, EXC_LOAD_PAGE, va_of(PG_XONLY), "MXR = 0");
    csr_set(mstatus, MSTATUS_MXR);
    n = faults();
    check_eq(call_in_mode(MODE_S, ld_or_m1, va_of(PG_XONLY), 0), 0x3333, "MXR makes X pages readable");
    check_eq(faults(), n, "no fault with MXR");
    csr_clear(mstatus, MSTATUS_MXR);

    group("sv39.user");
    n = faults();
    check_eq(call_in_mode(MODE_S, ld_or_m1, va_of(PG_USER), 0), (u64)-1, "S load from U page faults");
    expect_fault(n, EXC_LOAD_PAGE, va_of(PG_USER), "SUM = 0");
    csr_set(mstatus, MSTATUS_SUM);
    check_eq(call_in_mode(MODE_S, ld_or_m1, va_of(PG_USER), 0), 0x4444, "SUM = 1 allows S load");
    n = faults();
    check_eq(call_in_mode(MODE_S, jump_to, 0xC0000000UL + ((u64)ld_or_m1 - 0x80000000UL), 0), 7,
             "S fetch from U page faults even with SUM");
    expect_fault(n, EXC_INSN_PAGE, 0xC0000000UL + ((u64)ld_or_m1 - 0x80000000UL), "S never executes U pages");
    csr_clear(mstatus, MSTATUS_SUM);
    n = faults();
    check_eq(call_in_mode(MODE_S, ld_or_m1, va_of(PG_USER), 0), (u64)-1, "S load from U page faults again once SUM = 0");
    expect_fault(n, EXC_LOAD_PAGE, va_of(PG_USER), "what SUM = 1 allowed is not remembered");
    n = faults();
    check_eq(call_in_mode(MODE_U, ld_or_m1, va_of(PG_USER), ALIAS_OFFSET), 0x4444, "U code at the alias loads a U page");
    check_eq(faults(), n, "no fault");
    check_eq(call_in_mode(MODE_S, ld_or_m1, va_of(PG_RO), 0), 0x2222, "S loads an S page");
    check_eq(call_in_mode(MODE_U, ld_or_m1, va_of(PG_RO), ALIAS_OFFSET), (u64)-1, "U load from S page");
    expect_fault(n, EXC_LOAD_PAGE, va_of(PG_RO), "U bit clear (S's access just before is not U's)");

    group("sv39.sfence");
    check_eq(call_in_mode(MODE_S, ld_or_m1, va_of(PG_REMAP), 0), 0x5555, "old mapping");
    l0[PG_REMAP] = pte((u64)pages[PG_REMAP + 1], PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    sfence();
    check_eq(call_in_mode(MODE_S, ld_or_m1, va_of(PG_REMAP), 0), 0x6666, "new mapping after sfence.vma");
    l0[PG_REMAP] = 0;
    asm volatile("sfence.vma %0, zero" :: "r"(va_of(PG_REMAP)) : "memory");
    n = faults();
    check_eq(call_in_mode(MODE_S, ld_or_m1, va_of(PG_REMAP), 0), (u64)-1, "unmapped after sfence.vma va");
    expect_fault(n, EXC_LOAD_PAGE, va_of(PG_REMAP), "unmapped page");
    /* A megapage's leaf PTE maps all its 4 KiB pages: sfence.vma for one address of it drops them all. */
    *(volatile u64 *)(MEGA_PA + 0x3000) = 0x9999;
    *(volatile u64 *)(MEGA_PA + 0x200000 + 0x3000) = 0x8888;
    check_eq(call_in_mode(MODE_S, ld_or_m1, MEGA_VA + 0x1238, 0), 0x7777, "megapage, page 1");
    check_eq(call_in_mode(MODE_S, ld_or_m1, MEGA_VA + 0x3000, 0), 0x9999, "megapage, page 3");
    l1[1] = pte(MEGA_PA + 0x200000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    asm volatile("sfence.vma %0, zero" :: "r"(MEGA_VA + 0x1238) : "memory");
    check_eq(call_in_mode(MODE_S, ld_or_m1, MEGA_VA + 0x3000, 0), 0x8888, "page 3 remapped after sfence.vma of page 1");
    l1[1] = pte(MEGA_PA, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    sfence();

    group("sv39.mprv");
    u64 v;
    csr_clear(mstatus, MSTATUS_MPP);
    csr_set(mstatus, (u64)MODE_S << 11 | MSTATUS_MPRV);
    v = *(volatile u64 *)va_of(PG_RO);                     /* M-mode load translated as S */
    csr_clear(mstatus, MSTATUS_MPRV);
    check_eq(v, 0x2222, "MPRV: M load uses S translation");
    csr_set(mstatus, MSTATUS_MPRV);
    n = faults();
    asm volatile("li %0, -1\n ld %0, 0(%1)" : "=&r"(v) : "r"(va_of(PG_INVALID)) : "memory");
    csr_clear(mstatus, MSTATUS_MPRV);
    expect_fault(n, EXC_LOAD_PAGE, va_of(PG_INVALID), "MPRV load page fault");

    group("sv39.delegated");
    csr_write(medeleg, (1UL << EXC_LOAD_PAGE) | (1UL << EXC_STORE_PAGE));
    n = faults();
    check_eq(call_in_mode(MODE_U, ld_or_m1, va_of(PG_INVALID) + 8, ALIAS_OFFSET), (u64)-1, "U load fault");
    check_eq(s_rec.count, 1, "delegated to S");
    check_eq(s_rec.cause, EXC_LOAD_PAGE, "scause");
    check_eq(s_rec.tval, va_of(PG_INVALID) + 8, "stval = VA");
    check_eq(s_rec.epc >= 0xC0000000UL && s_rec.epc < 0x100000000UL, 1, "sepc is the alias VA");
    call_in_mode(MODE_S, sd_42, va_of(PG_RO), 0);
    check_eq(s_rec.count, 2, "S store fault delegated to S");
    check_eq(s_rec.cause, EXC_STORE_PAGE, "scause store");
    check_eq(faults(), n, "M not involved");
    csr_write(medeleg, 0);

    csr_write(satp, 0);
    sfence();
    return checks_done();
}
