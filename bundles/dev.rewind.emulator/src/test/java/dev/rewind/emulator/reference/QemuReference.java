package dev.rewind.emulator.reference;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The reference machine for differential tests: Debian's qemu-system-riscv64 7.2 running
 * a guest ELF on the virt board without firmware, exactly as
 * {@code qemu-system-riscv64 -M virt -bios none -kernel prog.elf}.
 * <ul>
 * <li>{@link #trace} — per-instruction pc and registers ({@code -singlestep -d exec,cpu,nochain}),
 * read from QEMU's stderr pipe and stopped after a bound, so nothing big touches the disk;</li>
 * <li>{@link #run} — a whole run: UART output and exit code (finisher);</li>
 * <li>{@link #icountAtExit} — QEMU's instruction count when the guest exits.</li>
 * </ul>
 * Guests come from {@code guests/} and are rebuilt with make when missing or stale.
 * Test-only code: uses wall-clock timeouts and host processes freely.
 */
public final class QemuReference {
    public static final String QEMU = "qemu-system-riscv64";
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    /**
     * Extra arguments that make QEMU's hart RV64IMAC + S/U, for tests of QEMU itself (Rewind's hart
     * is RV64IMAFDC): the default 7.2 cpu also has F, D and H, which show in misa
     * (0x80000000001411ad instead of 0x8000000000141105), in mideleg (H hardwires VS bits 0x1444)
     * and in the device tree's riscv,isa string. (It keeps zba/zbb/zbc/zbs and sstc; no guest here
     * uses them.)
     */
    public static final List<String> RV64IMAC_CPU = List.of("-cpu", "rv64,f=off,d=off,h=off");
    /** QEMU's hart as RV64GC + S/U like Rewind's: the default 7.2 cpu without H. */
    public static final List<String> RV64GC_CPU = List.of("-cpu", "rv64,h=off");
    private static final Pattern ICOUNT = Pattern.compile("instruction count = (\\d+)");

    private final Path repoRoot;

    /** Reference rooted at the repository found by walking up from the working directory. */
    public QemuReference() {
        this(findRepoRoot(Path.of("").toAbsolutePath()));
    }

    public QemuReference(Path repoRoot) {
        this.repoRoot = repoRoot;
    }

    /** The nearest directory at or above start that contains both guests/ and bundles/. */
    public static Path findRepoRoot(Path start) {
        for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("guests")) && Files.isDirectory(p.resolve("bundles"))) {
                return p;
            }
        }
        throw new QemuReferenceException("no directory containing guests/ and bundles/ above " + start);
    }

    public Path repoRoot() {
        return repoRoot;
    }

    /** True when qemu-system-riscv64 can be started from PATH. */
    public static boolean qemuAvailable() {
        try {
            Process p = new ProcessBuilder(QEMU, "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** guests/build/NAME.elf, built by make first if it is missing or older than the guest sources. */
    public Path guest(String name) {
        return built("build/" + name + ".elf");
    }

    /** The raw disk image the blk guest expects (guests/build/disk.img, made by tools/mkdisk.sh). */
    public Path diskImage() {
        return built("build/disk.img");
    }

    private Path built(String target) {
        Path guests = repoRoot.resolve("guests");
        Path file = guests.resolve(target);
        if (Files.exists(file) && !olderThanSources(file, guests)) {
            return file;
        }
        List<String> cmd = List.of("make", "-C", guests.toString(), "-s", target);
        ProcessResult r = execute(cmd, null, Duration.ofSeconds(300));
        if (r.exitCode != 0 || !Files.exists(file)) {
            throw new QemuReferenceException("'" + String.join(" ", cmd) + "' failed (exit " + r.exitCode + "):\n"
                    + r.all());
        }
        return file;
    }

    private static boolean olderThanSources(Path file, Path guests) {
        try {
            FileTime built = Files.getLastModifiedTime(file);
            List<Path> sources = new ArrayList<>();
            sources.add(guests.resolve("Makefile"));
            for (String dir : new String[] {"src", "lib", "tools"}) {
                if (Files.isDirectory(guests.resolve(dir))) {
                    try (Stream<Path> s = Files.walk(guests.resolve(dir))) {
                        s.filter(Files::isRegularFile).forEach(sources::add);
                    }
                }
            }
            for (Path s : sources) {
                if (Files.getLastModifiedTime(s).compareTo(built) > 0) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * Arguments that attach a raw image as the virtio-mmio block device at 0x10001000 (modern v2).
     * The image is opened with snapshot=on (writes go to a temporary overlay, the file stays as it
     * was) through QEMU's blkreplay filter, so the same arguments work for plain runs, record and replay.
     */
    public static List<String> virtioBlkArgs(Path rawImage) {
        return List.of("-global", "virtio-mmio.force-legacy=false",
                "-drive", "file=" + rawImage.toAbsolutePath() + ",if=none,format=raw,snapshot=on,id=img-direct",
                "-drive", "driver=blkreplay,if=none,image=img-direct,id=img-blkreplay",
                "-device", "virtio-blk-device,drive=img-blkreplay,bus=virtio-mmio-bus.0");
    }

    /** The flattened device tree QEMU builds for the virt machine with these arguments (-machine dumpdtb). */
    public byte[] deviceTree(List<String> extraArgs) {
        Path dir = tempDir();
        try {
            Path dtb = dir.resolve("virt.dtb");
            List<String> cmd = new ArrayList<>(List.of(QEMU, "-M", "virt", "-bios", "none", "-display", "none",
                    "-monitor", "none", "-serial", "null", "-machine", "dumpdtb=" + dtb));
            cmd.addAll(extraArgs);
            ProcessResult r = execute(cmd, null, DEFAULT_TIMEOUT);
            if (r.exitCode != 0 || !Files.exists(dtb)) {
                throw new QemuReferenceException("QEMU did not dump its device tree (exit " + r.exitCode + "):\n"
                        + r.all());
            }
            byte[] blob = Files.readAllBytes(dtb);
            // QEMU dumps its whole FDT buffer (1 MiB); keep the totalsize bytes the header declares.
            int totalsize = blob.length >= 8 ? java.nio.ByteBuffer.wrap(blob).getInt(4) : -1;
            if (blob.length < 8 || java.nio.ByteBuffer.wrap(blob).getInt(0) != 0xd00dfeed
                    || totalsize < 8 || totalsize > blob.length) {
                throw new QemuReferenceException("QEMU's device tree dump is not a flattened device tree");
            }
            return java.util.Arrays.copyOf(blob, totalsize);
        } catch (IOException e) {
            throw new QemuReferenceException("cannot read QEMU's device tree: " + e.getMessage(), e);
        } finally {
            deleteTree(dir);
        }
    }

    // ---------------------------------------------------------------- whole runs

    /** Runs the guest to its exit; no UART input. */
    public QemuRun run(Path elf) {
        return run(elf, new byte[0], List.of(), DEFAULT_TIMEOUT);
    }

    /**
     * Runs the guest to its exit with the given bytes available on the UART's input
     * (QEMU feeds them as the guest's receiver accepts them).
     */
    public QemuRun run(Path elf, byte[] uartInput, List<String> extraArgs, Duration timeout) {
        checkElf(elf);
        List<String> args = new ArrayList<>(List.of("-bios", "none"));
        args.addAll(extraArgs);
        args.addAll(List.of("-kernel", elf.toString()));
        return runMachine(args, uartInput, timeout);
    }

    /**
     * Runs {@code qemu-system-riscv64 -M virt} with the UART on stdio and the given arguments
     * (firmware, kernel, drives: the caller names them all) until QEMU exits.
     */
    public QemuRun runMachine(List<String> args, byte[] uartInput, Duration timeout) {
        Path dir = tempDir();
        try {
            Path in = dir.resolve("uart-in");
            Files.write(in, uartInput);
            List<String> cmd = new ArrayList<>(List.of(QEMU, "-M", "virt", "-display", "none",
                    "-monitor", "none", "-serial", "stdio"));
            cmd.addAll(args);
            ProcessResult r = execute(cmd, in, timeout);
            if (r.timedOut) {
                throw new QemuReferenceException("QEMU did not exit within " + timeout + " running " + args
                        + "; output so far:\n" + r.all());
            }
            return new QemuRun(r.output, r.exitCode);
        } catch (IOException e) {
            throw new QemuReferenceException("cannot run QEMU with " + args + ": " + e.getMessage(), e);
        } finally {
            deleteTree(dir);
        }
    }

    // ---------------------------------------------------------------- traces

    /** The first maxInstructions instructions of a run (fewer if the guest exits first). */
    public QemuTrace trace(Path elf, int maxInstructions) {
        return trace(elf, maxInstructions, List.of());
    }

    /**
     * Traces at most maxInstructions instructions; stops early when the guest exits or when QEMU
     * has not finished within the default timeout (a guest idling in WFI prints nothing), in
     * which case {@link QemuTrace#wholeRun()} is false.
     */
    public QemuTrace trace(Path elf, int maxInstructions, List<String> extraArgs) {
        return trace(elf, maxInstructions, extraArgs, DEFAULT_TIMEOUT);
    }

    public QemuTrace trace(Path elf, int maxInstructions, List<String> extraArgs, Duration timeout) {
        checkElf(elf);
        if (maxInstructions <= 0) {
            throw new IllegalArgumentException("maxInstructions must be positive: " + maxInstructions);
        }
        Path dir = tempDir();
        Process p = null;
        try {
            Path uart = dir.resolve("uart");
            List<String> cmd = new ArrayList<>(List.of(QEMU, "-M", "virt", "-bios", "none", "-display", "none",
                    "-monitor", "none", "-serial", "file:" + uart,
                    "-singlestep", "-d", "exec,cpu,nochain"));
            cmd.addAll(extraArgs);
            cmd.addAll(List.of("-kernel", elf.toString()));
            // The log goes to stderr (no -D): the pipe throttles QEMU to our parsing speed and
            // nothing of its ~100 MB/s reaches the disk.
            p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            QemuTrace trace = new QemuTrace();
            boolean exited;
            try (InputStream log = p.getErrorStream()) {
                exited = new TraceParser(log, trace, maxInstructions, p,
                        System.nanoTime() + timeout.toNanos()).parse();
            }
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
            trace.finish(exited, Files.exists(uart) ? Files.readAllBytes(uart) : new byte[0]);
            if (trace.size() == 0) {
                throw new QemuReferenceException("QEMU printed no instruction trace for " + elf);
            }
            return trace;
        } catch (IOException e) {
            throw new QemuReferenceException("cannot trace " + elf + " on QEMU: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QemuReferenceException("interrupted while tracing " + elf, e);
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
            deleteTree(dir);
        }
    }

    // ---------------------------------------------------------------- instruction count

    /** QEMU's icount when the guest exits; see {@link #icountAtExit(Path, byte[], List, Duration)}. */
    public long icountAtExit(Path elf) {
        return icountAtExit(elf, new byte[0], List.of(), DEFAULT_TIMEOUT);
    }

    public long icountAtExit(Path elf, List<String> extraArgs) {
        return icountAtExit(elf, new byte[0], extraArgs, DEFAULT_TIMEOUT);
    }

    /**
     * QEMU's instruction count when the guest exits through the finisher. Records the run with
     * {@code -icount shift=0,rr=record}, adds up the log's instruction events (N), then replays it
     * with the monitor: {@code replay_break N-1} must pause the replay with {@code info replay}
     * reporting N-1, and one more {@code cont} must end QEMU with the recorded exit code (QEMU 7.2's
     * finisher calls exit() inside the N-th instruction, so the count can never be read at N itself).
     * uartInput is offered on the UART while recording. Note QEMU 7.2's recording delivers serial
     * input without flow control, so a guest with the 16550 FIFO off keeps only some of the bytes.
     * Guests that sleep in WFI need a timer deadline armed for QEMU to make progress (see guests/README.md).
     */
    public long icountAtExit(Path elf, byte[] uartInput, List<String> extraArgs, Duration timeout) {
        checkElf(elf);
        Path dir = tempDir();
        try {
            Path log = dir.resolve("rr.bin");
            Path in = dir.resolve("uart-in");
            Files.write(in, uartInput);
            List<String> rec = new ArrayList<>(List.of(QEMU, "-M", "virt", "-bios", "none", "-display", "none",
                    "-monitor", "none", "-serial", "stdio",
                    "-icount", "shift=0,rr=record,rrfile=" + log));
            rec.addAll(extraArgs);
            rec.addAll(List.of("-kernel", elf.toString()));
            ProcessResult recorded = execute(rec, in, timeout);
            if (recorded.timedOut) {
                throw new QemuReferenceException("recording " + elf + " did not finish within " + timeout);
            }
            if (!Files.exists(log)) {
                throw new QemuReferenceException("QEMU wrote no replay log for " + elf + ":\n" + recorded.all());
            }
            long n = QemuReplayLog.instructionCount(log);
            if (n < 2) {
                throw new QemuReferenceException("recording of " + elf + " holds only " + n + " instructions");
            }
            confirmByReplay(elf, extraArgs, log, n, recorded.exitCode, timeout);
            return n;
        } catch (IOException e) {
            throw new QemuReferenceException("cannot record " + elf + ": " + e.getMessage(), e);
        } finally {
            deleteTree(dir);
        }
    }

    private void confirmByReplay(Path elf, List<String> extraArgs, Path log, long n, int exitCode, Duration timeout) {
        List<String> cmd = new ArrayList<>(List.of(QEMU, "-M", "virt", "-bios", "none", "-display", "none",
                "-serial", "null", "-monitor", "stdio", "-S",
                "-icount", "shift=0,rr=replay,rrfile=" + log));
        cmd.addAll(extraArgs);
        cmd.addAll(List.of("-kernel", elf.toString()));
        Process p = null;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Monitor mon = new Monitor(p);
            mon.send("replay_break " + (n - 1));
            mon.send("cont");
            long deadline = System.nanoTime() + timeout.toNanos();
            long seen = -1;
            while (seen != n - 1) {
                if (!p.isAlive()) {
                    throw new QemuReferenceException("replay of " + elf + " ended before icount " + (n - 1)
                            + " (last seen " + seen + "); monitor said:\n" + mon.text());
                }
                if (System.nanoTime() > deadline) {
                    throw new QemuReferenceException("replay of " + elf + " did not reach icount " + (n - 1));
                }
                Thread.sleep(20);
                mon.send("info replay");
                Thread.sleep(10);
                seen = mon.lastIcount();
            }
            mon.send("info status");
            mon.waitFor("VM status: paused", deadline);
            mon.send("cont");
            if (!p.waitFor(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS)) {
                throw new QemuReferenceException("replay of " + elf + " did not exit after icount " + (n - 1));
            }
            if (p.exitValue() != exitCode) {
                throw new QemuReferenceException("replay of " + elf + " exited with " + p.exitValue()
                        + " but the recording exited with " + exitCode);
            }
        } catch (IOException e) {
            throw new QemuReferenceException("cannot replay " + elf + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QemuReferenceException("interrupted while replaying " + elf, e);
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    // ---------------------------------------------------------------- memory dumps

    /**
     * Runs the guest (which never exits) until the 64-bit word at {@code flagAddr} equals
     * {@code flagValue}, then returns {@code length} bytes of physical memory from {@code addr}
     * (the monitor's pmemsave). {@code extraArgs} may load data, e.g. with {@code -device loader}.
     */
    public byte[] runAndDump(Path elf, List<String> extraArgs, long flagAddr, long flagValue, long addr, int length,
            Duration timeout) {
        checkElf(elf);
        Path dir = tempDir();
        Process p = null;
        try {
            Path dump = dir.resolve("dump.bin");
            List<String> cmd = new ArrayList<>(List.of(QEMU, "-M", "virt", "-bios", "none", "-display", "none",
                    "-serial", "null", "-monitor", "stdio"));
            cmd.addAll(extraArgs);
            cmd.addAll(List.of("-kernel", elf.toString()));
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Monitor mon = new Monitor(p);
            long deadline = System.nanoTime() + timeout.toNanos();
            String want = String.format("0x%016x", flagValue);
            while (true) {
                if (!p.isAlive()) {
                    throw new QemuReferenceException("QEMU ended before the guest set its flag; monitor said:\n"
                            + mon.text());
                }
                if (System.nanoTime() > deadline) {
                    throw new QemuReferenceException("the guest did not set its flag within " + timeout);
                }
                mon.send(String.format("xp /1gx 0x%x", flagAddr));
                Thread.sleep(50);
                if (mon.text().contains(want)) {
                    break;
                }
            }
            // Quoted: an unquoted path after the size would parse as a division.
            mon.send(String.format("pmemsave 0x%x %d \"%s\"", addr, length, dump));
            mon.send("quit");
            if (!p.waitFor(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS)) {
                throw new QemuReferenceException("QEMU did not quit after the memory dump");
            }
            byte[] bytes = Files.readAllBytes(dump);
            if (bytes.length != length) {
                throw new QemuReferenceException("pmemsave wrote " + bytes.length + " bytes, not " + length);
            }
            return bytes;
        } catch (IOException e) {
            throw new QemuReferenceException("cannot run QEMU on " + elf + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QemuReferenceException("interrupted while running " + elf, e);
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
            deleteTree(dir);
        }
    }

    /** QEMU's human monitor over the process's stdin/stdout, read without blocking. */
    private static final class Monitor {
        private final OutputStream in;
        private final InputStream out;
        private final ByteArrayOutputStream text = new ByteArrayOutputStream();

        Monitor(Process p) {
            this.in = p.getOutputStream();
            this.out = p.getInputStream();
        }

        void send(String command) throws IOException {
            in.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
            in.flush();
        }

        String text() throws IOException {
            byte[] buf = new byte[8192];
            while (out.available() > 0) {
                int n = out.read(buf);
                if (n < 0) {
                    break;
                }
                text.write(buf, 0, n);
            }
            return text.toString(StandardCharsets.UTF_8);
        }

        long lastIcount() throws IOException {
            Matcher m = ICOUNT.matcher(text());
            long v = -1;
            while (m.find()) {
                v = Long.parseLong(m.group(1));
            }
            return v;
        }

        void waitFor(String s, long deadline) throws IOException, InterruptedException {
            int from = text.size();
            while (!text().substring(Math.min(from, text.size())).contains(s)) {
                if (System.nanoTime() > deadline) {
                    throw new QemuReferenceException("QEMU monitor never said '" + s + "':\n" + text());
                }
                Thread.sleep(10);
            }
        }
    }

    // ---------------------------------------------------------------- plumbing

    private static void checkElf(Path elf) {
        if (!Files.isRegularFile(elf)) {
            throw new QemuReferenceException("no such guest ELF: " + elf);
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("rewind-qemu");
        } catch (IOException e) {
            throw new QemuReferenceException("cannot create a temporary directory: " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // best effort: a leftover temp directory is harmless
        }
    }

    private static final class ProcessResult {
        final int exitCode;
        final byte[] output;
        final byte[] errors;
        final boolean timedOut;

        ProcessResult(int exitCode, byte[] output, byte[] errors, boolean timedOut) {
            this.exitCode = exitCode;
            this.output = output;
            this.errors = errors;
            this.timedOut = timedOut;
        }

        String all() {
            return new String(output, StandardCharsets.UTF_8) + new String(errors, StandardCharsets.UTF_8);
        }
    }

    /** Runs cmd with stdout and stderr going to temp files (no reader threads needed). */
    private static ProcessResult execute(List<String> cmd, Path stdin, Duration timeout) {
        Path out = null;
        Path err = null;
        Process p = null;
        try {
            out = Files.createTempFile("rewind-qemu", ".out");
            err = Files.createTempFile("rewind-qemu", ".err");
            p = new ProcessBuilder(cmd)
                    .redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                            : ProcessBuilder.Redirect.from(stdin.toFile()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            return new ProcessResult(done ? p.exitValue() : -1, Files.readAllBytes(out), Files.readAllBytes(err),
                    !done);
        } catch (IOException e) {
            throw new QemuReferenceException("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QemuReferenceException("interrupted while running " + cmd.get(0), e);
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
            for (Path f : new Path[] {out, err}) {
                try {
                    if (f != null) {
                        Files.deleteIfExists(f);
                    }
                } catch (IOException e) {
                    // best effort
                }
            }
        }
    }
}
