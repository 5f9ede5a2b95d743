package dev.rewind.cli.img;

import dev.rewind.qcow2.DiskImage;
import dev.rewind.qcow2.ImageComparison;
import dev.rewind.qcow2.ImageConverter;
import dev.rewind.qcow2.Qcow2Image;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Random;

/**
 * Throughput of the qcow2 implementation (not a test): sequential and random 4 KiB / 64 KiB /
 * 1 MiB writes and reads on an image of the given size, snapshot create / apply / delete times
 * on that image fully allocated, and convert qcow2→raw / raw→qcow2 against
 * {@code qemu-img convert} on the same input, best of three alternating runs each.
 */
final class Qcow2Bench {

    private static final int[] BLOCKS = {4 << 10, 64 << 10, 1 << 20};
    private static final int ROUNDS = 3;

    private final long size;
    private final Path dir;
    private final PrintStream out;

    Qcow2Bench(long size, Path dir, PrintStream out) {
        this.size = size;
        this.dir = dir;
        this.out = out;
    }

    void run() throws Exception {
        Path work = Files.createTempDirectory(dir, "rewind-qcow2-bench");
        try {
            out.printf(Locale.ROOT, "qcow2 benchmark: %d MiB image, 64 KiB clusters, in %s%n", size >> 20, work);
            out.println("load average at start: " + loadAverage() + " (" + Runtime.getRuntime().availableProcessors()
                    + " CPUs)");
            ioBench(work);
            snapshotBench(work);
            convertBench(work);
            out.println("load average at end: " + loadAverage());
        } finally {
            try (var files = Files.list(work)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(work);
        }
    }

    private void ioBench(Path work) throws IOException {
        out.println();
        out.printf(Locale.ROOT, "%-8s %-6s %14s %14s%n", "block", "order", "write MB/s", "read MB/s");
        Random r = new Random(7);
        for (int block : BLOCKS) {
            long budget = Math.min(size, block == 4096 ? 64L << 20 : 256L << 20);
            int ops = (int) (budget / block);
            byte[] buf = new byte[block];
            r.nextBytes(buf);
            for (boolean random : new boolean[] {false, true}) {
                Path p = work.resolve("io.qcow2");
                long[] offsets = new long[ops];
                long slots = size / block;
                for (int i = 0; i < ops; i++) {
                    offsets[i] = (random ? (long) (r.nextDouble() * slots) : i) * block;
                }
                double w;
                double rd;
                try (Qcow2Image img = Qcow2Image.create(p, size, Qcow2Image.CreateOptions.defaults())) {
                    long t0 = System.nanoTime();
                    for (long off : offsets) {
                        img.write(off, buf, 0, block);
                    }
                    img.flush();
                    w = mbps((long) ops * block, System.nanoTime() - t0);
                    long t1 = System.nanoTime();
                    for (long off : offsets) {
                        img.read(off, buf, 0, block);
                    }
                    rd = mbps((long) ops * block, System.nanoTime() - t1);
                }
                Files.delete(p);
                out.printf(Locale.ROOT, "%-8s %-6s %14.1f %14.1f%n", block >= 1 << 20 ? (block >> 20) + " MiB"
                        : (block >> 10) + " KiB", random ? "random" : "seq", w, rd);
            }
        }
    }

    /**
     * Snapshot operations on a fully allocated image (16k clusters at 1 GiB), each snapshot
     * after 16 rewritten clusters and with 256 KiB of VM state, durable (every force done).
     */
    private void snapshotBench(Path work) throws IOException {
        Path p = work.resolve("snap.qcow2");
        Random r = new Random(9);
        byte[] chunk = new byte[1 << 20];
        r.nextBytes(chunk);
        byte[] vm = new byte[256 << 10];
        r.nextBytes(vm);
        int clusters = (int) (size >> 16);
        long[] create = new long[20];
        long[] apply = new long[5];
        long[] delete = new long[10];
        try (Qcow2Image img = Qcow2Image.create(p, size, Qcow2Image.CreateOptions.defaults())) {
            for (long off = 0; off < size; off += chunk.length) {
                img.write(off, chunk, 0, (int) Math.min(chunk.length, size - off));
            }
            img.flush();
            for (int i = 0; i < create.length; i++) {
                for (int k = 0; k < 16; k++) {
                    img.write((long) r.nextInt(clusters) << 16, chunk, 0, 65536);
                }
                img.flush();
                long t0 = System.nanoTime();
                img.createSnapshot("s" + i, i, i, vm);
                create[i] = System.nanoTime() - t0;
            }
            for (int i = 0; i < apply.length; i++) {
                long t0 = System.nanoTime();
                img.applySnapshot("s" + (i * 3));
                apply[i] = System.nanoTime() - t0;
            }
            for (int i = 0; i < delete.length; i++) {
                long t0 = System.nanoTime();
                img.deleteSnapshot("s" + (2 * i + 1));
                delete[i] = System.nanoTime() - t0;
            }
        }
        Files.delete(p);
        out.println();
        out.printf(Locale.ROOT, "snapshots on the fully allocated image (%d clusters), median ms: create %.1f (n=%d), "
                + "apply %.1f (n=%d), delete %.1f (n=%d)%n", clusters, medianMs(create), create.length, medianMs(apply),
                apply.length, medianMs(delete), delete.length);
    }

    private static double medianMs(long[] ns) {
        long[] s = ns.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2] / 1e6;
    }

