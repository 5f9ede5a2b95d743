package dev.rewind.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.rewind.emulator.ElfImage;
import dev.rewind.emulator.MachineConfig;
import dev.rewind.emulator.MachineState;
import dev.rewind.emulator.StopReason;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.replay.RecordSession;
import dev.rewind.replay.Timeline;

/**
 * {@code rewind bench replay}: run (as {@code rewind run}), record and replay speed on a compute guest (start-up
 * removed by timing a short and a long guest), incremental snapshot time, snapshot memory and
 * seek latency; and QEMU's record and replay of the same ELFs in the same run.
 */
final class ReplayBench {

    record Timing(long instructions, long nanos) {
    }

    int run(String[] argv, Console console) throws Exception {
        Args a = new Args(argv, Set.of("--short", "--long", "--qemu", "--snapshot-every", "--rounds"), Set.of("--no-qemu"));
        Path shortElf = a.has("--short") ? Path.of(a.value("--short", null)) : BenchCommand.defaultGuest("compute-1g");
        Path longElf = a.has("--long") ? Path.of(a.value("--long", null)) : BenchCommand.defaultGuest("compute-2g");
        long interval = a.count("--snapshot-every", Timeline.Options.DEFAULT_INTERVAL);
        PrintStream out = console.out();
        Path work = Files.createTempDirectory("rewind-bench");
        try {
            out.println("rewind bench replay: " + shortElf.getFileName() + " / " + longElf.getFileName()
                    + ", 128 MiB RAM, snapshots every " + interval + " instructions");
            // Untimed run first (JIT, block translation). Then rounds that interleave the three
            // ways of running, so that a change of load on a shared machine hits them alike; each
            // round's MIPS come from its long and short guest; medians of the rounds.
            liveRun(shortElf);
            int rounds = (int) a.count("--rounds", 5);
            double[] runMips = new double[rounds], recordRound = new double[rounds], replayRound = new double[rounds];
            Timing ys = null, yl = null;
            for (int i = 0; i < rounds; i++) {
                runMips[i] = mips(liveRun(longElf), liveRun(shortElf));
                recordRound[i] = mips(record(longElf, work.resolve("long.rrlog")), record(shortElf, work.resolve("short.rrlog")));
                Timing l = replay(work.resolve("long.rrlog"), interval, null), s = replay(work.resolve("short.rrlog"), interval, null);
                replayRound[i] = mips(l, s);
                yl = l; // for the instruction counts only
                ys = s;
            }
            double plainMips = median(runMips), recordMips = median(recordRound), replayMips = median(replayRound);
            out.printf("  run:         %6.0f MIPS  (as 'rewind run' runs: input polled every %,d instructions)%n", plainMips,
                    RunCommand.POLL_INTERVAL);
            out.printf("  record:      %6.0f MIPS  (%.2fx run)%n", recordMips, recordMips / plainMips);
            out.printf("  replay:      %6.0f MIPS  (%.2fx run, periodic snapshots included)%n", replayMips, replayMips / plainMips);
            out.printf("  (medians of %d rounds; per round run %s, record %s, replay %s MIPS)%n", rounds, list(runMips),
                    list(recordRound), list(replayRound));
            long[] seekNs = new long[25];
            long[] memory = new long[1];
            Timing history = replay(work.resolve("long.rrlog"), interval, t -> {
                memory[0] = t.snapshotBytes();
                SplittableRandom r = new SplittableRandom(1);
                for (int i = 0; i < seekNs.length; i++) {
                    long target = r.nextLong(t.startIcount(), t.endIcount());
                    long t0 = System.nanoTime();
                    t.seek(target);
                    seekNs[i] = System.nanoTime() - t0;
                }
            });
            Arrays.sort(seekNs);
            out.printf("  snapshots:   %,d KiB held for %,d instructions of history%n", memory[0] >> 10, history.instructions);
            out.printf("  seek to a random point: median %.1f ms, max %.1f ms (one interval replays in ~%.1f ms)%n",
                    seekNs[seekNs.length / 2] / 1e6, seekNs[seekNs.length - 1] / 1e6, interval / replayMips / 1e3);
            long[] snap = snapshotTimes(longElf, interval);
            out.printf("  incremental snapshot (saveDelta + merge, 128 MiB RAM): median %.2f ms, max %.2f ms over %d%n",
                    snap[snap.length / 2] / 1e6, snap[snap.length - 1] / 1e6, snap.length);
            if (a.has("--no-qemu")) {
                return 0;
            }
            String qemu = a.value("--qemu", "qemu-system-riscv64");
            // one orphan image per program: each recording's rrsnapshot=init must stay its own
            Path emptyShort = emptyImage(work.resolve("short.qcow2"));
            Path emptyLong = emptyImage(work.resolve("long.qcow2"));
            double qrec = mipsOf(yl, ys, qemuRr(qemu, "record", shortElf, work, null), qemuRr(qemu, "record", longElf, work, null));
            double qrep = mipsOf(yl, ys, qemuRr(qemu, "replay", shortElf, work, null), qemuRr(qemu, "replay", longElf, work, null));
            double qrecS = mipsOf(yl, ys, qemuRr(qemu, "record", shortElf, work, emptyShort),
                    qemuRr(qemu, "record", longElf, work, emptyLong));
            double qrepS = mipsOf(yl, ys, qemuRr(qemu, "replay", shortElf, work, emptyShort),
                    qemuRr(qemu, "replay", longElf, work, emptyLong));
            out.printf("  qemu record: %6.0f MIPS, replay %6.0f MIPS; with rrsnapshot=init: %.0f / %.0f MIPS%n", qrec, qrep, qrecS, qrepS);
            out.printf("  ratio rewind / qemu: record %.2fx, replay %.2fx%n", recordMips / qrec, replayMips / qrep);
            return 0;
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted((x, y) -> y.compareTo(x)).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private static String list(double[] mips) {
        StringBuilder b = new StringBuilder();
        for (double m : mips) {
            b.append(b.length() == 0 ? "" : " ").append(Math.round(m));
        }
        return b.toString();
    }

    private static double mips(Timing longer, Timing shorter) throws CliException {
        if (longer.nanos <= shorter.nanos || longer.instructions <= shorter.instructions) {
            throw new CliException("the long guest must run more instructions and take longer than the short one");
        }
        return (longer.instructions - shorter.instructions) / ((longer.nanos - shorter.nanos) / 1e9) / 1e6;
    }

    private static double mipsOf(Timing longer, Timing shorter, long shortNs, long longNs) throws CliException {
        return mips(new Timing(longer.instructions, longNs), new Timing(shorter.instructions, shortNs));
    }

    private static Timing liveRun(Path elf) throws Exception {
        VirtMachine m = new VirtMachine(MachineConfig.builder().uartOut(OutputStream.nullOutputStream())
                .inputPort(RunCommand.livePort(InputStream.nullInputStream())).build());
        long t0 = System.nanoTime();
        m.load(ElfImage.read(elf));
        StopReason r = m.run(Long.MAX_VALUE);
        long t1 = System.nanoTime();
        if (r != StopReason.EXIT) {
            throw new CliException(elf + " did not exit (" + r + ")");
        }
        return new Timing(m.icount(), t1 - t0);
    }

    private static Timing record(Path elf, Path log) throws Exception {
        long t0 = System.nanoTime();
        try (RecordSession s = RecordSession.start(RecordSession.Options.of(elf, log).withInput(null, OutputStream.nullOutputStream()))) {
            RecordSession.Result r = s.run(Long.MAX_VALUE);
            return new Timing(r.icount(), System.nanoTime() - t0);
        }
    }

    interface AfterReplay {
        void accept(Timeline s) throws Exception;
    }

    private static Timing replay(Path log, long interval, AfterReplay after) throws Exception {
        long t0 = System.nanoTime();
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults().withSnapshotInterval(interval))) {
            s.replayTo(Long.MAX_VALUE);
            Timing t = new Timing(s.icount(), System.nanoTime() - t0);
            if (after != null) {
                after.accept(s);
            }
            return t;
        }
    }

