/* pflash: the two CFI flash banks of virt (0x2000_0000 and 0x2200_0000, 32 MiB each, two x16
 * devices per 32-bit bank, 256 KiB sectors, Intel command set), as QEMU 7.2's pflash_cfi01:
 * CFI query and identifier reads, status register, program, block erase, write to buffer
 * (confirmed, aborted, out of range), lock commands, 1/2/4/8-byte accesses in each mode.
 * Without a -pflash file both banks start all zero and take writes; bank 1 may come from a
 * file (its starting contents are only printed, as sums, and the file is changed at 8 and at
 * its last word). Sums are printed, not checked: the differential test compares them with QEMU. */
#include "rt.h"

#define BANK0 0x20000000UL
#define BANK1 0x22000000UL
#define SECTOR (256UL << 10)

static void cmd(u64 a, u32 c) { mmio_w32(a, c); }
static u32 r32(u64 a) { return mmio_r32(a); }
static u16 r16(u64 a) { return *(volatile u16 *)a; }
static u8 r8(u64 a) { return mmio_r8(a); }
static void w16(u64 a, u16 v) { *(volatile u16 *)a = v; }

/* Prints a hash of n 32-bit words, read in whatever mode the bank is in. */
static void sum32(const char *what, u64 a, u64 n)
{
    u64 s = 0;
    for (u64 i = 0; i < n; i++) {
        s = s * 31 + r32(a + 4 * i);
    }
    uart_puts("  sum ");
    uart_puts(what);
    uart_puts(": ");
    uart_puthex(s);
    uart_putc('\n');
}

