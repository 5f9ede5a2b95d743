package dev.rewind.replay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import dev.rewind.emulator.BootFiles;
import dev.rewind.emulator.InputPort;
import dev.rewind.emulator.LiveInputPort;
import dev.rewind.emulator.MachineConfig;
import dev.rewind.emulator.RtcConfig;
import dev.rewind.emulator.StopReason;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.qcow2.Qcow2Exception;
import dev.rewind.qcow2.Qcow2Image;
import dev.rewind.replay.log.ReplayLogHeader;
import dev.rewind.replay.log.ReplayLogWriter;

/**
 * Records a run: a live machine whose input port is a {@link Recorder}. A recording with a disk
 * (or one that asks for a start snapshot) first saves the machine state as a qcow2 internal
 * snapshot carrying its icount, as QEMU's {@code rrsnapshot} does; the log header names
 * everything a replay needs.
 */
public final class RecordSession implements AutoCloseable {

    /**
     * How to record. {@code boot} is what the machine boots ({@code -bios none -kernel PROGRAM} for
     * a program); {@code snapshotImage} is the orphan qcow2 for a diskless run (created if missing).
     */
    public record Options(BootFiles boot, Path logFile, long ramSize, int icountShift, Path disk, String startSnapshot,
            Path snapshotImage, long digestInterval, boolean sleep, InputStream uartIn, OutputStream uartOut,
            long pollInterval, long snapshotEvery, int harts, RtcConfig rtc, long snapshotSpace) {

        public static final long DEFAULT_DIGEST_INTERVAL = 10_000_000L;
        public static final long DEFAULT_POLL_INTERVAL = 100_000L;
        /**
         * What {@code rewind record} persists unless told otherwise: a snapshot every 250M
         * instructions (a replay reaches any position by replaying at most that far: ~1 s of
         * bare-metal code, ~3 s of Linux), within {@value #DEFAULT_SNAPSHOT_SPACE_RAM_MULTIPLE}
         * x the guest's RAM of snapshot state (a Linux snapshot of a 512 MiB guest holds ~40 MiB).
         */
        public static final long DEFAULT_SNAPSHOT_EVERY = 250_000_000L;
        public static final long DEFAULT_SNAPSHOT_SPACE_RAM_MULTIPLE = 4;

        public static Options of(Path program, Path logFile) {
            return of(BootFiles.program(program), logFile);
        }

        public static Options of(BootFiles boot, Path logFile) {
            return new Options(boot, logFile, MachineConfig.DEFAULT_RAM, 0, null, null, null, DEFAULT_DIGEST_INTERVAL,
                    false, null, null, DEFAULT_POLL_INTERVAL, 0, 1, RtcConfig.DEFAULT, 0);
        }

        /** The file whose symbols describe the run: the kernel, else the firmware. */
        public Path program() {
            return boot.program();
        }

        public Options withInput(InputStream in, OutputStream out) {
            return new Options(boot, logFile, ramSize, icountShift, disk, startSnapshot, snapshotImage, digestInterval,
                    sleep, in, out, pollInterval, snapshotEvery, harts, rtc, snapshotSpace);
        }

        public Options withMachine(long ram, int shift) {
            return new Options(boot, logFile, ram, shift, disk, startSnapshot, snapshotImage, digestInterval, sleep,
                    uartIn, uartOut, pollInterval, snapshotEvery, harts, rtc, snapshotSpace);
        }

        public Options withDisk(Path diskImage, String snapshot) {
            return new Options(boot, logFile, ramSize, icountShift, diskImage, snapshot, snapshotImage, digestInterval,
                    sleep, uartIn, uartOut, pollInterval, snapshotEvery, harts, rtc, snapshotSpace);
        }

        public Options withSnapshotImage(Path image, String snapshot) {
            return new Options(boot, logFile, ramSize, icountShift, disk, snapshot, image, digestInterval, sleep,
                    uartIn, uartOut, pollInterval, snapshotEvery, harts, rtc, snapshotSpace);
        }

        public Options withSleep(boolean on) {
            return new Options(boot, logFile, ramSize, icountShift, disk, startSnapshot, snapshotImage, digestInterval,
                    on, uartIn, uartOut, pollInterval, snapshotEvery, harts, rtc, snapshotSpace);
        }

        public Options withPollInterval(long n) {
            return new Options(boot, logFile, ramSize, icountShift, disk, startSnapshot, snapshotImage, digestInterval,
                    sleep, uartIn, uartOut, n, snapshotEvery, harts, rtc, snapshotSpace);
        }

        /** Persist a snapshot named auto-ICOUNT every {@code n} instructions (0 = only the start snapshot). */
        public Options withSnapshotEvery(long n) {
            return new Options(boot, logFile, ramSize, icountShift, disk, startSnapshot, snapshotImage, digestInterval,
                    sleep, uartIn, uartOut, pollInterval, n, harts, rtc, snapshotSpace);
        }

        /**
         * Bytes of state the periodic snapshots may hold in the image ({@code --snapshot-space});
         * 0: {@value #DEFAULT_SNAPSHOT_SPACE_RAM_MULTIPLE} x the guest's RAM. Past it they are thinned
         * (the period doubled, every other one deleted).
         */
        public Options withSnapshotSpace(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("snapshot space must not be negative: " + bytes);
            }
            return new Options(boot, logFile, ramSize, icountShift, disk, startSnapshot, snapshotImage, digestInterval,
                    sleep, uartIn, uartOut, pollInterval, snapshotEvery, harts, rtc, bytes);
        }

