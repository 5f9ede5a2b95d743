/* blk: a virtio-mmio (modern, version 2) block driver in the style of xv6-riscv:
 * device identification, feature negotiation (VERSION_1 only), one split
 * virtqueue, interrupt-driven completion (PLIC source 1) with WFI, single- and
 * multi-sector reads of known content, writes read back, two requests in
 * flight at once, and an out-of-range request answered with IOERR.
 * Needs the disk made by tools/mkdisk.sh (see README for the QEMU options). */
#include "rt.h"

#define VIRTIO_MAGIC        0x000
#define VIRTIO_VERSION      0x004
#define VIRTIO_DEVICE_ID    0x008
#define VIRTIO_VENDOR_ID    0x00c
#define VIRTIO_DEV_FEATURES 0x010
#define VIRTIO_DEV_FEAT_SEL 0x014
#define VIRTIO_DRV_FEATURES 0x020
#define VIRTIO_DRV_FEAT_SEL 0x024
#define VIRTIO_QUEUE_SEL    0x030
#define VIRTIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_QUEUE_NUM    0x038
#define VIRTIO_QUEUE_READY  0x044
#define VIRTIO_QUEUE_NOTIFY 0x050
#define VIRTIO_INT_STATUS   0x060
#define VIRTIO_INT_ACK      0x064
#define VIRTIO_STATUS       0x070
#define VIRTIO_QUEUE_DESC_LO   0x080
#define VIRTIO_QUEUE_DESC_HI   0x084
#define VIRTIO_QUEUE_DRIVER_LO 0x090
#define VIRTIO_QUEUE_DRIVER_HI 0x094
#define VIRTIO_QUEUE_DEVICE_LO 0x0a0
#define VIRTIO_QUEUE_DEVICE_HI 0x0a4
#define VIRTIO_CONFIG       0x100

#define ST_ACK 1
#define ST_DRIVER 2
#define ST_DRIVER_OK 4
#define ST_FEATURES_OK 8

#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define BLK_T_IN 0
#define BLK_T_OUT 1
#define QSIZE 8

struct vring_desc { u64 addr; u32 len; u16 flags; u16 next; };
struct vring_avail { u16 flags; u16 idx; u16 ring[QSIZE]; u16 unused; };
struct vring_used_elem { u32 id; u32 len; };
struct vring_used { u16 flags; u16 idx; struct vring_used_elem ring[QSIZE]; u16 avail_event; };
struct blk_req { u32 type; u32 reserved; u64 sector; };

static struct vring_desc desc[QSIZE] __attribute__((aligned(16)));
static struct vring_avail avail __attribute__((aligned(2)));
static struct vring_used used __attribute__((aligned(4096)));
static struct blk_req hdr[2];
static volatile u8 status[2];
static u8 buf_a[4096] __attribute__((aligned(16)));
static u8 buf_b[4096] __attribute__((aligned(16)));
static u16 used_seen;
static volatile u64 irqs;

static u32 reg(u32 off) { return mmio_r32(VIRTIO0_BASE + off); }
static void set_reg(u32 off, u32 v) { mmio_w32(VIRTIO0_BASE + off, v); }

static int m_hook(struct trap_frame *f)
{
    if (f->cause == (CAUSE_INTERRUPT | IRQ_M_TIMER)) {
        mmio_w64(CLINT_MTIMECMP, ~0UL);        /* idle tick: just wake the main loop */
        return 1;
    }
    if (f->cause != (CAUSE_INTERRUPT | IRQ_M_EXT))
        return 0;
    u32 src = mmio_r32(PLIC_CLAIM(0));
    if (src == VIRTIO0_IRQ) {
        irqs++;
        set_reg(VIRTIO_INT_ACK, reg(VIRTIO_INT_STATUS) & 3);
    }
    mmio_w32(PLIC_CLAIM(0), src);
    return 1;
}

