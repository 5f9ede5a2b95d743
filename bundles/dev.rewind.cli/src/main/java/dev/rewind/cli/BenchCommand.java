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
                + "rewind bench replay [--short S.elf --long L.elf] [--snapshot-every N] [--no-qemu]\n"
                + "  plain/record/replay MIPS, snapshot time and memory, seek latency; QEMU rr=record/replay alongside";
    }

    /** One timed run: instructions retired and wall time. */
    record Timing(long instructions, long nanos) {
    }

    @Override
    public int run(String[] argv, Console console) throws Exception {
        if (argv.length > 0 && argv[0].equals("replay")) {
            return new ReplayBench().run(java.util.Arrays.copyOfRange(argv, 1, argv.length), console);
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
        Timing s = ours(shortImage, shortElf);
        out.printf("  rewind   short: %,d instructions in %.2f s (%.0f MIPS incl. start-up)%n", s.instructions, s.nanos / 1e9,
                mips(s.instructions, s.nanos));
        Timing l = ours(longImage, longElf);
        out.printf("  rewind   long:  %,d instructions in %.2f s (%.0f MIPS incl. start-up)%n", l.instructions, l.nanos / 1e9,
                mips(l.instructions, l.nanos));
        if (l.instructions <= s.instructions || l.nanos <= s.nanos) {
            throw new CliException("the long guest must run more instructions and take longer than the short one");
        }
        double oursMips = mips(l.instructions - s.instructions, l.nanos - s.nanos);
        out.printf("  rewind:             %.0f MIPS%n", oursMips);
        if (a.has("--no-qemu")) {
            return 0;
        }
        String qemu = a.value("--qemu", "qemu-system-riscv64");
        double icountMips = qemuMips(qemu, true, shortElf, longElf, s, l, out);
        double tcgMips = qemuMips(qemu, false, shortElf, longElf, s, l, out);
        out.printf("  qemu -icount shift=0: %.0f MIPS%n", icountMips);
        out.printf("  qemu (no icount):     %.0f MIPS%n", tcgMips);
        out.printf("  ratio rewind / qemu-icount: %.2fx%n", oursMips / icountMips);
        out.printf("  ratio rewind / qemu:        %.2fx%n", oursMips / tcgMips);
        return 0;
    }

    private static double mips(long instructions, long nanos) {
        return instructions / (nanos / 1e9) / 1e6;
    }

    static Path defaultGuest(String name) throws CliException {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            Path elf = p.resolve("guests/build/" + name + ".elf");
            if (Files.isRegularFile(elf)) {
                return elf;
            }
            p = p.getParent();
        }
        throw new CliException("no guests/build/" + name + ".elf here or above; run 'make -C guests' or pass --short/--long");
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

    private static Timing ours(ElfImage elf, Path file) throws CliException {
        VirtMachine m = new VirtMachine(MachineConfig.builder().uartOut(OutputStream.nullOutputStream()).build());
        try {
            m.load(elf);
        } catch (ElfFormatException e) {
            throw new CliException(file + ": " + e.getMessage());
        }
        long t0 = System.nanoTime();
        StopReason r = m.run(Long.MAX_VALUE);
        long t1 = System.nanoTime();
        if (r != StopReason.EXIT || m.exitCode() != 0) {
            throw new CliException(file + " did not pass (" + r + ", exit " + m.exitCode() + ")");
        }
        return new Timing(m.icount(), t1 - t0);
    }

    /** QEMU MIPS from the two runs; instruction counts are ours (equal to QEMU's, see the differential test). */
    private static double qemuMips(String qemu, boolean icount, Path shortElf, Path longElf, Timing s, Timing l,
            PrintStream out) throws CliException, IOException, InterruptedException {
        long ts = timeQemu(qemu, icount, shortElf);
        long tl = timeQemu(qemu, icount, longElf);
        out.printf("  qemu%s short %.2f s, long %.2f s%n", icount ? " -icount" : "        ", ts / 1e9, tl / 1e9);
        if (tl <= ts) {
            throw new CliException("QEMU took no longer for the long guest; cannot subtract start-up");
        }
        return mips(l.instructions - s.instructions, tl - ts);
    }

    private static long timeQemu(String qemu, boolean icount, Path elf) throws CliException, IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(qemu, "-M", "virt", "-bios", "none", "-nographic"));
        if (icount) {
            cmd.addAll(List.of("-icount", "shift=0"));
        }
        cmd.addAll(List.of("-kernel", elf.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        long t0 = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new CliException("cannot start " + qemu + " (" + e.getMessage() + "); use --no-qemu to skip the comparison");
        }
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new CliException(qemu + " did not finish " + elf.getFileName() + " within 600 s");
        }
        long t1 = System.nanoTime();
        if (p.exitValue() != 0) {
            throw new CliException(qemu + " exited with " + p.exitValue() + " on " + elf.getFileName());
        }
        return t1 - t0;
    }
}
