package dev.rewind.debug.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;

/**
 * Checks, before a launch, that a program file is something Rewind can run: a readable
 * 64-bit little-endian RISC-V ELF executable. Launch dialogs show the message of the
 * returned status as is, so each message says what is wrong and what to pick instead.
 */
public final class ProgramFileCheck {

    private static final int EI_NIDENT = 16;
    private static final int ELFCLASS64 = 2;
    private static final int ELFDATA2LSB = 1;
    private static final int ET_EXEC = 2;
    private static final int EM_RISCV = 243;
    private static final int HEADER_BYTES = 20;

    private ProgramFileCheck() {
    }

    public static IStatus check(String path) {
        if (path == null || path.isBlank()) {
            return error("No program selected: choose the RISC-V ELF file to run.");
        }
        Path file = Path.of(path);
        if (!Files.exists(file)) {
            return error("Program file " + path + " does not exist.");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            return error("Program file " + path + " is not a readable file.");
        }
        byte[] header = new byte[HEADER_BYTES];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(header, 0, header.length);
        } catch (IOException e) {
            return error("Program file " + path + " cannot be read: " + e.getMessage());
        }
        if (n < 4 || header[0] != 0x7f || header[1] != 'E' || header[2] != 'L' || header[3] != 'F') {
            return error(file.getFileName() + " is not an ELF file: pick the linked program (.elf), not a source or binary image.");
        }
        if (n < HEADER_BYTES) {
            return error(file.getFileName() + " is truncated: its ELF header is incomplete.");
        }
        if (header[4] != ELFCLASS64 || header[5] != ELFDATA2LSB) {
            return error(file.getFileName() + " is not a 64-bit little-endian ELF: Rewind runs RV64 programs.");
        }
        int type = u16(header, EI_NIDENT);
        int machine = u16(header, EI_NIDENT + 2);
        if (machine != EM_RISCV) {
            return error(file.getFileName() + " is built for ELF machine " + machine
                    + ", not RISC-V (" + EM_RISCV + "): build it with riscv64-unknown-elf-gcc.");
        }
        if (type != ET_EXEC) {
            return error(file.getFileName() + " is not an executable (ELF type " + type + "): link it into a program first.");
        }
        return Status.OK_STATUS;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    private static IStatus error(String message) {
        return new Status(IStatus.ERROR, RewindDebugCore.PLUGIN_ID, message);
    }
}
