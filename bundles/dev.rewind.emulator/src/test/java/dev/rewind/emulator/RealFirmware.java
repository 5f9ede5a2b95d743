package dev.rewind.emulator;

import static org.junit.Assume.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Debian's firmware packages as test.sh installs them (opensbi, u-boot-qemu); tests skip where they are missing. */
final class RealFirmware {

    static final Path OPENSBI = Path.of("/usr/lib/riscv64-linux-gnu/opensbi/generic");
    static final Path FW_JUMP_ELF = OPENSBI.resolve("fw_jump.elf");
    static final Path FW_DYNAMIC_BIN = OPENSBI.resolve("fw_dynamic.bin");
    static final Path UBOOT_M_ELF = Path.of("/usr/lib/u-boot/qemu-riscv64/uboot.elf");
    static final Path UBOOT_S_BIN = Path.of("/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin");

    private RealFirmware() {
    }

    /** The file, or the test is skipped (test.sh installs the packages; a bare machine may not have them). */
    static Path require(Path file) {
        assumeTrue(file + " is not installed (apt-get install opensbi u-boot-qemu)", Files.isRegularFile(file));
        return file;
    }
}
