package dev.rewind.replay;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * What the firmware scenarios read (the firmware itself: {@link FirmwareConsole}): a file of
 * reproducible bytes on an ext4 file system made by Debian's mkfs.ext4 from a directory and
 * converted to qcow2 by qemu-img, and the host's CRC-32 to check U-Boot's against.
 */
final class FirmwareFixtures {

    private FirmwareFixtures() {
    }

    /** The tool from PATH, or from /usr/sbin or /sbin (where mkfs lives, often not on a user's PATH); null if absent. */
    static String tool(String name) {
        List<String> dirs = new java.util.ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/sbin"));
        for (String dir : dirs) {
            File f = new File(dir, name);
            if (!dir.isEmpty() && f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }

    /** Reproducible pseudo-random bytes (the file U-Boot loads and checksums). */
    static byte[] data(int length, long seed) {
        byte[] b = new byte[length];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    static long crc32(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }

    /**
     * An ext4 image of {@code sizeMiB} holding the given files at its root, made by mkfs.ext4 -d
     * (no mounting, no root), converted to qcow2; returns the qcow2 file. Inode tables and journal
     * are zeroed here, so a Linux guest that mounts it does not zero them in its ext4lazyinit thread.
     */
    static Path ext4Qcow2(Path dir, int sizeMiB, List<Path> files) throws IOException, InterruptedException {
        Path root = dir.resolve("fsroot");
        Files.createDirectories(root);
        for (Path f : files) {
            Files.copy(f, root.resolve(f.getFileName()));
        }
        Path raw = dir.resolve("fs.ext4");
        Path qcow2 = dir.resolve("fs.qcow2");
        run(dir, tool("mkfs.ext4"), "-q", "-F", "-L", "rewind", "-U", "6e0f1d2a-0b7e-4c55-9a62-3e5f7a1b2c3d",
                "-E", "hash_seed=3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b,lazy_itable_init=0,lazy_journal_init=0", "-d",
                root.toString(), raw.toString(), sizeMiB + "M");
        run(dir, tool("qemu-img"), "convert", "-f", "raw", "-O", "qcow2", raw.toString(), qcow2.toString());
        Files.delete(raw);
        return qcow2;
    }

    private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        output(dir, cmd);
    }

    /**
     * Debian's riscv64 kernel (boot/vmlinux-*) from scripts/fetch-riscv64-packages.sh's cache
     * (REWIND_RISCV64_PACKAGES overrides where); the test is skipped without it.
     */
    static Path debianKernel() throws IOException {
        Path packages = Path.of(System.getenv().getOrDefault("REWIND_RISCV64_PACKAGES",
                System.getProperty("user.home") + "/.cache/rewind/riscv64"));
        Path root = Files.isDirectory(packages.resolve("root")) ? packages.resolve("root") : packages;
        Path kernel = null;
        if (Files.isDirectory(root.resolve("boot"))) {
            try (var s = Files.list(root.resolve("boot"))) {
                kernel = s.filter(p -> p.getFileName().toString().startsWith("vmlinux-")).findFirst().orElse(null);
            }
        }
        org.junit.Assume.assumeTrue("Debian's riscv64 kernel is not in " + packages
                + " (scripts/fetch-riscv64-packages.sh; test.sh runs it)", kernel != null);
        return kernel;
    }

    /** Runs a host tool in {@code dir}; returns its standard output, or fails with everything it printed. */
    static String output(Path dir, String... cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "tool", ".out");
        Path err = Files.createTempFile(dir, "tool", ".err");
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " failed:\n" + Files.readString(out) + Files.readString(err));
            }
            return Files.readString(out, java.nio.charset.StandardCharsets.ISO_8859_1);
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }
}
