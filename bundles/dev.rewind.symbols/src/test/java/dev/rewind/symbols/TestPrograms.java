package dev.rewind.symbols;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds the C test programs in {@code src/test/resources/symbols} with the real RISC-V gcc
 * (once per JVM, into a temporary directory) and runs the GNU tools the tests compare with.
 */
final class TestPrograms {
    static final String[] SOURCES = {"main.c", "calc.c", "list.c"};

    /**
     * A build variant: optimisation level, DWARF version, whether it is linked to run under
     * QEMU, and whether it has unwind tables (.eh_frame instead of .debug_frame).
     */
    record Variant(int opt, int dwarf, boolean qemu, boolean eh) {
        Variant(int opt, int dwarf, boolean qemu) {
            this(opt, dwarf, qemu, false);
        }

        String fileName() {
            return (qemu ? "qemu" : "plain") + "-O" + opt + "-dwarf" + dwarf + (eh ? "-eh" : "") + ".elf";
        }

        @Override
        public String toString() {
            return fileName();
        }
    }

    static final List<Variant> PLAIN = List.of(new Variant(0, 4, false), new Variant(0, 5, false),
            new Variant(1, 4, false), new Variant(1, 5, false));

    private static Path buildDir;
    private static final Map<String, Path> BUILT = new TreeMap<>();

    private TestPrograms() {
    }

    static synchronized Path dir() throws IOException {
        if (buildDir == null) {
            buildDir = Files.createTempDirectory("rewind-symbols-");
            Path res = repoRoot().resolve("bundles/dev.rewind.symbols/src/test/resources/symbols");
            try (Stream<Path> files = Files.list(res)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.copy(p, buildDir.resolve(p.getFileName()));
                }
            }
            Path root = buildDir;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
        }
        return buildDir;
    }

    static synchronized Path build(Variant v) throws IOException, InterruptedException {
        Path out = BUILT.get(v.fileName());
        if (out != null) {
            return out;
        }
        Path d = dir();
        List<String> cmd = new ArrayList<>(List.of("riscv64-unknown-elf-gcc", "-march=rv64imac_zicsr", "-mabi=lp64",
                "-mcmodel=medany", "-nostdlib", "-ffreestanding", "-g", "-gdwarf-" + v.dwarf(), "-O" + v.opt()));
        if (v.eh()) {
            cmd.add("-fasynchronous-unwind-tables");
        }
        if (v.qemu()) {
            cmd.addAll(List.of("-T", "qemu.ld", "crt.S"));
        } else {
            cmd.add("-Wl,-e,main");
        }
        cmd.addAll(Arrays.asList(SOURCES));
        cmd.addAll(List.of("-o", v.fileName()));
        run(d, cmd);
        out = d.resolve(v.fileName());
        BUILT.put(v.fileName(), out);
        return out;
    }

    /** Runs a command in {@code dir}, returning stdout; fails on a non-zero exit or a timeout. */
    static String run(Path dir, List<String> cmd) throws IOException, InterruptedException {
        return run(dir, cmd, true);
    }

    /** As {@link #run(Path, List)}; with {@code checkExit} false a non-zero exit is not an error. */
    static String run(Path dir, List<String> cmd, boolean checkExit) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        pb.redirectError(err.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        String stderr = Files.readString(err);
        Files.deleteIfExists(err);
        if (checkExit && p.exitValue() != 0) {
            throw new IOException("exit " + p.exitValue() + " from " + cmd + ":\n" + stderr);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static Path repoRoot() {
        // The reactor passes the root as rewind.root; otherwise walk up from the working directory.
        String configured = System.getProperty("rewind.root");
        if (configured != null && !configured.isEmpty() && Files.isDirectory(Paths.get(configured, "guests"))) {
            return Paths.get(configured).toAbsolutePath();
        }
        Path p = Paths.get("").toAbsolutePath();
        while (p != null) {
            if (Files.isDirectory(p.resolve("guests")) && Files.isDirectory(p.resolve("bundles"))) {
                return p;
            }
            p = p.getParent();
        }
        throw new IllegalStateException("no repository root (with guests/ and bundles/) above "
                + Paths.get("").toAbsolutePath());
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp directory left behind is harmless
        }
    }
}