        /** The space budget of the periodic snapshots in bytes (see {@link #withSnapshotSpace}). */
        public long snapshotSpaceBytes() {
            return snapshotSpace > 0 ? snapshotSpace : DEFAULT_SNAPSHOT_SPACE_RAM_MULTIPLE * ramSize;
        }

        /**
         * The snapshots a recording persists unless told otherwise (rewind record, the IDE's Record
         * Run): every {@value #DEFAULT_SNAPSHOT_EVERY} instructions, in the disk, in the snapshot
         * image already named, or else in {@link #defaultSnapshotImage} beside the log.
         */
        public Options withDefaultSnapshots() {
            Options o = withSnapshotEvery(DEFAULT_SNAPSHOT_EVERY);
            return disk != null || snapshotImage != null ? o : o.withSnapshotImage(defaultSnapshotImage(logFile), startSnapshot);
        }

        /**
         * Where a diskless recording keeps its snapshots unless told otherwise: beside the log,
         * {@code RUN.snapshots.qcow2} for {@code RUN.rrlog}.
         */
        public static Path defaultSnapshotImage(Path logFile) {
            String name = logFile.getFileName().toString();
            return logFile.resolveSibling((name.endsWith(".rrlog") ? name.substring(0, name.length() - 6) : name)
                    + ".snapshots.qcow2");
        }

        /** Harts (1..8, {@code --smp}). */
        public Options withHarts(int n) {
            return new Options(boot, logFile, ramSize, icountShift, disk, startSnapshot, snapshotImage, digestInterval,
                    sleep, uartIn, uartOut, pollInterval, snapshotEvery, n, rtc, snapshotSpace);
        }

        /** The RTC's base and clock (QEMU's {@code -rtc}); {@code base=DATETIME,clock=vm} makes it a function of icount. */
        public Options withRtc(RtcConfig r) {
            return new Options(boot, logFile, ramSize, icountShift, disk, startSnapshot, snapshotImage, digestInterval,
                    sleep, uartIn, uartOut, pollInterval, snapshotEvery, harts, r, snapshotSpace);
        }