static int init_device(void)
{
    if (reg(VIRTIO_MAGIC) != 0x74726976 || reg(VIRTIO_VERSION) != 2 || reg(VIRTIO_DEVICE_ID) != 2) {
        uart_puts("blk: no modern virtio block device at 0x10001000\n");
        return 0;
    }
    set_reg(VIRTIO_STATUS, 0);
    u32 st = ST_ACK;
    set_reg(VIRTIO_STATUS, st);
    st |= ST_DRIVER;
    set_reg(VIRTIO_STATUS, st);
    set_reg(VIRTIO_DEV_FEAT_SEL, 1);
    u32 hi = reg(VIRTIO_DEV_FEATURES);
    check(hi & 1, "device offers VIRTIO_F_VERSION_1");
    set_reg(VIRTIO_DRV_FEAT_SEL, 0);
    set_reg(VIRTIO_DRV_FEATURES, 0);
    set_reg(VIRTIO_DRV_FEAT_SEL, 1);
    set_reg(VIRTIO_DRV_FEATURES, 1);                 /* VERSION_1 and nothing else */
    st |= ST_FEATURES_OK;
    set_reg(VIRTIO_STATUS, st);
    check(reg(VIRTIO_STATUS) & ST_FEATURES_OK, "FEATURES_OK accepted");
    set_reg(VIRTIO_QUEUE_SEL, 0);
    check_eq(reg(VIRTIO_QUEUE_READY), 0, "queue 0 not ready yet");
    check(reg(VIRTIO_QUEUE_NUM_MAX) >= QSIZE, "queue large enough");
    set_reg(VIRTIO_QUEUE_NUM, QSIZE);
    set_reg(VIRTIO_QUEUE_DESC_LO, (u32)(u64)desc);
    set_reg(VIRTIO_QUEUE_DESC_HI, (u32)((u64)desc >> 32));
    set_reg(VIRTIO_QUEUE_DRIVER_LO, (u32)(u64)&avail);
    set_reg(VIRTIO_QUEUE_DRIVER_HI, (u32)((u64)&avail >> 32));
    set_reg(VIRTIO_QUEUE_DEVICE_LO, (u32)(u64)&used);
    set_reg(VIRTIO_QUEUE_DEVICE_HI, (u32)((u64)&used >> 32));
    set_reg(VIRTIO_QUEUE_READY, 1);
    st |= ST_DRIVER_OK;
    set_reg(VIRTIO_STATUS, st);
    check_eq(reg(VIRTIO_QUEUE_READY), 1, "queue ready");
    return 1;
}

/* Queues request slot s (descriptors 3s..3s+2) without notifying. */
static void queue_request(int s, u32 type, u64 sector, u8 *data, u32 len)
{
    int d = 3 * s;
    hdr[s].type = type;
    hdr[s].reserved = 0;
    hdr[s].sector = sector;
    status[s] = 0xff;
    desc[d] = (struct vring_desc){ (u64)&hdr[s], sizeof hdr[s], VRING_DESC_F_NEXT, (u16)(d + 1) };
    desc[d + 1] = (struct vring_desc){ (u64)data, len,
                                       (u16)(VRING_DESC_F_NEXT | (type == BLK_T_IN ? VRING_DESC_F_WRITE : 0)),
                                       (u16)(d + 2) };
    desc[d + 2] = (struct vring_desc){ (u64)&status[s], 1, VRING_DESC_F_WRITE, 0 };
    avail.ring[avail.idx % QSIZE] = (u16)d;
    fence();
    avail.idx++;
    fence();
}

/* Notifies the device and sleeps until n more requests have completed. */
static void submit_and_wait(int n)
{
    set_reg(VIRTIO_QUEUE_NOTIFY, 0);
    u16 want = (u16)(used_seen + n);
    for (;;) {
        csr_clear(mstatus, MSTATUS_MIE);
        fence();
        if (*(volatile u16 *)&used.idx == want)
            break;
        /* An idle tick (MTIE on) wakes us now and then: QEMU's icount record/replay only
         * delivers the completion when the vCPU wakes, and waits forever otherwise. */
        mmio_w64(CLINT_MTIMECMP, mmio_r64(CLINT_MTIME) + MTIME_HZ / 1000);
        wfi();
        csr_set(mstatus, MSTATUS_MIE);
    }
    csr_set(mstatus, MSTATUS_MIE);
    used_seen = want;
}

