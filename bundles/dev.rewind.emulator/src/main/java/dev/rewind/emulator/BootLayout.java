package dev.rewind.emulator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the boot files go and what the reset ROM hands over, computed as QEMU 7.2 virt does
 * ({@code hw/riscv/boot.c}, {@code virt_machine_done}):
 * <ul>
 * <li>firmware ({@code -bios}): an ELF at its physical addresses, else the raw file at the start
 *     of RAM; it ends at the highest address it occupies (RAM start for {@code -bios none});</li>
 * <li>kernel: an ELF at its physical addresses, its lowest one being the entry handed on;
 *     anything else at the firmware's end rounded up to 2 MiB, which is also its entry;</li>
 * <li>initrd: at kernel entry + min(RAM / 2, 128 MiB); /chosen gets linux,initrd-start/end as
 *     32-bit cells and bootargs from {@code -append};</li>
 * <li>FDT: 2 MiB aligned below the end of RAM ({@link DeviceTree#loadAddress});</li>
 * <li>reset ROM: a0 = hart id, a1 = FDT, a2 = fw_dynamic_info {next_addr = kernel entry,
 *     next_mode = S, boot_hart = 0}, jump to the start of RAM.</li>
 * <li>flash: with contents in bank 0 the ROM jumps there instead; with contents in bank 1
 *     next_addr is bank 1 (S-mode firmware such as EDK2) and no kernel is loaded.</li>
 * </ul>
 * Unlike QEMU, images that overlap or leave RAM are refused with a message naming both files
 * and their address ranges; so are kernel formats QEMU would load as raw bytes by accident
 * (another machine's ELF, compressed images, uImage, a PE file that is no RISC-V Image).
 */
final class BootLayout {

    static final long MiB = 1L << 20;
    /** QEMU's measure of its own tree when placing it (create_device_tree's buffer, before packing). */
    static final long QEMU_FDT_SIZE = 1 * MiB;
    private static final int LINUX_MAGIC2 = 0x05435352; // "RSC\x05"
    private static final long LINUX_MAGIC = 0x5643534952L; // "RISCV"

    /** Bytes at [addr, addr + data.length), zeros up to addr + memSize. */
    record Piece(String role, String file, long addr, byte[] data, long memSize) {
        long end() {
            return addr + memSize;
        }

        String describe() {
            return String.format("%s %s [0x%x, 0x%x)", role, file, addr, end());
        }
    }

    final List<Piece> pieces = new ArrayList<>();
    final long ramBase, ramSize;
    long startAddr;
    long kernelEntry;
    byte[] fdt;
    long fdtAddr;
    /** The ELF whose symbols (tohost for HTIF, debuggers) describe the run, or null. */
    ElfImage symbols;

    private BootLayout(long ramBase, long ramSize) {
        this.ramBase = ramBase;
        this.ramSize = ramSize;
    }

    /** {@code -bios none -kernel} with an ELF already in memory. */
    static BootLayout of(ElfImage program, DeviceTree.Machine machine) throws BootException {
        BootLayout l = new BootLayout(machine.ramBase(), machine.ramSize());
        l.startAddr = l.ramBase;
        l.kernelEntry = l.placeElf("kernel", "program", program);
        l.symbols = program;
        l.finish(DeviceTree.build(machine), QEMU_FDT_SIZE, null);
        return l;
    }

    static BootLayout of(BootFiles files, DeviceTree.Machine machine) throws BootException {
        BootLayout l = new BootLayout(machine.ramBase(), machine.ramSize());
        if (files.kernel() == null && files.initrd() != null) {
            throw new BootException("initrd " + files.initrd() + " given without a kernel to boot it");
        }
        if (files.kernel() == null && files.append() != null) {
            throw new BootException("a kernel command line (append) given without a kernel");
        }
        if (files.bios() == null && files.kernel() == null && !machine.pflash0()) {
            throw new BootException("nothing to boot: no firmware, no kernel and no flash bank 0");
        }
        l.startAddr = l.resetTarget(machine);
        long firmwareEnd = l.ramBase;
        ElfImage biosElf = null;
        if (files.bios() != null) {
            byte[] bios = read("bios", files.bios());
            if (isElf(bios)) {
                biosElf = parseElf("bios", files.bios(), bios);
                l.placeElf("bios", files.bios().toString(), biosElf);
                firmwareEnd = l.pieces.stream().mapToLong(Piece::end).max().getAsLong();
            } else {
                firmwareEnd = l.place(new Piece("bios", files.bios().toString(), l.ramBase, bios, bios.length)).end();
            }
        }
        ElfImage kernelElf = null;
        FdtNode tree;
        if (machine.pflash1()) {
            // QEMU 7.2 keeps S-mode firmware (EDK2) in flash bank 1: the M-mode firmware goes on
            // there, and a -kernel/-initrd would travel to it through fw_cfg, which this machine lacks.
            if (files.kernel() != null) {
                throw new BootException("kernel " + files.kernel() + " given with contents for flash bank 1: QEMU 7.2 hands"
                        + String.format(" the kernel to the firmware at 0x%x through fw_cfg, which this machine does not have",
                                CfiFlash.BASE + FlashImage.BANK_SIZE));
            }
            l.kernelEntry = CfiFlash.BASE + FlashImage.BANK_SIZE;
        } else if (files.kernel() != null) {
            long kernelStart = alignUp(firmwareEnd, 2 * MiB);
            byte[] kernel = read("kernel", files.kernel());
            String name = files.kernel().toString();
            if (isElf(kernel)) {
                kernelElf = parseElf("kernel", files.kernel(), kernel);
                l.kernelEntry = l.placeElf("kernel", name, kernelElf);
            } else {
                long footprint = kernel.length;
                ByteBuffer b = ByteBuffer.wrap(kernel).order(ByteOrder.LITTLE_ENDIAN);
                if (isLinuxImage(b)) {
                    footprint = Math.max(footprint, b.getLong(16)); // image_size: the kernel's extent, bss included
                } else {
                    refuseUnknownFormat(name, kernel, b);
                }
                l.place(new Piece("kernel", name, kernelStart, kernel, footprint));
                l.kernelEntry = kernelStart;
            }
        }
        l.symbols = kernelElf != null ? kernelElf : biosElf;
        long fdtSize;
        if (files.dtb() != null) {
            byte[] blob = read("dtb", files.dtb());
            try {
                tree = FdtNode.parse(blob);
            } catch (FdtNode.FormatException e) {
                throw new BootException("dtb " + files.dtb() + ": not a device tree blob: " + e.getMessage());
            }
            fdtSize = (blob.length + 10_000L) * 2; // QEMU's load_device_tree buffer
        } else {
            tree = DeviceTree.build(machine);
            fdtSize = QEMU_FDT_SIZE;
        }
        FdtNode chosen = tree.findOrAdd("chosen");
        if (files.initrd() != null) {
            byte[] initrd = read("initrd", files.initrd());
            long start = l.kernelEntry + Math.min(l.ramSize / 2, 128 * MiB);
            long ramEnd = l.ramBase + l.ramSize;
            if (start + initrd.length > ramEnd) {
                throw new BootException(String.format("initrd %s (%d bytes) at 0x%x does not fit in RAM [0x%x, 0x%x):"
                        + " it would end at 0x%x", files.initrd(), initrd.length, start, l.ramBase, ramEnd,
                        start + initrd.length));
            }
            l.place(new Piece("initrd", files.initrd().toString(), start, initrd, initrd.length));
            chosen.cells("linux,initrd-start", start).cells("linux,initrd-end", start + initrd.length);
        }
        if (files.append() != null && !files.append().isEmpty()) {
            chosen.str("bootargs", files.append());
        }
        l.finish(tree, fdtSize, files.dtb());
        return l;
    }

    /** QEMU 7.2 virt: a flash bank 0 with contents is where the reset ROM jumps, else the start of RAM. */
    private long resetTarget(DeviceTree.Machine machine) {
        return machine.pflash0() ? CfiFlash.BASE : ramBase;
    }

    private void finish(FdtNode tree, long fdtSize, Path dtbFile) throws BootException {
        fdt = tree.flatten();
        fdtAddr = DeviceTree.loadAddress(ramBase, ramSize, Math.max(fdtSize, fdt.length));
        place(new Piece("device tree", dtbFile != null ? dtbFile.toString() : "(generated)", fdtAddr, fdt, fdt.length));
    }

    /** Places every loadable segment; returns the lowest address (QEMU's kernel_load_base). */
    private long placeElf(String role, String name, ElfImage elf) throws BootException {
        long low = Long.MAX_VALUE;
        for (ElfImage.Segment s : elf.segments()) {
            place(new Piece(role, name, s.paddr(), s.data(), s.memSize()));
            low = Math.min(low, s.paddr());
        }
        return low;
    }

    private Piece place(Piece p) throws BootException {
        long ramEnd = ramBase + ramSize;
        if (p.addr() < ramBase || p.memSize() > ramSize || p.addr() - ramBase > ramSize - p.memSize()) {
            throw new BootException(String.format("%s lies outside RAM [0x%x, 0x%x)", p.describe(), ramBase, ramEnd));
        }
        for (Piece q : pieces) {
            if (p.addr() < q.end() && q.addr() < p.end()) {
                throw new BootException(p.describe() + " overlaps " + q.describe());
            }
        }
        pieces.add(p);
        return p;
    }

    private static byte[] read(String role, Path file) throws BootException {
        try {
            if (Files.isDirectory(file)) {
                throw new BootException(role + " " + file + ": is a directory");
            }
            byte[] b = Files.readAllBytes(file);
            if (b.length == 0) {
                throw new BootException(role + " " + file + ": empty file");
            }
            return b;
        } catch (NoSuchFileException e) {
            throw new BootException(role + " " + file + ": no such file");
        } catch (IOException e) {
            throw new BootException(role + " " + file + ": cannot read: " + e.getMessage());
        }
    }

    private static boolean isElf(byte[] b) {
        return b.length >= 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
    }

    private static ElfImage parseElf(String role, Path file, byte[] bytes) throws BootException {
        try {
            return ElfImage.parse(bytes);
        } catch (ElfFormatException e) {
            throw new BootException(role + " " + file + ": " + (role.equals("kernel") ? "unrecognised kernel format: " : "")
                    + e.getMessage());
        }
    }

    /** The RISC-V Linux Image header (Documentation/arch/riscv/boot-image-header.rst): magic at 0x30/0x38. */
    private static boolean isLinuxImage(ByteBuffer b) {
        return b.capacity() >= 64 && (b.getInt(56) == LINUX_MAGIC2 || b.getLong(48) == LINUX_MAGIC);
    }

    /** Raw binaries load as they are; these would load as raw bytes too, which is never what was meant. */
    private static void refuseUnknownFormat(String name, byte[] k, ByteBuffer b) throws BootException {
        String what = null;
        if (k.length >= 2 && (k[0] & 0xff) == 0x1f && (k[1] & 0xff) == 0x8b) {
            what = "gzip-compressed data (QEMU 7.2 does not decompress RISC-V kernels: give the uncompressed Image)";
        } else if (k.length >= 4 && b.order(ByteOrder.BIG_ENDIAN).getInt(0) == 0x27051956) {
            what = "a U-Boot legacy image (uImage), which this machine does not load: give the Image inside it";
        } else if (k.length >= 2 && k[0] == 'M' && k[1] == 'Z') {
            what = "a PE/COFF file without a RISC-V Linux Image header";
        }
        b.order(ByteOrder.LITTLE_ENDIAN);
        if (what != null) {
            throw new BootException("kernel " + name + ": unrecognised kernel format: " + what
                    + "; expected a RISC-V ELF, a RISC-V Linux Image or a raw binary");
        }
    }

    static long alignUp(long v, long align) {
        return (v + align - 1) & -align;
    }
}