int main(void)
{
    uart_puts("pflash: CFI flash banks\n");

    group("pflash.initial");
    check_eq(mmio_r64(BANK0), 0, "bank 0 starts zero");
    check_eq(r32(BANK0 + SECTOR * 127 + 0x3fffc), 0, "last word of bank 0");
    sum32("bank 1, first 64 KiB", BANK1, 0x4000);
    sum32("bank 1, last 4 KiB", BANK1 + 0x1fff000, 0x400);

    group("pflash.query");
    cmd(BANK0, 0x98);
    check_eq(r32(BANK0 + 0x10 * 4), 0x00510051, "Q in both devices");
    check_eq(r32(BANK0 + 0x11 * 4), 0x00520052, "R");
    check_eq(r32(BANK0 + 0x12 * 4), 0x00590059, "Y");
    check_eq(r32(BANK0 + 0x13 * 4), 0x00010001, "primary command set 1 (Intel)");
    check_eq(r32(BANK0 + 0x27 * 4), 0x00180018, "device size 2^24");
    check_eq(r32(BANK0 + 0x2a * 4), 0x000b000b, "write buffer 2^11 per device");
    check_eq(r32(BANK0 + 0x2d * 4), 0x007f007f, "128 blocks");
    check_eq(r32(BANK0 + 0x30 * 4), 0x00020002, "block size 128 KiB per device");
    check_eq(r8(BANK0 + 0x31 * 4), 'P', "byte read of the table");
    check_eq(r16(BANK0 + 0x32 * 4), 'R', "halfword read of the table");
    check_eq(mmio_r64(BANK0 + 0x33 * 4), 0x0031003100490049UL, "8-byte read is two entries");
    check_eq(r32(BANK0 + 0x52 * 4), 0, "past the table");
    sum32("query table", BANK0, 0x60);
    cmd(BANK0, 0x00);  /* anything but 0xff stays in query mode */
    check_eq(r32(BANK0 + 0x10 * 4), 0x00510051, "still in query mode");
    cmd(BANK0, 0xff);
    check_eq(r32(BANK0 + 0x10 * 4), 0, "read array again");

    group("pflash.identifier");
    cmd(BANK0, 0x90);
    check_eq(r32(BANK0), 0x00890089, "manufacturer");
    check_eq(r32(BANK0 + 4), 0x00180018, "device");
    check_eq(r32(BANK0 + 8), 0, "lock status not emulated");
    check_eq(r32(BANK0 + 0x400), 0x00890089, "repeats every 256 entries");
    check_eq(mmio_r64(BANK0), 0x0018001800890089UL, "8-byte identifier read");
    cmd(BANK0, 0xf0);
    check_eq(r32(BANK0), 0, "0xf0 returns to read array");

    group("pflash.program");
    cmd(BANK0 + 0x100, 0x40);
    mmio_w32(BANK0 + 0x100, 0xdeadbeef);
    check_eq(r32(BANK0 + 0x100), 0x00800080, "status after program (ready, both devices)");
    check_eq(r16(BANK0 + 0x100), 0x80, "status halfword");
    check_eq(r8(BANK0 + 0x102), 0x80, "status byte");
    cmd(BANK0, 0x70);
    check_eq(r32(BANK0 + 0x40000), 0x00800080, "read status command");
    cmd(BANK0, 0xff);
    check_eq(r32(BANK0 + 0x100), 0xdeadbeef, "programmed word");
    cmd(BANK0 + 0x104, 0x10);
    mmio_w8(BANK0 + 0x105, 0x5a);
    cmd(BANK0, 0xff);
    check_eq(r32(BANK0 + 0x104), 0x00005a00, "programmed byte");
    cmd(BANK0 + 0x100, 0x40);
    mmio_w32(BANK0 + 0x100, 0x12345678);
    cmd(BANK0, 0xff);
    check_eq(r32(BANK0 + 0x100), 0x12345678, "program overwrites (bits are not AND-ed)");
    mmio_w64(BANK0 + 0x200, 0x0000000100000040UL); /* program command, then 1 = data */
    cmd(BANK0, 0xff);
    check_eq(mmio_r64(BANK0 + 0x200), 0x0000000100000000UL, "8-byte store: command half, then data half");

    group("pflash.erase");
    cmd(BANK0 + SECTOR + 0x1234, 0x20);
    check_eq(r32(BANK0 + SECTOR), 0x00800080, "status while waiting for confirm");
    cmd(BANK0 + SECTOR + 0x1234, 0xd0);
    check_eq(r32(BANK0), 0x00800080, "status after erase");
    cmd(BANK0, 0xff);
    check_eq(r32(BANK0 + SECTOR), 0xffffffff, "sector start erased");
    check_eq(r32(BANK0 + 2 * SECTOR - 4), 0xffffffff, "sector end erased");
    check_eq(r32(BANK0 + 2 * SECTOR), 0, "next sector untouched");
    check_eq(r32(BANK0 + 0x100), 0x12345678, "previous sector untouched");
    cmd(BANK0 + 3 * SECTOR, 0x20);
    cmd(BANK0 + 3 * SECTOR, 0x55); /* wrong confirm: back to read array, but erased already */
    check_eq(r32(BANK0 + 3 * SECTOR), 0xffffffff, "erase happens at the command, not the confirm");

    group("pflash.buffered-write");
    cmd(BANK0 + SECTOR + 0x10, 0xe8);
    check_eq(r32(BANK0 + SECTOR), 0x00800080, "status after write-to-buffer");
    mmio_w32(BANK0 + SECTOR + 0x10, 3); /* 4 words follow */
    mmio_w32(BANK0 + SECTOR + 0x10, 0x11111111);
    mmio_w32(BANK0 + SECTOR + 0x14, 0x22222222);
    w16(BANK0 + SECTOR + 0x18, 0x3333);
    mmio_w32(BANK0 + SECTOR + 0x20, 0x44444444);
    cmd(BANK0 + SECTOR, 0xff);
    check_eq(r32(BANK0 + SECTOR + 0x10), 0xffffffff, "nothing written before the confirm");
    cmd(BANK0 + SECTOR + 0x10, 0xe8);
    mmio_w32(BANK0 + SECTOR + 0x10, 3);
    mmio_w32(BANK0 + SECTOR + 0x10, 0x11111111);
    mmio_w32(BANK0 + SECTOR + 0x14, 0x22222222);
    w16(BANK0 + SECTOR + 0x18, 0x3333);
    mmio_w32(BANK0 + SECTOR + 0x20, 0x44444444);
    cmd(BANK0 + SECTOR, 0xd0);
    check_eq(r32(BANK0 + SECTOR), 0x00800080, "status after confirm");
    cmd(BANK0, 0xff);
    check_eq(r32(BANK0 + SECTOR + 0x10), 0x11111111, "buffer word 0");
    check_eq(r32(BANK0 + SECTOR + 0x14), 0x22222222, "buffer word 1");
    check_eq(r32(BANK0 + SECTOR + 0x18), 0xffff3333, "buffer halfword");
    check_eq(r32(BANK0 + SECTOR + 0x20), 0x44444444, "buffer word 3");
    check_eq(r32(BANK0 + SECTOR + 0x24), 0xffffffff, "after the buffer");
    cmd(BANK0 + SECTOR + 0x2000, 0xe8);
    mmio_w32(BANK0 + SECTOR + 0x2000, 0);
    mmio_w32(BANK0 + SECTOR + 0x3000, 0x99999999); /* outside the 4 KiB block */
    check_eq(r32(BANK0 + SECTOR), 0x00900090, "program error status");
    cmd(BANK0 + SECTOR, 0xd0);
    cmd(BANK0, 0xff);
    check_eq(r32(BANK0 + SECTOR + 0x3000), 0xffffffff, "out-of-block write dropped");
    cmd(BANK0, 0x70);
    check_eq(r32(BANK0), 0x00900090, "error bit stays");
    cmd(BANK0, 0x50);
    check_eq(r32(BANK0), 0, "clear status returns to read array");
    cmd(BANK0, 0x70);
    check_eq(r32(BANK0), 0, "status cleared (ready bit too)");
    cmd(BANK0 + SECTOR + 0x3000, 0xe8);
    mmio_w32(BANK0 + SECTOR + 0x3000, 0x10000); /* count is one device wide: 0 */
    mmio_w32(BANK0 + SECTOR + 0x3000, 0xabcdef01);
    cmd(BANK0 + SECTOR + 0x3000, 0xd0);
    cmd(BANK0, 0xff);
    check_eq(r32(BANK0 + SECTOR + 0x3000), 0xabcdef01, "one-word buffer");
    sum32("first 16 KiB of sector 1", BANK0 + SECTOR, 0x1000);

    group("pflash.lock");
    cmd(BANK0, 0x60);
    cmd(BANK0, 0xd0);
    check_eq(r32(BANK0), 0x00800080, "unlock confirm: status");
    cmd(BANK0, 0x60);
    cmd(BANK0, 0x01);
    cmd(BANK0, 0x60);
    cmd(BANK0, 0x77);
    check_eq(r32(BANK0 + 0x100), 0x12345678, "unknown lock command: read array");

    group("pflash.bank1");
    cmd(BANK1 + 8, 0x40);
    mmio_w32(BANK1 + 8, 0xcafef00d);
    cmd(BANK0, 0x90);
    check_eq(r32(BANK1 + 8), 0x00800080, "bank 1 keeps its own mode");
    check_eq(r32(BANK0), 0x00890089, "bank 0 in identifier mode");
    cmd(BANK1, 0xff);
    cmd(BANK0, 0xff);
    check_eq(r32(BANK1 + 8), 0xcafef00d, "bank 1 programmed");
    check_eq(r32(BANK0 + 8), 0, "bank 0 unchanged there");
    cmd(BANK1 + 0x1fffffc, 0x40);
    mmio_w32(BANK1 + 0x1fffffc, 0x600df00d);
    cmd(BANK1, 0xff);
    check_eq(r32(BANK1 + 0x1fffffc), 0x600df00d, "last word of bank 1");

    group("pflash.unknown-command");
    cmd(BANK0, 0x70);
    cmd(BANK0, 0x42);
    check_eq(r32(BANK0 + 0x100), 0x12345678, "unknown command: read array");
    return checks_done();
}
