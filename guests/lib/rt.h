/* Tiny bare-metal runtime shared by every guest: QEMU virt devices, CSR access,
 * trap frames, privilege-mode switching and the check/report helpers. */
#ifndef RT_H
#define RT_H

#ifndef __ASSEMBLER__
typedef unsigned long u64;
typedef long i64;
typedef unsigned int u32;
typedef int i32;
typedef unsigned short u16;
typedef short i16;
typedef unsigned char u8;
#endif

/* QEMU virt memory map (hw/riscv/virt.c). */
#define UART0_BASE   0x10000000UL
#define UART0_IRQ    10
#define VIRTIO0_BASE 0x10001000UL
#define VIRTIO0_IRQ  1
#define CLINT_BASE   0x02000000UL
#define CLINT_MSIP   (CLINT_BASE + 0x0)
#define CLINT_MTIMECMP (CLINT_BASE + 0x4000)
#define CLINT_MTIME  (CLINT_BASE + 0xBFF8)
#define PLIC_BASE    0x0C000000UL
#define TEST_BASE    0x00100000UL
#define MTIME_HZ     10000000UL

/* PLIC contexts of hart 0 on virt: 0 = M-mode, 1 = S-mode. */
#define PLIC_PRIORITY(src)     (PLIC_BASE + 4 * (src))
#define PLIC_PENDING           (PLIC_BASE + 0x1000)
#define PLIC_ENABLE(ctx)       (PLIC_BASE + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx)    (PLIC_BASE + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)        (PLIC_BASE + 0x200004 + 0x1000 * (ctx))

/* 16550 registers (byte offsets). */
#define UART_RBR 0
#define UART_THR 0
#define UART_IER 1
#define UART_IIR 2
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define MSTATUS_SIE  (1 << 1)
#define MSTATUS_MIE  (1 << 3)
#define MSTATUS_SPIE (1 << 5)
#define MSTATUS_MPIE (1 << 7)
#define MSTATUS_SPP  (1 << 8)
#define MSTATUS_MPP  (3 << 11)
#define MSTATUS_MPRV (1 << 17)
#define MSTATUS_SUM  (1 << 18)
#define MSTATUS_MXR  (1 << 19)
#define MSTATUS_FS   (3 << 13)
#define MSTATUS_FS_INITIAL (1 << 13)
#define MSTATUS_FS_CLEAN   (2 << 13)
#define MSTATUS_SD   (1UL << 63)

#define IRQ_S_SOFT  1
#define IRQ_M_SOFT  3
#define IRQ_S_TIMER 5
#define IRQ_M_TIMER 7
#define IRQ_S_EXT   9
#define IRQ_M_EXT   11

#define CAUSE_INTERRUPT (1UL << 63)
#define EXC_INSN_MISALIGNED 0
#define EXC_INSN_ACCESS     1
#define EXC_ILLEGAL         2
#define EXC_BREAKPOINT      3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS     5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS    7
#define EXC_ECALL_U 8
#define EXC_ECALL_S 9
#define EXC_ECALL_M 11
#define EXC_INSN_PAGE  12
#define EXC_LOAD_PAGE  13
#define EXC_STORE_PAGE 15

#define MODE_U 0
#define MODE_S 1
#define MODE_M 3

/* a7 value of the ecall that ends call_in_mode(); chosen to be unlike any real syscall number. */
#define ECALL_EXIT_MODE 0x5eed

#ifndef __ASSEMBLER__
#define csr_read(csr) ({ u64 v__; asm volatile("csrr %0, " #csr : "=r"(v__)); v__; })
#define csr_write(csr, v) asm volatile("csrw " #csr ", %0" :: "rK"((u64)(v)) : "memory")
#define csr_set(csr, v) asm volatile("csrs " #csr ", %0" :: "rK"((u64)(v)) : "memory")
#define csr_clear(csr, v) asm volatile("csrc " #csr ", %0" :: "rK"((u64)(v)) : "memory")
#define csr_swap(csr, v) ({ u64 v__; asm volatile("csrrw %0, " #csr ", %1" : "=r"(v__) : "rK"((u64)(v)) : "memory"); v__; })

static inline void mmio_w8(u64 a, u8 v) { *(volatile u8 *)a = v; }
static inline u8 mmio_r8(u64 a) { return *(volatile u8 *)a; }
static inline void mmio_w32(u64 a, u32 v) { *(volatile u32 *)a = v; }
static inline u32 mmio_r32(u64 a) { return *(volatile u32 *)a; }
static inline void mmio_w64(u64 a, u64 v) { *(volatile u64 *)a = v; }
static inline u64 mmio_r64(u64 a) { return *(volatile u64 *)a; }

static inline void fence(void) { asm volatile("fence" ::: "memory"); }
static inline void wfi(void) { asm volatile("wfi" ::: "memory"); }

/* Register file and trap CSRs as saved by the trap entry code (lib/crt0.S). */
struct trap_frame {
    u64 x[32];
    u64 epc, cause, tval, status;
    i64 vector;   /* mtvec/stvec vector slot taken, -1 in direct mode */
    u64 pad;
};

/* A hook returns nonzero when it handled the trap; the frame is written back on return. */
typedef int (*trap_hook)(struct trap_frame *f);
extern trap_hook m_trap_hook, s_trap_hook;

/* Boot registers as QEMU's reset vector passed them. */
extern u64 boot_hartid, boot_dtb;

void uart_putc(char c);
void uart_puts(const char *s);
void uart_puthex(u64 v);
void uart_putdec(i64 v);
int  uart_getc(void); /* -1 when no byte is ready */

/* SiFive test finisher: 0 = pass, otherwise fail with that code (1..0xffff). Never returns. */
void finish(u32 code) __attribute__((noreturn));

/* Run fn(arg) in the given privilege mode; returns its result once it has ended with
 * ecall(ECALL_EXIT_MODE). va_offset is added to pc and sp (for aliased mappings under Sv39).
 * mstatus.MIE is 0 in the lower mode and after the return (M interrupts still preempt U/S). */
i64 call_in_mode(u64 mode, i64 (*fn)(i64), i64 arg, i64 va_offset);
/* Ends a call_in_mode() call from inside the lower mode. */
void exit_mode(i64 result) __attribute__((noreturn));

/* Check reporting: one UART line per group, summary at the end. */
void group(const char *name);
int  check(int ok, const char *what);
int  check_eq(u64 got, u64 want, const char *what);
int  checks_done(void);  /* ends the last group; 0 if all passed, else number of failures */

/* Traps taken by trap_skip_hook: the last one and how many so far. */
struct trap_record { u64 count, cause, epc, tval, status; i64 vector; };
extern volatile struct trap_record last_trap;
/* Hook that records the trap in last_trap and resumes after the trapping instruction. */
int trap_skip_hook(struct trap_frame *f);

/* Length of the instruction at addr (2 or 4), for handlers that skip a trapping instruction. */
static inline u64 insn_len(u64 addr) { return ((*(volatile u16 *)addr) & 3) == 3 ? 4 : 2; }

void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);
int memcmp(const void *a, const void *b, unsigned long n);
#endif /* __ASSEMBLER__ */

#endif