static int rw(u32 type, u64 sector, u8 *data, u32 len)
{
    queue_request(0, type, sector, data, len);
    submit_and_wait(1);
    return status[0];
}

static int starts_with_sector_text(const u8 *p, int s)
{
    const char *t = "REWIND DISK SECTOR ";
    for (; *t; t++, p++)
        if (*p != (u8)*t)
            return 0;
    return p[0] == '0' + s && p[1] == '\n' && p[2] == 0;
}

static void fill(u8 *p, u32 len, u32 seed)
{
    for (u32 i = 0; i < len; i++) {
        seed = seed * 1103515245 + 12345;
        p[i] = (u8)(seed >> 16);
    }
}

int main(void)
{
    uart_puts("blk: virtio-mmio block device\n");
    m_trap_hook = m_hook;
    mmio_w32(PLIC_PRIORITY(VIRTIO0_IRQ), 1);
    mmio_w32(PLIC_ENABLE(0), 1U << VIRTIO0_IRQ);
    mmio_w32(PLIC_THRESHOLD(0), 0);
    csr_write(mie, (1UL << IRQ_M_EXT) | (1UL << IRQ_M_TIMER));
    csr_set(mstatus, MSTATUS_MIE);

    group("blk.init");
    if (!init_device())
        return 100;
    u64 capacity = mmio_r32(VIRTIO0_BASE + VIRTIO_CONFIG) | (u64)mmio_r32(VIRTIO0_BASE + VIRTIO_CONFIG + 4) << 32;
    check(capacity >= 2048, "capacity >= 1 MiB");
    uart_puts("blk: capacity ");
    uart_putdec((i64)capacity);
    uart_puts(" sectors\n");

    group("blk.read");
    for (int s = 0; s < 8; s++) {
        memset(buf_a, 0xee, 512);
        check_eq(rw(BLK_T_IN, s, buf_a, 512), 0, "read status OK");
        check(starts_with_sector_text(buf_a, s), "sector content");
    }
    check_eq(rw(BLK_T_IN, 0, buf_b, 4096), 0, "8-sector read");
    int same = 1;
    for (int s = 0; s < 8; s++)
        same &= starts_with_sector_text(buf_b + 512 * s, s);
    check(same, "multi-sector read matches single reads");
    check(irqs >= 9, "completions signalled by interrupts");

    group("blk.write");
    fill(buf_a, 4096, 77);
    check_eq(rw(BLK_T_OUT, 1000, buf_a, 4096), 0, "8-sector write");
    memset(buf_b, 0, 4096);
    check_eq(rw(BLK_T_IN, 1000, buf_b, 4096), 0, "read back");
    check(memcmp(buf_a, buf_b, 4096) == 0, "data read back equals data written");
    memset(buf_b, 0, 512);
    check_eq(rw(BLK_T_IN, 1003, buf_b, 512), 0, "read one sector of it");
    check(memcmp(buf_a + 3 * 512, buf_b, 512) == 0, "sector 1003 at the right offset");

    group("blk.concurrent");
    fill(buf_a, 512, 5);
    queue_request(0, BLK_T_OUT, 1010, buf_a, 512);
    queue_request(1, BLK_T_IN, 2, buf_b, 512);
    submit_and_wait(2);
    check_eq(status[0], 0, "write in flight OK");
    check_eq(status[1], 0, "read in flight OK");
    check(starts_with_sector_text(buf_b, 2), "concurrent read content");
    memset(buf_b, 0, 512);
    check_eq(rw(BLK_T_IN, 1010, buf_b, 512), 0, "read concurrent write back");
    check(memcmp(buf_a, buf_b, 512) == 0, "concurrent write landed");

    group("blk.errors");
    check_eq(rw(BLK_T_IN, capacity, buf_b, 512), 1, "read past the end: IOERR");
    check_eq(used.ring[(used_seen - 1) % QSIZE].id, 0, "used ring names the head descriptor");

    /* (The interrupt count is not printed: completions may coalesce into one interrupt.) */
    return checks_done();
}
