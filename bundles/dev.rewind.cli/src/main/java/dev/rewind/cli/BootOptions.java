package dev.rewind.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.rewind.emulator.BootException;
import dev.rewind.emulator.BootFiles;
import dev.rewind.emulator.ElfFormatException;
import dev.rewind.emulator.ElfImage;
import dev.rewind.emulator.FlashImage;
import dev.rewind.emulator.MachineConfig;
import dev.rewind.emulator.RtcConfig;
import dev.rewind.emulator.VirtMachine;

/**
 * The boot options of {@code run}, {@code record} and {@code gdbserver}, named as QEMU names
 * them: {@code --bios FILE|none|default}, {@code --kernel}, {@code --initrd}, {@code --append},
 * {@code --dtb}, {@code --dumpdtb}. A positional {@code PROG.elf} is QEMU's
 * {@code -bios none -kernel PROG.elf}; {@code --kernel} without {@code --bios} boots QEMU's
 * own OpenSBI first, as QEMU 7.2 does.
 */
final class BootOptions {

    /** The boot options, and {@code --smp} and {@code --rtc}: every verb that boots a machine takes them too. */
    static final Set<String> WITH_VALUE = Set.of("--bios", "--kernel", "--initrd", "--append", "--dtb", "--dumpdtb",
            "--pflash", "--smp", "--rtc");

    /** Where QEMU's data package keeps the OpenSBI that {@code -bios default} loads. */
    static final List<Path> QEMU_OPENSBI = List.of(
            Path.of("/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin"),
            Path.of("/usr/local/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin"));

    static final String USAGE =
              "  --bios FILE|none|default  firmware at the start of RAM (ELF, or raw binary); default: QEMU's\n"
            + "                 OpenSBI with --kernel, none with PROG.elf\n"
            + "  --kernel FILE  payload: ELF, RISC-V Linux Image or raw binary (at the firmware's end, 2 MiB aligned)\n"
            + "  --initrd FILE  initial ramdisk (at kernel + min(RAM/2, 128M); /chosen/linux,initrd-start/end)\n"
            + "  --append ARGS  kernel command line (/chosen/bootargs)\n"
            + "  --dtb FILE     device tree blob to pass instead of the machine's own\n"
            + "  --dumpdtb FILE write the device tree the guest would get to FILE and exit\n"
            + "  --pflash FILE|none  contents of a CFI flash bank (raw, 32 MiB), once per bank: bank 0 at 0x20000000\n"
            + "                 (the reset ROM then jumps there), bank 1 at 0x22000000; none leaves a bank without a file.\n"
            + "                 run writes the guest's program/erase back to the file as QEMU does; record and replay\n"
            + "                 never write it (the recording names it with its SHA-256)\n"
            + "  --smp N        harts, 1 to 8 (default 1), as QEMU's -smp N; they take turns deterministically\n"
            + "  --rtc [base=utc|localtime|DATETIME][,clock=host|vm]  the goldfish RTC, as QEMU's -rtc (default\n"
            + "                 base=utc,clock=host: the host's time, logged when recording). base=2026-01-01T00:00:00,clock=vm\n"
            + "                 starts it there and moves it with virtual time: recordings of the same input are identical";

    private BootOptions() {
    }

    /** The option names of a verb plus the boot options. */
    static Set<String> withValue(String... own) {
        Set<String> all = new HashSet<>(Set.of(own));
        all.addAll(WITH_VALUE);
        return all;
    }

    /** The boot files the options name; checks what can be checked before a machine exists. */
    static BootFiles parse(Args a) throws CliException {
        String positional = a.positional().isEmpty() ? null : a.onlyPositional("program (an RV64 ELF file)");
        if (positional != null && a.has("--kernel")) {
            throw new CliException("give the program either as PROG.elf or as --kernel FILE, not both");
        }
        if (positional == null && !a.has("--kernel") && !a.has("--bios")) {
            throw new CliException("missing program (an RV64 ELF file), or --bios/--kernel FILE");
        }
        Path kernel = positional != null ? Path.of(positional) : path(a, "--kernel");
        if (positional != null) {
            requireElf(kernel);
        }
        Path bios;
        String b = a.value("--bios", positional != null || !a.has("--kernel") ? "none" : "default");
        if (b.equals("none")) {
            bios = null;
        } else if (b.equals("default")) {
            bios = QEMU_OPENSBI.stream().filter(Files::isRegularFile).findFirst().orElseThrow(() -> new CliException(
                    "--bios default: QEMU's OpenSBI (" + QEMU_OPENSBI.get(0) + ", Debian package qemu-system-data) is not"
                    + " installed; give --bios FILE or --bios none"));
        } else {
            bios = Path.of(b);
        }
        return new BootFiles(bios, kernel, path(a, "--initrd"), a.value("--append", null), path(a, "--dtb"), pflash(a));
    }

