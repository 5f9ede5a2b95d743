package dev.rewind.emulator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Finds the shared guest programs (building them if needed) and assembles small test snippets. */
final class Guests {
    private Guests() {
    }

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isDirectory(p.resolve("guests")) && Files.isDirectory(p.resolve("bundles"))) {
                return p;
            }
            p = p.getParent();
        }
        throw new IllegalStateException("no repository root (with guests/ and bundles/) above " + Path.of("").toAbsolutePath());
    }

    /** guests/build/NAME.elf, built with make if missing. */
    static synchronized Path elf(String name) throws IOException, InterruptedException {
        Path root = repoRoot();
        Path elf = root.resolve("guests/build/" + name + ".elf");
        if (!Files.exists(elf)) {
            exec(root.resolve("guests"), List.of("make", "-s", "build/" + name + ".elf"));
        }
        return elf;
    }

    static synchronized Path disk() throws IOException, InterruptedException {
        Path root = repoRoot();
        Path img = root.resolve("guests/build/disk.img");
        if (!Files.exists(img)) {
            exec(root.resolve("guests"), List.of("make", "-s", "build/disk.img"));
        }
        return img;
    }

    /**
     * Assembles {@code body} (RV64IMAC assembly) placed at 0x8000_0000 as {@code _start}, with a
     * {@code pass} label that exits 0 through the finisher and a {@code fail} label that exits 1.
     */
    static ElfImage assemble(String body) throws Exception {
        return ElfImage.read(assembleFile(body, "rv64imac_zicsr_zifencei", "lp64"));
    }

    /** {@link #assemble} for the given -march/-mabi, as a file (QEMU runs it too). */
    static Path assembleFile(String body, String march, String mabi) throws Exception {
        String src = ".option norvc\n.section .text\n.globl _start\n_start:\n" + body + "\n"
                + ".option norvc\npass:\n li t6, 0x100000\n li t5, 0x5555\n sw t5, 0(t6)\n1: j 1b\n"
                + "fail:\n li t6, 0x100000\n li t5, 0x13333\n sw t5, 0(t6)\n2: j 2b\n";
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest((march + mabi + src).getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "rewind-emulator-tests");
        Files.createDirectories(dir);
        Path elf = dir.resolve(hash + ".elf");
        if (!Files.exists(elf)) {
            Path s = dir.resolve(hash + ".S");
            Path ld = dir.resolve("snippet.ld");
            Files.writeString(s, src);
            Files.writeString(ld, "ENTRY(_start)\nSECTIONS {\n . = 0x80000000;\n .text : { *(.text*) }\n"
                    + " . = ALIGN(4096);\n .data : { *(.data*) *(.sdata*) *(.bss*) }\n}\n");
            exec(dir, List.of("riscv64-unknown-elf-gcc", "-march=" + march, "-mabi=" + mabi, "-nostdlib",
                    "-Wl,--no-warn-rwx-segments", "-T", ld.toString(), "-o", elf.toString(), s.toString()));
        }
        return elf;
    }

    private static void exec(Path dir, List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        }
    }

    /** Entries before test guests' code is translated, and page exits before it is chained: their short runs go through both. */
    static final int TRANSLATE_AFTER = 32;

    /** A machine with the given program loaded, UART output collected in {@code uart}. */
    static VirtMachine machine(ElfImage elf, ByteArrayOutputStream uart) throws ElfFormatException {
        VirtMachine m = new VirtMachine(MachineConfig.builder().uartOut(uart).build());
        m.load(elf);
        m.translateAfter(TRANSLATE_AFTER);
        m.chainAfter(TRANSLATE_AFTER);
        return m;
    }
}