    private void convertBench(Path work) throws Exception {
        Path raw = work.resolve("source.raw");
        makeSource(raw);
        Path qcow = work.resolve("source.qcow2");
        qemuImg("convert", "-O", "qcow2", raw.toString(), qcow.toString());
        out.println();
        out.printf(Locale.ROOT, "convert of a %d MiB disk (3/4 data, 1/4 holes), best of %d, alternating;%n"
                + "rewind timed in-process (no JVM start), qemu-img as a process:%n", size >> 20, ROUNDS);
        out.printf(Locale.ROOT, "%-14s %12s %14s %8s %14s %14s %10s%n", "direction", "rewind MB/s", "qemu-img MB/s",
                "ratio", "rewind cpu ms", "qemu-img cpu ms", "cpu ratio");

        qemuCpuNs = Long.MAX_VALUE;
        Path oursQ = work.resolve("ours.qcow2");
        Path theirsQ = work.resolve("theirs.qcow2");
        double[] toQcow2 = sideBySide(() -> ImageConverter.toQcow2(raw, oursQ, Qcow2Image.CreateOptions.defaults(), null),
                () -> qemuImg("convert", "-O", "qcow2", raw.toString(), theirsQ.toString()), oursQ, theirsQ);
        row("raw->qcow2", toQcow2);

        qemuCpuNs = Long.MAX_VALUE;
        Path oursR = work.resolve("ours.raw");
        Path theirsR = work.resolve("theirs.raw");
        double[] toRaw = sideBySide(() -> ImageConverter.toRaw(qcow, oursR, null),
                () -> qemuImg("convert", "-O", "raw", qcow.toString(), theirsR.toString()), oursR, theirsR);
        row("qcow2->raw", toRaw);

        try (DiskImage a = Qcow2Image.openAny(oursQ); DiskImage b = Qcow2Image.openAny(theirsQ);
                DiskImage c = Qcow2Image.openAny(oursR); DiskImage d = Qcow2Image.openAny(theirsR)) {
            boolean same = ImageComparison.firstDifference(a, b) == ImageComparison.IDENTICAL
                    && ImageComparison.firstDifference(c, d) == ImageComparison.IDENTICAL;
            out.println(same ? "outputs: identical content to qemu-img's" : "outputs: DIFFER from qemu-img's");
        }
    }

    /** MB/s both, their ratio (ours / theirs, > 1 = faster), CPU ms both, CPU ratio (theirs / ours). */
    private void row(String what, double[] r) {
        out.printf(Locale.ROOT, "%-14s %12.1f %14.1f %8.2f %14.0f %14.0f %10.2f%n", what, r[0], r[1], r[0] / r[1], r[2],
                r[3], r[3] > 0 ? r[3] / r[2] : Double.NaN);
    }

    private interface Job {
        void run() throws Exception;
    }

    /**
     * Best of {@value #ROUNDS} runs each, alternating, outputs deleted (untimed) before every
     * run. Also the least CPU time each used: on a shared machine wall time mostly measures the
     * scheduler (qemu-img's thread pool gets more CPU shares than one writer thread), CPU time
     * measures the work.
     */
    private double[] sideBySide(Job ours, Job theirs, Path oursOut, Path theirsOut) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        long bestOurs = Long.MAX_VALUE;
        long bestTheirs = Long.MAX_VALUE;
        long cpuOurs = Long.MAX_VALUE;
        for (int i = 0; i < ROUNDS; i++) {
            Files.deleteIfExists(oursOut);
            long c0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            ours.run();
            bestOurs = Math.min(bestOurs, System.nanoTime() - t0);
            cpuOurs = Math.min(cpuOurs, os.getProcessCpuTime() - c0);
            Files.deleteIfExists(theirsOut);
            long t1 = System.nanoTime();
            theirs.run();
            bestTheirs = Math.min(bestTheirs, System.nanoTime() - t1);
        }
        return new double[] {mbps(size, bestOurs), mbps(size, bestTheirs), cpuOurs / 1e6, qemuCpuNs / 1e6};
    }

    /** Least CPU time (user + system) of the qemu-img runs of the current comparison. */
    private long qemuCpuNs;

    /** The machine's load, so that figures from a shared machine can be read for what they are. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static double mbps(long bytes, long ns) {
        return bytes / 1e6 / (ns / 1e9);
    }

    /** Sparse raw source: every fourth MiB is left as a hole (reads as zero), the rest holds data. */
    private void makeSource(Path raw) throws IOException {
        byte[] mib = new byte[1 << 20];
        new Random(3).nextBytes(mib);
        try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long m = 0; m < size >> 20; m++) {
                if (m % 4 != 3) {
                    mib[0] = (byte) m;
                    mib[1] = (byte) (m >> 8);
                    ch.write(ByteBuffer.wrap(mib), m << 20);
                }
            }
            if (ch.size() < size) {
                ch.write(ByteBuffer.allocate(1), size - 1);
            }
        }
    }

    /** Runs qemu-img; under /usr/bin/time when there is one, to learn its CPU time. */
    private void qemuImg(String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>();
        boolean timed = Files.isExecutable(Path.of("/usr/bin/time"));
        if (timed) {
            cmd.addAll(java.util.List.of("/usr/bin/time", "-f", "cpu %U %S"));
        }
        cmd.add("qemu-img");
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String o = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("qemu-img failed: " + o);
        }
        if (timed) {
            for (String line : o.lines().toList()) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.split(" ");
                    long ns = (long) ((Double.parseDouble(f[1]) + Double.parseDouble(f[2])) * 1e9);
                    qemuCpuNs = Math.min(qemuCpuNs, ns);
                }
            }
        }
    }
}
