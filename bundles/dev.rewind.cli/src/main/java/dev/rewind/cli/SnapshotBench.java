package dev.rewind.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

import dev.rewind.emulator.BootFiles;
import dev.rewind.replay.RecordSession;
import dev.rewind.replay.Timeline;

/**
 * {@code rewind bench snapshots}: what the replay's snapshots cost on a guest whose RAM is all
 * in use. Records {@code bigmem} (fills a 512 MiB RAM, then dirties a few hundred pages per
 * snapshot interval) for {@code --insns} instructions, replays it to the end, and prints the
 * incremental captures' times (median, 99th percentile, max) and pages, and the snapshot
 * memory against the budget.
 */
final class SnapshotBench {

    int run(String[] argv, Console console) throws Exception {
        Args a = new Args(argv, Set.of("--guest", "--insns", "--ram", "--budget", "--snapshot-every"), Set.of());
        Path elf = a.has("--guest") ? Path.of(a.value("--guest", null)) : BenchCommand.defaultGuest("bigmem");
        long insns = a.count("--insns", 10_000_000_000L);
        long ram = a.bytes("--ram", 512L << 20);
        long interval = a.count("--snapshot-every", Timeline.Options.DEFAULT_INTERVAL);
        Timeline.Options options = Timeline.Options.defaults().withSnapshotInterval(interval)
                .withSnapshotBudget(a.bytes("--budget", 0));
        PrintStream out = console.out();
        Path work = Files.createTempDirectory("rewind-bench-snapshots");
        try {
            Path log = work.resolve("bigmem.rrlog");
            out.printf("rewind bench snapshots: %s, %d MiB RAM, %,d instructions, a snapshot every %,d%n",
                    elf.getFileName(), ram >> 20, insns, interval);
            long t0 = System.nanoTime();
            try (RecordSession s = RecordSession.start(RecordSession.Options.of(BootFiles.program(elf), log)
                    .withMachine(ram, 0).withInput(null, OutputStream.nullOutputStream()))) {
                s.run(insns);
            }
            long t1 = System.nanoTime();
            out.printf("  record:  %.1f s%n", (t1 - t0) / 1e9);
            try (Timeline t = Timeline.open(log, options)) {
                t.timeSnapshotCaptures(System::nanoTime);
                long t2 = System.nanoTime();
                t.replayTo(Long.MAX_VALUE);
                long t3 = System.nanoTime();
                out.printf("  replay:  %.1f s to icount %,d (%.0f MIPS, captures included)%n", (t3 - t2) / 1e9, t.icount(),
                        t.icount() / ((t3 - t2) / 1e9) / 1e6);
                long[][] times = t.snapshotCaptureTimes();
                // the first capture (the full one at the start, made while opening) was not timed
                long[] ns = Arrays.copyOfRange(times[0], 1, times[0].length);
                long[] pages = Arrays.copyOfRange(times[1], 1, times[1].length);
                Integer[] slowest = new Integer[ns.length];
                Arrays.setAll(slowest, i -> i);
                Arrays.sort(slowest, (x, y) -> Long.compare(ns[y], ns[x]));
                StringBuilder worst = new StringBuilder();
                for (int i = 0; i < Math.min(3, ns.length); i++) {
                    worst.append(String.format(" %.1f ms (%d pages, capture %d)", ns[slowest[i]] / 1e6, pages[slowest[i]],
                            slowest[i] + 1));
                }
                Arrays.sort(ns);
                Arrays.sort(pages);
                out.printf("  incremental capture: median %.3f ms, p99 %.3f ms, max %.3f ms over %d captures;"
                        + " pages copied per capture: median %d, max %d%n", ns[ns.length / 2] / 1e6,
                        ns[(int) (ns.length * 0.99)] / 1e6, ns[ns.length - 1] / 1e6, ns.length, pages[pages.length / 2],
                        pages[pages.length - 1]);
                out.println("  slowest:" + worst);
                long[] at = t.snapshotIcounts();
                out.printf("  snapshot memory: %,d MiB of a %,d MiB budget (%d snapshots, %,d .. %,d)%n",
                        t.snapshotBytes() >> 20, t.snapshotBudget() >> 20, at.length, at[0], at[at.length - 1]);
                System.gc();
                Runtime rt = Runtime.getRuntime();
                out.printf("  JVM heap in use after GC: %,d MiB (guest RAM %,d MiB + snapshots + the rest)%n",
                        (rt.totalMemory() - rt.freeMemory()) >> 20, ram >> 20);
            }
            return 0;
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted((x, y) -> y.compareTo(x)).forEach(f -> f.toFile().delete());
            }
        }
    }
}
