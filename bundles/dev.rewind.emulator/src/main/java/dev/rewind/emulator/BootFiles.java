package dev.rewind.emulator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a machine boots, as QEMU's {@code -bios}, {@code -kernel}, {@code -initrd},
 * {@code -append} and {@code -dtb} name it. {@code bios == null} is {@code -bios none}: the
 * reset ROM jumps straight to the start of RAM, where the kernel then has to be.
 *
 * @param bios   firmware at the start of RAM (ELF, or a raw binary), or null for none
 * @param kernel the payload (ELF, RISC-V Linux Image or raw binary), or null
 * @param initrd an initial ramdisk (needs a kernel), or null
 * @param append the kernel command line for /chosen/bootargs (needs a kernel), or null
 * @param dtb    a device tree blob to pass instead of the machine's own, or null
 * @param pflash the flash banks' files in unit order, as QEMU's {@code -pflash FILE} given once per
 *               bank (a null entry: that bank has no file); at most {@link MachineConfig#PFLASH_BANKS}
 */
public record BootFiles(Path bios, Path kernel, Path initrd, String append, Path dtb, List<Path> pflash) {

    public BootFiles {
        if (pflash == null) {
            pflash = List.of();
        } else if (pflash.size() > MachineConfig.PFLASH_BANKS) {
            throw new IllegalArgumentException("the virt machine has " + MachineConfig.PFLASH_BANKS + " flash banks, got "
                    + pflash.size() + " files");
        } else {
            pflash = java.util.Collections.unmodifiableList(new ArrayList<>(pflash));
        }
    }

    /** Boot files without flash contents. */
    public BootFiles(Path bios, Path kernel, Path initrd, String append, Path dtb) {
        this(bios, kernel, initrd, append, dtb, List.of());
    }

    /** The same boot with these flash bank files (see {@link #pflash()}). */
    public BootFiles withPflash(List<Path> banks) {
        return new BootFiles(bios, kernel, initrd, append, dtb, banks);
    }

    /** The classic {@code rewind run PROG.elf}: QEMU's {@code -bios none -kernel PROG.elf}. */
    public static BootFiles program(Path elf) {
        return new BootFiles(null, elf, null, null, null);
    }

    /**
     * The files with their roles ("bios", "kernel", "initrd", "dtb", "pflash0", "pflash1") in that
     * order; absent ones are left out.
     */
    public List<Map.Entry<String, Path>> files() {
        List<Map.Entry<String, Path>> out = new ArrayList<>();
        add(out, "bios", bios);
        add(out, "kernel", kernel);
        add(out, "initrd", initrd);
        add(out, "dtb", dtb);
        for (int unit = 0; unit < pflash.size(); unit++) {
            add(out, "pflash" + unit, pflash.get(unit));
        }
        return out;
    }

    private static void add(List<Map.Entry<String, Path>> out, String role, Path p) {
        if (p != null) {
            out.add(Map.entry(role, p));
        }
    }

    /**
     * The file whose symbols describe the run best: the kernel, else the firmware, else the file
     * of flash bank 0 (firmware run from flash); null if none.
     */
    public Path program() {
        return kernel != null ? kernel : bios != null ? bios : pflash.isEmpty() ? null : pflash.get(0);
    }
}