        public Options withDigestInterval(long n) {
            return new Options(boot, logFile, ramSize, icountShift, disk, startSnapshot, snapshotImage, n, sleep,
                    uartIn, uartOut, pollInterval, snapshotEvery, harts, rtc, snapshotSpace);
        }
    }

    /** How a recording ended. */
    public record Result(StopReason reason, long icount, int exitCode, long events) {
    }

    private final Options options;
    private final VirtMachine machine;
    private final Recorder recorder;
    private final Qcow2Image diskImage;
    /** Where snapshots go: the disk, an orphan image, or null. */
    private final SnapshotImage snapshotImage;
    /** Periodic snapshots and the one close before the end; null without {@code snapshotEvery}. */
    private final RecordingSnapshots periodic;
    private final HartDigest hartDigest = new HartDigest();
    /** The code pages each stretch ran, for reverse continue ({@link CodePageIndex}). */
    private final CodePageIndex.Builder codePages;
    private boolean ended;
    private volatile boolean stopRequested;
    /** Instructions between checks for a stop request. */
    static final long SLICE = 10_000_000L;

    private RecordSession(Options options, VirtMachine machine, Recorder recorder, Qcow2Image diskImage,
            SnapshotImage snapshotImage, ConsoleHistory console) throws IOException {
        this.options = options;
        Qcow2Disk written = diskImage != null && options.snapshotEvery() > 0 ? (Qcow2Disk) machine.config().disk() : null;
        if (written != null) {
            written.keepWrittenChunks();
        }
        this.periodic = options.snapshotEvery() > 0 ? new RecordingSnapshots(snapshotImage,
                RecordingSnapshots.prefix(diskImage == null ? null : options.startSnapshot()), console,
                written == null ? null : written::writtenChunks, options.snapshotEvery(), options.snapshotSpaceBytes(),
                machine) : null;
        this.machine = machine;
        this.recorder = recorder;
        this.diskImage = diskImage;
        this.snapshotImage = snapshotImage;
        this.codePages = new CodePageIndex.Builder(machine);
    }

    /** Periodic snapshots persisted so far (besides the start snapshot), including any thinned out since. */
    public long snapshotsTaken() {
        return periodic == null ? 0 : periodic.taken();
    }

    /** What the periodic snapshots left in the image: how many, the bytes of state they hold, their distance now. */
    public record SnapshotsKept(long count, long bytes, long every, Path image) {
    }

    /** The periodic snapshots in the image now (after the recording ended: all it keeps); null without them. */
    public SnapshotsKept snapshotsKept() {
        if (periodic == null) {
            return null;
        }
        long[] k = periodic.kept();
        return new SnapshotsKept(k[0], k[1], periodic.every(), snapshotImage.image().path());
    }

    /**
     * Times persisting the periodic snapshots with {@code cpuNanos}, a clock the caller reads
     * (e.g. the recording thread's CPU time): the engine never reads the host clock itself.
     */
    public void timeSnapshots(java.util.function.LongSupplier cpuNanos) {
        if (periodic != null) {
            periodic.timeWith(cpuNanos);
        }
    }

    /** Time spent persisting periodic snapshots, by the clock given to {@link #timeSnapshots} (0 if untimed). */
    public long snapshotNanos() {
        return periodic == null ? 0 : periodic.persistNanos();
    }

    public static RecordSession start(Options o) throws ReplaySetupException, IOException {
        if (o.disk() != null && o.startSnapshot() == null) {
            throw new ReplaySetupException("a recording with a disk needs a start snapshot (--snapshot init) so that the replay"
                    + " starts from the same disk contents");
        }
        if (o.disk() == null && o.startSnapshot() != null && o.snapshotImage() == null) {
            throw new ReplaySetupException("a diskless recording keeps its start snapshot in an orphan qcow2 image:"
                    + " name one with --snapshot-image FILE");
        }
        if (!o.rtc().replayable()) {
            // QEMU refuses it too ("Record/replay feature is not supported for '-rtc base=localtime'").
            throw new ReplaySetupException("-rtc base=localtime cannot be recorded: the host's time zone is no logged input,"
                    + " so a replay elsewhere would differ; use base=utc or base=DATETIME");
        }
        Qcow2Image disk = null;
        try {
            if (o.disk() != null) {
                if (Files.isRegularFile(o.disk()) && Qcow2Image.probeFormat(o.disk()).equals("raw")) {
                    // The start snapshot lives in the disk, and only qcow2 holds snapshots.
                    throw new ReplaySetupException("disk " + o.disk() + " is a raw image; a recording starts from a"
                            + " snapshot inside its disk, so the disk must be qcow2: convert it with 'rewind img convert"
                            + " -O qcow2 " + o.disk() + " " + o.disk().getFileName() + ".qcow2'");
                }
                disk = Qcow2Image.open(o.disk());
            }
            long sectors = disk == null ? 0 : disk.size() / 512;
            MachineSetup setup = new MachineSetup(o.boot(), o.ramSize(), o.icountShift(), sectors, o.harts(), o.rtc());
            InputPort live = new LiveInputPort(o.uartIn(), Clock.systemUTC(), o.pollInterval());
            if (o.sleep()) {
                live = new SleepingIdlePort(live, Clock.systemUTC(), o.uartIn());
            }

            // The machine is built before the log exists: its state at icount 0 may go into a snapshot first.
            DeferredRecorderPort port = new DeferredRecorderPort();
            // the guest's output so far goes into each periodic snapshot: a replay jumping to one has not seen it
            ConsoleHistory console = o.snapshotEvery() > 0 ? new ConsoleHistory(o.uartOut()) : null;
            MachineConfig.Builder cb = MachineConfig.builder().ramSize(o.ramSize()).icountShift(o.icountShift()).harts(o.harts())
                    .rtc(o.rtc()).uartOut(console != null ? console : o.uartOut()).inputPort(port);
            if (disk != null) {
                cb.disk(new Qcow2Disk(disk));
            }
            VirtMachine machine = ProgramLoader.newMachine(cb.build(), o.boot());

            if (o.snapshotEvery() > 0 && o.disk() == null && o.snapshotImage() == null) {
                throw new ReplaySetupException("periodic snapshots need a snapshot image: give --snapshot-image FILE");
            }
            Path snapshotImage = null;
            SnapshotImage snapshots = null;
            if (o.startSnapshot() != null || o.snapshotEvery() > 0) {
                snapshotImage = o.disk() != null ? o.disk() : o.snapshotImage();
                snapshots = disk != null ? SnapshotImage.inDisk(disk) : SnapshotImage.openOrCreate(snapshotImage);
            }
            if (o.startSnapshot() != null) {
                snapshots.save(o.startSnapshot(), machine, 0, new byte[0]);
            }
            List<ReplayLogHeader.BootFile> bootFiles = setup.bootFileDigests();
            ReplayLogHeader header = new ReplayLogHeader(o.program().toAbsolutePath().toString(), setup.programSha256(bootFiles),
                    o.ramSize(), o.icountShift(), o.disk() == null ? null : o.disk().toAbsolutePath().toString(),
                    snapshotImage == null ? null : snapshotImage.toAbsolutePath().toString(), o.startSnapshot(), o.sleep(),
                    setup.configDigest(), o.digestInterval(), "rewind 0.1.0", bootFiles, o.boot().append(),
                    o.harts(), setup.rtcText());
            Recorder recorder = new Recorder(live, ReplayLogWriter.create(o.logFile(), header));
            port.target = recorder;
            return new RecordSession(o, machine, recorder, disk, snapshots, console);
        } catch (Qcow2Exception e) {
            closeQuietly(disk);
            throw new ReplaySetupException(e.getMessage(), e);
        } catch (ReplaySetupException | IOException | RuntimeException e) {
            closeQuietly(disk);
            throw e;
        }
    }

    private static void closeQuietly(Qcow2Image img) {
        if (img != null) {
            try {
                img.close();
            } catch (IOException e) {
                // the original error matters more
            }
        }
    }

    public VirtMachine machine() {
        return machine;
    }

    /**
     * Asks a running {@link #run(long)} to end the recording (e.g. on Ctrl-C); it does so within
     * one run slice ({@value #SLICE} instructions). Safe to call from another thread.
     */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Runs until the guest exits, sleeps forever, {@code maxIcount} is reached or a stop is
     * requested, logging hart digests on the way; then ends the log.
     */
    public Result run(long maxIcount) throws IOException {
        StopReason r = StopReason.LIMIT;
        long interval = options.digestInterval();
        while (true) {
            long now = machine.icount();
            if (now >= maxIcount) {
                break;
            }
            if (stopRequested) {
                r = StopReason.REQUESTED;
                break;
            }
            long next = interval > 0 ? (now / interval + 1) * interval : Long.MAX_VALUE;
            if (periodic != null) {
                next = Math.min(next, periodic.nextStop(now));
            }
            r = machine.run(Math.min(Math.min(maxIcount, next), now + SLICE));
            long at = machine.icount();
            if (interval > 0 && at % interval == 0 && at > 0) {
                recorder.digest(at, hartDigest.of(machine));
            }
            if (interval <= 0 || at % interval == 0) {
                codePages.boundary();
            }
            // A snapshot waits for a moment without half-done block requests (at most a few polls).
            if (periodic != null && recorder.canSnapshot() && r == StopReason.LIMIT) {
                periodic.at(machine, recorder.events());
            }
            if (r != StopReason.LIMIT) {
                break;
            }
        }
        if (r == StopReason.EXIT) {
            recorder.exit(machine.icount(), machine.exitCode(), machine.saveState().digest());
        }
        end();
        return new Result(r, machine.icount(), r == StopReason.EXIT ? machine.exitCode() : 0, recorder.events());
    }

    private void end() throws IOException {
        if (!ended) {
            ended = true;
            if (periodic != null) {
                periodic.finish(machine.icount());
            }
            recorder.end(machine.icount());
            if (diskImage != null) {
                diskImage.flush();
            }
            try {
                codePages.finish(options.logFile());
            } catch (IOException e) {
                // the recording itself is whole; only reverse continue loses its shortcut
                System.err.println("rewind: cannot write " + CodePageIndex.beside(options.logFile()) + ": " + e.getMessage()
                        + "; reverse continue will replay every stretch back to a hit");
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            end();
        } finally {
            if (snapshotImage != null) {
                snapshotImage.close(); // closes an orphan image, not the disk
            }
            if (diskImage != null) {
                diskImage.close();
            }
        }
    }

    /** Forwards to the recorder once it exists; nothing reaches the machine before recording starts. */
    private static final class DeferredRecorderPort implements InputPort {
        InputPort target;

        private InputPort t() {
            if (target == null) {
                throw new IllegalStateException("the machine ran before the recording started");
            }
            return target;
        }

        public long nextDeadline(long icount) {
            return t().nextDeadline(icount);
        }

        public void poll(long icount, dev.rewind.emulator.InputSink sink) {
            t().poll(icount, sink);
        }

        public long idle(long icount, long nowNs, long deadlineNs, dev.rewind.emulator.InputSink sink) {
            return t().idle(icount, nowNs, deadlineNs, sink);
        }

        public void blockSubmitted(long icount, long requestId) {
            t().blockSubmitted(icount, requestId);
        }

        public long hostClockNs(long icount) {
            return t().hostClockNs(icount);
        }
    }
}
