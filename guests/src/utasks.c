/* utasks: two U-mode tasks under Sv39, each with its own root page table, both counting in a
 * variable at the same virtual address (TASK_VA) that each table maps to a different physical
 * page. M-mode switches satp between the two and runs the tasks in turn. The code, data and
 * stack are one global user gigapage shared by both tables; only TASK_VA differs (not global).
 * A debugger watching TASK_VA in one address space must stop only for that task's writes. */
#include "rt.h"

#define PTE_V 1
#define PTE_R 2
#define PTE_W 4
#define PTE_X 8
#define PTE_U 16
#define PTE_G 32
#define PTE_A 64
#define PTE_D 128

#define TASK_VA 0x40000000UL

struct space { u64 root[512], l1[512], l0[512], page[512]; };
static struct space space_a __attribute__((aligned(4096), section(".pages")));
static struct space space_b __attribute__((aligned(4096), section(".pages")));

static u64 pte(u64 pa, u64 flags) { return (pa >> 12) << 10 | flags; }

static u64 build(struct space *s)
{
    memset(s, 0, sizeof *s);
    s->root[2] = pte(0x80000000UL, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_G | PTE_A | PTE_D);
    s->root[1] = pte((u64)s->l1, PTE_V);
    s->l1[0] = pte((u64)s->l0, PTE_V);
    s->l0[0] = pte((u64)s->page, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
    return (8UL << 60) | ((u64)s->root >> 12);
}

/* Runs in U-mode: adds 1 to its counter `rounds` times; returns the counter. */
static i64 task(i64 rounds)
{
    volatile u64 *counter = (volatile u64 *)TASK_VA;
    for (i64 i = 0; i < rounds; i++)
        *counter = *counter + 1;
    return (i64)*counter;
}

static i64 run_in(u64 satp, i64 rounds)
{
    csr_write(satp, satp);
    asm volatile("sfence.vma" ::: "memory");
    return call_in_mode(MODE_U, task, rounds, 0);
}

int main(void)
{
    uart_puts("utasks: two U-mode tasks, one virtual address, two address spaces\n");
    u64 satp_a = build(&space_a), satp_b = build(&space_b);
    i64 a = 0, b = 0;
    for (int round = 0; round < 3; round++) {
        a = run_in(satp_a, 2);
        b = run_in(satp_b, 3);
    }
    csr_write(satp, 0);
    group("utasks.spaces");
    check_eq(a, 6, "task A counted 6 in its space");
    check_eq(b, 9, "task B counted 9 in its space");
    check_eq(space_a.page[0], 6, "A's page holds A's counter");
    check_eq(space_b.page[0], 9, "B's page holds B's counter");
    return checks_done();
}