    /** {@code --pflash FILE|none}, once per bank as QEMU's {@code -pflash}. */
    private static List<Path> pflash(Args a) throws CliException {
        List<String> given = a.values("--pflash");
        if (given.size() > MachineConfig.PFLASH_BANKS) {
            throw new CliException("--pflash given " + given.size() + " times: the virt machine has "
                    + MachineConfig.PFLASH_BANKS + " flash banks");
        }
        List<Path> banks = new java.util.ArrayList<>();
        for (String f : given) {
            Path p = f.equals("none") ? null : Path.of(f);
            if (p != null && !Files.isRegularFile(p)) {
                throw new CliException("pflash " + p + " does not exist");
            }
            banks.add(p);
        }
        return banks;
    }

    /**
     * The flash images of a live run ({@code run}, live {@code gdbserver}): the guest's writes go
     * back to the files, as on QEMU. The caller closes them ({@link FlashImage#closeAll}).
     */
    static FlashImage[] liveFlash(BootFiles boot) throws CliException {
        try {
            return FlashImage.banks(boot.pflash(), true);
        } catch (IOException e) {
            throw new CliException(e.getMessage());
        }
    }

    /** {@code --smp N}: 1 to {@value MachineConfig#MAX_HARTS} harts, 1 if absent. */
    static int harts(Args a) throws CliException {
        return a.integer("--smp", 1, 1, MachineConfig.MAX_HARTS);
    }

    /** {@code --rtc ...}: QEMU's -rtc syntax; QEMU's default (utc, host clock) if absent. */
    static RtcConfig rtc(Args a) throws CliException {
        String v = a.value("--rtc", null);
        try {
            return v == null ? RtcConfig.DEFAULT : RtcConfig.parse(v);
        } catch (IllegalArgumentException e) {
            throw new CliException("--rtc " + v + ": " + e.getMessage().replaceFirst("^-rtc:? ?", ""));
        }
    }

    /**
     * {@code --rtc} given to a replay: the recording decides the RTC, so another setting is refused naming it;
     * {@code opened} is closed then.
     */
    static void requireRecordedRtc(Args a, String recorded, AutoCloseable... opened) throws Exception {
        RtcConfig r = recorded == null ? RtcConfig.DEFAULT : RtcConfig.parse(recorded);
        if (a.has("--rtc") && !rtc(a).equals(r)) {
            for (AutoCloseable c : opened) {
                c.close();
            }
            throw new CliException("RTC (--rtc): the recording used " + r.text() + ", --rtc asks for " + rtc(a).text()
                    + " (a replay runs on the recorded machine; drop --rtc)");
        }
    }

    /**
     * {@code --smp N} given to a replay: the recording decides the machine, so a different count is
     * refused naming the setting (without {@code --smp} the recorded count is used); {@code opened}
     * (the session and its recording) is closed then.
     */
    static void requireRecordedHarts(Args a, int recorded, AutoCloseable... opened) throws Exception {
        if (a.has("--smp") && harts(a) != recorded) {
            for (AutoCloseable c : opened) {
                c.close();
            }
            throw new CliException("harts (--smp): the recording used " + recorded + ", --smp asks for " + harts(a)
                    + " (a replay runs on the recorded machine; drop --smp)");
        }
    }

    private static Path path(Args a, String option) {
        String v = a.value(option, null);
        return v == null ? null : Path.of(v);
    }

    /** {@code rewind run PROG.elf} takes an ELF, as it always did: a raw binary needs {@code --kernel}. */
    private static void requireElf(Path program) throws CliException {
        if (!Files.isRegularFile(program)) {
            throw new CliException("program " + program + " does not exist");
        }
        try {
            ElfImage.read(program);
        } catch (ElfFormatException e) {
            throw new CliException(program + ": " + e.getMessage()
                    + (e.getMessage().contains("not an ELF") ? " (a raw binary boots with --bios none --kernel FILE)" : ""));
        } catch (IOException e) {
            throw new CliException("cannot read program " + program + ": " + e.getMessage());
        }
    }

    /**
     * {@code --dumpdtb FILE}: boots the files on a machine of that RAM size (nothing runs) and
     * writes the device tree it placed. Returns false when the option is absent.
     */
    static boolean dumpDtb(Args a, BootFiles boot, long ramSize, Console console, String verb) throws CliException {
        Path out = path(a, "--dumpdtb");
        if (out == null) {
            return false;
        }
        VirtMachine m;
        try {
            // Banks with files change where the boot goes (QEMU 7.2), so they are read here too.
            m = new VirtMachine(MachineConfig.builder().ramSize(ramSize).harts(harts(a)).pflash(FlashImage.banks(boot.pflash(), false)).build());
            m.boot(boot);
        } catch (IllegalArgumentException | BootException | IOException e) {
            throw new CliException(e.getMessage());
        }
        byte[] dtb = m.deviceTree();
        try {
            Files.write(out, dtb);
        } catch (IOException e) {
            throw new CliException("cannot write the device tree to " + out + ": " + e.getMessage());
        }
        console.err().println("rewind " + verb + ": device tree (" + dtb.length + " bytes) written to " + out);
        return true;
    }
}
