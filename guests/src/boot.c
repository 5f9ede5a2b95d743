/* boot: the state QEMU virt's reset vector hands to the kernel (a0 = hartid,
 * a1 = flattened device tree), machine-information CSRs, and the device tree
 * content a kernel relies on. */
#include "rt.h"

static u32 be32(const void *p)
{
    const u8 *b = p;
    return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

static int str_eq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static int str_has_prefix(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return 0;
    return 1;
}

/* Walks the FDT structure block and counts nodes whose name starts with prefix. */
static int fdt_count_nodes(const u8 *fdt, const char *prefix)
{
    const u8 *p = fdt + be32(fdt + 8);
    int count = 0;
    for (;;) {
        u32 tok = be32(p);
        p += 4;
        if (tok == 1) {             /* FDT_BEGIN_NODE */
            const char *name = (const char *)p;
            if (str_has_prefix(name, prefix))
                count++;
            while (*p)
                p++;
            p = (const u8 *)(((u64)p + 4) & ~3UL);
        } else if (tok == 3) {      /* FDT_PROP */
            u32 len = be32(p);
            p += 8 + ((len + 3) & ~3U);
        } else if (tok == 2 || tok == 4) {
            continue;               /* END_NODE, NOP */
        } else {
            return count;           /* END or garbage */
        }
    }
}

static const char *fdt_find_string_prop(const u8 *fdt, const char *prop)
{
    const u8 *p = fdt + be32(fdt + 8);
    const char *strings = (const char *)fdt + be32(fdt + 12);
    for (int guard = 0; guard < 100000; guard++) {
        u32 tok = be32(p);
        p += 4;
        if (tok == 1) {
            while (*p)
                p++;
            p = (const u8 *)(((u64)p + 4) & ~3UL);
        } else if (tok == 3) {
            u32 len = be32(p);
            if (str_eq(strings + be32(p + 4), prop))
                return (const char *)p + 8;
            p += 8 + ((len + 3) & ~3U);
        } else if (tok == 2 || tok == 4) {
            continue;
        } else {
            break;
        }
    }
    return 0;
}

int main(void)
{
    uart_puts("boot: reset state and device tree\n");

    uart_puts("dtb at "); uart_puthex(boot_dtb); uart_puts("\n");
    group("boot.regs");
    check_eq(boot_hartid, 0, "a0 = hartid 0");
    check(boot_dtb >= 0x80000000UL && boot_dtb < 0x88000000UL, "a1 points into RAM");
    check((boot_dtb & 7) == 0, "dtb 8-byte aligned");

    group("boot.csrs");
    u64 misa = csr_read(misa);
    check_eq(misa >> 62, 2, "misa.MXL = 64");
    const char *need = "IMACSU";
    for (const char *c = need; *c; c++)
        check(misa & (1UL << (*c - 'A')), "misa extension bit");
    check_eq(csr_read(mhartid), 0, "mhartid");
    u64 ms = csr_read(mstatus);
    check_eq((ms >> 32) & 3, 2, "mstatus.UXL = 64");
    check_eq((ms >> 34) & 3, 2, "mstatus.SXL = 64");
    check_eq(ms & (MSTATUS_MIE | MSTATUS_SIE), 0, "interrupts disabled at reset");

    group("boot.fdt");
    const u8 *fdt = (const u8 *)boot_dtb;
    check_eq(be32(fdt), 0xd00dfeed, "fdt magic");
    check(be32(fdt + 4) >= 0x100 && be32(fdt + 4) < 0x100000, "fdt totalsize sane");
    check_eq(be32(fdt + 20), 17, "fdt version 17");
    check_eq(fdt_count_nodes(fdt, "cpu@"), 1, "one cpu node");
    check_eq(fdt_count_nodes(fdt, "memory@80000000"), 1, "memory node at 0x80000000");
    check(fdt_count_nodes(fdt, "serial@10000000") == 1 || fdt_count_nodes(fdt, "uart@10000000") == 1,
          "uart node at 0x10000000");
    check(fdt_count_nodes(fdt, "virtio_mmio@") >= 1, "virtio-mmio nodes");
    check_eq(fdt_count_nodes(fdt, "plic@c000000") + fdt_count_nodes(fdt, "interrupt-controller@c000000"), 1,
             "plic node");
    const char *isa = fdt_find_string_prop(fdt, "riscv,isa");
    check(isa && str_has_prefix(isa, "rv64ima"), "riscv,isa starts with rv64ima");
    const char *stdout_path = fdt_find_string_prop(fdt, "stdout-path");
    check(stdout_path && str_has_prefix(stdout_path, "/soc/serial@10000000"), "chosen stdout-path");

    return checks_done();
}