    /** The replay engine's capture: a delta of the pages written since the last one, merged over it. */
    private static long[] snapshotTimes(Path elf, long interval) throws Exception {
        VirtMachine m = new VirtMachine(MachineConfig.builder().uartOut(OutputStream.nullOutputStream()).build());
        m.load(ElfImage.read(elf));
        MachineState last = m.saveState();
        List<Long> times = new ArrayList<>();
        while (times.size() < 50 && m.run(m.icount() + interval) == StopReason.LIMIT) {
            long t0 = System.nanoTime();
            MachineState delta = m.saveDelta();
            last = delta.over(last);
            times.add(System.nanoTime() - t0);
        }
        return times.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    private static Path emptyImage(Path image) throws IOException, InterruptedException {
        new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "1M").inheritIO().start().waitFor();
        return image;
    }

    private static long qemuRr(String qemu, String mode, Path elf, Path work, Path snapshotImage) throws Exception {
        Path rr = work.resolve(elf.getFileName() + (snapshotImage != null ? ".snap" : "") + ".qemu-rr");
        String icount = "shift=0,rr=" + mode + ",rrfile=" + rr + (snapshotImage != null ? ",rrsnapshot=init" : "");
        List<String> cmd = new ArrayList<>(List.of(qemu, "-M", "virt", "-bios", "none", "-nographic", "-net", "none",
                "-icount", icount));
        if (snapshotImage != null) {
            cmd.addAll(List.of("-drive", "file=" + snapshotImage + ",if=none,id=rr"));
        }
        cmd.addAll(List.of("-kernel", elf.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        long t0 = System.nanoTime();
        Process p = BenchCommand.startQemu(pb, qemu);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new CliException(qemu + " " + mode + " of " + elf.getFileName() + " did not finish within 120 s");
        }
        long t1 = System.nanoTime();
        if (p.exitValue() != 0) {
            throw new CliException(qemu + " " + mode + " exited with " + p.exitValue() + " on " + elf.getFileName());
        }
        return t1 - t0;
    }
}
