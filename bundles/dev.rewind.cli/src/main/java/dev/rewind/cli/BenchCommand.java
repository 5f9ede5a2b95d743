package dev.rewind.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.rewind.emulator.ElfFormatException;
import dev.rewind.emulator.ElfImage;
import dev.rewind.emulator.MachineConfig;
import dev.rewind.emulator.StopReason;
import dev.rewind.emulator.VirtMachine;

/**
 * {@code rewind bench}: interpreter speed on a compute-bound guest, against QEMU on the same
 * ELFs in the same run. Start-up (JVM warm-up, QEMU launch) is removed by timing a short and a
 * long version of the guest and dividing the instruction difference by the time difference.
 */
final class BenchCommand implements Command {

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "measure emulator MIPS on a compute guest and compare with qemu-system-riscv64";
    }

    @Override
    public String usage() {
        return "rewind bench [--short SHORT.elf --long LONG.elf] [--qemu PATH] [--no-qemu]\n"
                + "  defaults: guests/build/compute-1g.elf and compute-2g.elf (~1.1e9 and ~2.2e9 instructions)\n"
                + "  QEMU runs: -M virt -bios none -nographic -icount shift=0 -kernel ELF, and the same without -icount\n"
                + "rewind bench replay [--short S.elf --long L.elf] [--snapshot-every N] [--rounds 5] [--no-qemu]\n"
                + "  run/record/replay MIPS side by side (medians of interleaved rounds), snapshot time and memory, seek latency; QEMU rr=record/replay alongside\n"
                + "rewind bench snapshots [--guest bigmem.elf] [--insns 1e10] [--ram 512M] [--budget SIZE] [--snapshot-every N]\n"
                + "  incremental snapshot capture time and snapshot memory vs budget on a guest with all its RAM in use";
    }

    /** One timed run: instructions retired, wall time and CPU time (-1 if unknown). */
    record Timing(long instructions, long nanos, long cpuNanos) {
    }

    private static final Path TIME = Path.of("/usr/bin/time");

    @Override
    public int run(String[] argv, Console console) throws Exception {
        if (argv.length > 0 && argv[0].equals("replay")) {
            return new ReplayBench().run(java.util.Arrays.copyOfRange(argv, 1, argv.length), console);
        }
        if (argv.length > 0 && argv[0].equals("snapshots")) {
            return new SnapshotBench().run(java.util.Arrays.copyOfRange(argv, 1, argv.length), console);
        }
        Args a = new Args(argv, Set.of("--short", "--long", "--qemu"), Set.of("--no-qemu"));
        if (!a.positional().isEmpty()) {
            throw new CliException("unexpected argument '" + a.positional().get(0) + "'");
        }
        Path shortElf = a.has("--short") ? Path.of(a.value("--short", null)) : defaultGuest("compute-1g");
        Path longElf = a.has("--long") ? Path.of(a.value("--long", null)) : defaultGuest("compute-2g");
        PrintStream out = console.out();
        ElfImage shortImage = load(shortElf);
        ElfImage longImage = load(longElf);

        out.println("rewind bench: " + shortElf.getFileName() + " / " + longElf.getFileName());
        // One untimed run first, so both timed runs use the same steady-state JIT code.
        Timing warm = ours(shortImage, shortElf);
        out.printf("  rewind   warm-up: %.2f s (%.0f MIPS per CPU second)%n", warm.nanos / 1e9,
                warm.cpuNanos > 0 ? mips(warm.instructions, warm.cpuNanos) : Double.NaN);
        // The fastest of a few runs each: the least disturbed on a shared machine (a run takes well under a second).
        Timing s = fastest(shortImage, shortElf);
        out.printf("  rewind   short: %,d instructions in %.2f s (%.0f MIPS incl. start-up)%n", s.instructions, s.nanos / 1e9,
                mips(s.instructions, s.nanos));
        Timing l = fastest(longImage, longElf);
        out.printf("  rewind   long:  %,d instructions in %.2f s (%.0f MIPS incl. start-up)%n", l.instructions, l.nanos / 1e9,
                mips(l.instructions, l.nanos));
        if (l.instructions <= s.instructions || l.nanos <= s.nanos) {
            throw new CliException("the long guest must run more instructions and take longer than the short one");
        }
        double oursMips = mips(l.instructions - s.instructions, l.nanos - s.nanos);
        double oursCpuMips = s.cpuNanos < 0 || l.cpuNanos <= s.cpuNanos ? Double.NaN
                : mips(l.instructions - s.instructions, l.cpuNanos - s.cpuNanos);
        out.printf("  rewind:             %.0f MIPS (%.0f MIPS per CPU second)%n", oursMips, oursCpuMips);
        if (a.has("--no-qemu")) {
            return 0;
        }
        String qemu = a.value("--qemu", "qemu-system-riscv64");
        Timing[] icount = qemuRuns(qemu, true, shortElf, longElf, out);
        Timing[] plain = qemuRuns(qemu, false, shortElf, longElf, out);
        double icountMips = mips(l.instructions - s.instructions, icount[1].nanos - icount[0].nanos);
        double plainMips = mips(l.instructions - s.instructions, plain[1].nanos - plain[0].nanos);
        out.printf("  qemu -icount shift=0: %.0f MIPS%s%n", icountMips, cpuMips(s, l, icount));
        out.printf("  qemu (no icount):     %.0f MIPS%s%n", plainMips, cpuMips(s, l, plain));
        out.printf("  ratio rewind / qemu-icount: %.2fx (wall clock)%s%n", oursMips / icountMips,
                cpuRatio(oursCpuMips, s, l, icount));
        out.printf("  ratio rewind / qemu:        %.2fx (wall clock)%s%n", oursMips / plainMips,
                cpuRatio(oursCpuMips, s, l, plain));
        return 0;
    }

    private static double mips(long instructions, long nanos) {
        return instructions / (nanos / 1e9) / 1e6;
    }

    static Path defaultGuest(String name) throws CliException {
        try {
            return dev.rewind.replay.GuestPrograms.elf(name);
        } catch (IllegalStateException | java.io.IOException e) {
            throw new CliException(e.getMessage() + "; or pass --short/--long");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while building guest " + name);
        }
    }

    private static ElfImage load(Path elf) throws CliException, IOException {
        if (!Files.isRegularFile(elf)) {
            throw new CliException(elf + " does not exist");
        }
        try {
            return ElfImage.read(elf);
        } catch (ElfFormatException e) {
            throw new CliException(elf + ": " + e.getMessage());
        }
    }

    private static final int RUNS = 3;

    private static Timing fastest(ElfImage elf, Path file) throws CliException {
        Timing best = null;
        for (int i = 0; i < RUNS; i++) {
            Timing t = ours(elf, file);
            if (best == null || t.nanos < best.nanos) {
                best = t;
            }
        }
        return best;
    }

    private static Timing ours(ElfImage elf, Path file) throws CliException {
        VirtMachine m = new VirtMachine(MachineConfig.builder().uartOut(OutputStream.nullOutputStream()).build());
        try {
            m.load(elf);
        } catch (ElfFormatException e) {
            throw new CliException(file + ": " + e.getMessage());
        }
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long c0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        StopReason r = m.run(Long.MAX_VALUE);
        long t1 = System.nanoTime();
        long c1 = threads.getCurrentThreadCpuTime();
        if (r != StopReason.EXIT || m.exitCode() != 0) {
            throw new CliException(file + " did not pass (" + r + ", exit " + m.exitCode() + ")");
        }
        return new Timing(m.icount(), t1 - t0, c0 < 0 ? -1 : c1 - c0);
    }

    /** CPU-time MIPS of QEMU from the two runs, as text, or "" when CPU times are unknown. */
    private static String cpuMips(Timing s, Timing l, Timing[] q) {
        double m = qemuCpuMips(s, l, q);
        return Double.isNaN(m) ? "" : String.format(" (%.0f MIPS per CPU second)", m);
    }

    private static double qemuCpuMips(Timing s, Timing l, Timing[] q) {
        if (q[0].cpuNanos < 0 || q[1].cpuNanos <= q[0].cpuNanos) {
            return Double.NaN;
        }
        return mips(l.instructions - s.instructions, q[1].cpuNanos - q[0].cpuNanos);
    }

    private static String cpuRatio(double ours, Timing s, Timing l, Timing[] q) {
        double theirs = qemuCpuMips(s, l, q);
        return Double.isNaN(ours) || Double.isNaN(theirs) ? "" : String.format(", %.2fx (CPU time)", ours / theirs);
    }

    /**
     * Times QEMU on both guests. Instruction counts are ours (equal to QEMU's, see the
     * differential test). CPU times come from /usr/bin/time when it is installed; on a busy
     * machine they are the fairer measure.
     */
    private static Timing[] qemuRuns(String qemu, boolean icount, Path shortElf, Path longElf, PrintStream out)
            throws CliException, IOException, InterruptedException {
        Timing ts = timeQemu(qemu, icount, shortElf);
        Timing tl = timeQemu(qemu, icount, longElf);
        out.printf("  qemu%s short %.2f s, long %.2f s%n", icount ? " -icount" : "        ", ts.nanos / 1e9, tl.nanos / 1e9);
        if (tl.nanos <= ts.nanos) {
            throw new CliException("QEMU took no longer for the long guest; cannot subtract start-up");
        }
        return new Timing[] {ts, tl};
    }

    /** Starts QEMU for a comparison run; a missing QEMU is a message that says how to skip it. */
    static Process startQemu(ProcessBuilder pb, String qemu) throws CliException {
        try {
            return pb.start();
        } catch (IOException e) {
            throw new CliException("cannot start " + qemu + " (" + e.getMessage() + "); use --no-qemu to skip the comparison");
        }
    }

    private static Timing timeQemu(String qemu, boolean icount, Path elf) throws CliException, IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        boolean cpu = Files.isExecutable(TIME);
        if (cpu) {
            cmd.addAll(List.of(TIME.toString(), "-f", "REWIND_CPU %U %S"));
        }
        cmd.addAll(List.of(qemu, "-M", "virt", "-bios", "none", "-nographic"));
        if (icount) {
            cmd.addAll(List.of("-icount", "shift=0"));
        }
        cmd.addAll(List.of("-kernel", elf.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        long t0 = System.nanoTime();
        Process p = startQemu(pb, qemu);
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new CliException(qemu + " did not finish " + elf.getFileName() + " within 600 s");
        }
        long t1 = System.nanoTime();
        if (p.exitValue() != 0) {
            throw new CliException(qemu + " exited with " + p.exitValue() + " on " + elf.getFileName());
        }
        long cpuNanos = -1;
        for (String line : new String(err, java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("REWIND_CPU ")) {
                String[] f = line.trim().split(" ");
                cpuNanos = (long) ((Double.parseDouble(f[1]) + Double.parseDouble(f[2])) * 1e9);
            }
        }
        return new Timing(0, t1 - t0, cpuNanos);
    }
}
