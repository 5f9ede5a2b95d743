package dev.rewind.replay;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

import dev.rewind.emulator.BootFiles;
import dev.rewind.emulator.MachineConfig;
import dev.rewind.emulator.MachineState;
import dev.rewind.emulator.StateFormatException;
import dev.rewind.emulator.StopReason;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.emulator.WatchHit;
import dev.rewind.emulator.WatchKind;
import dev.rewind.qcow2.Qcow2Image;
import dev.rewind.qcow2.Snapshot;
import dev.rewind.replay.log.ReplayLog;
import dev.rewind.replay.log.ReplayLogException;
import dev.rewind.replay.log.ReplayLogHeader;

/**
 * The history of a recording (rr's ReplayTimeline): positions, snapshots in memory and in the
 * recording's qcow2 image, moving to a position ({@link #seek}) and running forward
 * ({@link #run}), and the policy of where snapshots are taken. The {@link ReplaySession} it owns
 * only executes. Every user of a replay (the CLI, the gdb stub, Eclipse, {@link TimeTravel})
 * goes through this class; how snapshots are made and kept stays behind it.
 *
 * <p>Positions are icounts: at position {@code c} the instruction numbered {@code c} has not
 * executed yet. Breakpoints and watchpoints are kept here and installed in the machine only for
 * runs that watch for them, so seeks never stop early. Single-threaded, like the machine, except
 * {@link #requestStop()}.
 *
 * <p><b>Where snapshots are taken.</b> Periodic ones at multiples of the interval, so every pass
 * over a stretch of history meets the same ones. <em>Approach snapshots</em> at
 * {@code limit - 4^k} (k = 4..11) on the way to a run's limit, because a debugger may step back
 * from wherever a run stops, and that step replays from the nearest snapshot before it. A stop
 * nobody could foresee (a breakpoint, a watchpoint, an interrupt) replays once from the snapshot
 * before it to leave them ({@link #leaveSnapshotsBehind()}).
 */
public final class Timeline implements AutoCloseable {

    /** How a replay is set up. */
    public record Options(long snapshotInterval, long snapshotBudgetBytes, OutputStream echo, Path program,
            String fromSnapshot) {

        /** Measured default: at ~200+ MIPS a 10M-instruction interval replays in under 50 ms. */
        public static final long DEFAULT_INTERVAL = 10_000_000L;
        public static final long DEFAULT_BUDGET = 1L << 30;

        public static Options defaults() {
            return new Options(DEFAULT_INTERVAL, DEFAULT_BUDGET, null, null, null);
        }

        public Options withEcho(OutputStream out) {
            return new Options(snapshotInterval, snapshotBudgetBytes, out, program, fromSnapshot);
        }

        public Options withSnapshotInterval(long n) {
            return new Options(n, snapshotBudgetBytes, echo, program, fromSnapshot);
        }

        public Options withProgram(Path p) {
            return new Options(snapshotInterval, snapshotBudgetBytes, echo, p, fromSnapshot);
        }

        public Options fromSnapshot(String name) {
            return new Options(snapshotInterval, snapshotBudgetBytes, echo, program, name);
        }
    }

    /** A snapshot persisted in a recording's snapshot image; {@code icount} -1 if it carries none. */
    public record SavedSnapshot(String id, String name, long icount, long vmStateSize) {
    }

    /** Longest run between checks of {@link #interruptWhen}: a few ms of guest time. */
    static final long SLICE = 1_000_000L;
    /** Distances before a run's limit at which it leaves approach snapshots (powers of 4). */
    private static final long APPROACH_FARTHEST = 1L << 22;
    private static final long APPROACH_NEAREST = 1L << 8;
    /** No approach snapshots for this run. */
    private static final long NO_APPROACH = -1;
    /**
     * Farthest the nearest snapshot may lie behind a stop without {@link #leaveSnapshotsBehind}
     * replaying to it: a replay this long costs microseconds, a restore and the captures ~0.2 ms,
     * so a run stopping every few instructions (a breakpoint in a hot function) rarely pays it.
     */
    static final long SETTLED = 1L << 12;

    private final ReplaySession session;
    private final VirtMachine machine;
    private final SnapshotStore store;
    /** The recording's snapshot image, open while the replay reads its start snapshot or disk; may be null. */
    private final SnapshotImage image;
    private final long startIcount;
    private final long endIcount;
    private final TreeSet<Long> breakpoints = new TreeSet<>();
    private final List<long[]> watchpoints = new ArrayList<>();
    private final List<WatchKind> watchKinds = new ArrayList<>();
    private BooleanSupplier interrupt = () -> false;
    private volatile boolean stopRequested;

    private Timeline(ReplaySession session, SnapshotStore store, SnapshotImage image) {
        this.session = session;
        this.machine = session.machine();
        this.store = store;
        this.image = image;
        this.startIcount = machine.icount();
        this.endIcount = Math.max(startIcount, session.log().endIcount());
        store.capture(machine, session.ioPosition());
    }

    // ---- opening a recording ----

    /**
     * Opens a recording for replay: reads the log, rebuilds and checks the machine, restores the
     * start snapshot if the recording has one.
     */
    public static Timeline open(Path logFile, Options options) throws ReplayLogException, ReplaySetupException, IOException {
        ReplayLog log = ReplayLog.read(logFile);
        ReplayLogHeader h = log.header();
        BootFiles boot = bootFiles(logFile, h, options.program());

        String startName = options.fromSnapshot() != null ? options.fromSnapshot() : h.startSnapshot();
        SnapshotImage image = null;
        VmState startState = null;
        Snapshot startSnapshot = null;
        if (startName != null) {
            if (h.snapshotImagePath() == null) {
                throw new ReplaySetupException("the recording names start snapshot '" + startName + "' but no snapshot image");
            }
            Path img = resolve(logFile, h.snapshotImagePath());
            try {
                image = SnapshotImage.openReadOnly(img);
                startSnapshot = image.find(startName);
                startState = image.load(startName);
            } catch (IOException e) {
                SnapshotImage.closeQuietly(image);
                throw new ReplaySetupException("cannot load snapshot '" + startName + "' from " + img + ": " + e.getMessage(), e);
            } catch (ReplaySetupException e) {
                SnapshotImage.closeQuietly(image);
                throw e;
            }
        }

        try {
            return open(logFile, log, options, boot, image, startName, startSnapshot, startState);
        } catch (ReplaySetupException | IOException | RuntimeException e) {
            SnapshotImage.closeQuietly(image);
            throw e;
        }
    }

    private static Timeline open(Path logFile, ReplayLog log, Options options, BootFiles boot, SnapshotImage image,
            String startName, Snapshot startSnapshot, VmState startState) throws ReplaySetupException, IOException {
        ReplayLogHeader h = log.header();
        OverlayDisk disk = null;
        long diskSectors = 0;
        if (h.diskPath() != null) {
            disk = new OverlayDisk(diskBase(logFile, h, image, startSnapshot));
            diskSectors = disk.sectors();
        }
        MachineSetup setup = new MachineSetup(boot, h.ramSize(), h.icountShift(), diskSectors, h.harts());
        setup.verify(h);

        Replayer replayer = new Replayer(log.events());
        ConsoleHistory console = new ConsoleHistory(options.echo());
        MachineConfig.Builder config = MachineConfig.builder().ramSize(h.ramSize()).icountShift(h.icountShift()).harts(h.harts())
                .uartOut(console).inputPort(replayer);
        if (disk != null) {
            config.disk(disk);
        }
        VirtMachine machine = ProgramLoader.newMachine(config.build(), boot);
        if (startState != null) {
            try {
                machine.restoreState(startState.machine());
            } catch (StateFormatException e) {
                throw new ReplaySetupException("snapshot '" + startName + "' does not fit this machine: " + e.getMessage());
            }
            if (startState.eventsConsumed() > log.events().size()) {
                throw new ReplaySetupException("snapshot '" + startName + "' at icount " + startState.machine().icount()
                        + " lies beyond the end of the recording");
            }
            replayer.restore(new Replayer.Position((int) startState.eventsConsumed(), new long[0]));
        }
        ReplaySession session = new ReplaySession(logFile, log, machine, replayer, console, disk,
                boot.kernel() != null ? boot.kernel() : boot.bios());
        return new Timeline(session, new SnapshotStore(options.snapshotInterval(), options.snapshotBudgetBytes()), image);
    }

    /**
     * The recorded boot files, found where they were or beside the log; {@code program}, if given,
     * stands in for the program (the kernel, else the firmware). A log without boot files booted
     * its program as {@code -bios none -kernel}.
     */
    private static BootFiles bootFiles(Path logFile, ReplayLogHeader h, Path program) {
        if (h.bootFiles().isEmpty()) {
            return BootFiles.program(program != null ? program : resolve(logFile, h.programPath()));
        }
        java.util.Map<String, Path> files = new java.util.TreeMap<>();
        for (ReplayLogHeader.BootFile f : h.bootFiles()) {
            files.put(f.role(), resolve(logFile, f.path()));
        }
        if (program != null) {
            files.put(files.containsKey("kernel") ? "kernel" : "bios", program);
        }
        java.util.List<Path> pflash = new java.util.ArrayList<>();
        if (files.containsKey("pflash0") || files.containsKey("pflash1")) {
            pflash.add(files.get("pflash0"));
            if (files.containsKey("pflash1")) {
                pflash.add(files.get("pflash1"));
            }
        }
        return new BootFiles(files.get("bios"), files.get("kernel"), files.get("initrd"), h.append(), files.get("dtb"),
                pflash);
    }

    private static OverlayDisk.Base diskBase(Path logFile, ReplayLogHeader h, SnapshotImage image, Snapshot start)
            throws IOException, ReplaySetupException {
        Path diskPath = resolve(logFile, h.diskPath());
        if (image != null && start != null && Files.isSameFile(diskPath, image.image().path())) {
            Qcow2Image img = image.image();
            return new OverlayDisk.Base() {
                public long size() {
                    return img.size();
                }

                public void read(long offset, byte[] buf, int off, int len) throws IOException {
                    img.readSnapshot(start, offset, buf, off, len);
                }
            };
        }
        throw new ReplaySetupException("the recording uses disk " + diskPath + " without a start snapshot in it;"
                + " record with --snapshot init so the replay can start from the recorded disk contents");
    }

    /**
     * Where a file the log header names is: as written if it exists there (absolute, or relative
     * to the working directory), else beside the log (by its relative path, or an absolute one's
     * file name), so that a recording moved together with its files still opens. The one rule
     * for every file a recording refers to; a file found nowhere keeps the name as written, for
     * the error message.
     */
    public static Path resolve(Path logFile, String path) {
        Path p = Path.of(path);
        if (Files.exists(p)) {
            return p;
        }
        Path dir = logFile.toAbsolutePath().getParent();
        Path besideLog = dir.resolve(p.isAbsolute() ? p.getFileName() : p);
        return Files.exists(besideLog) ? besideLog : p;
    }

    /**
     * The snapshots persisted for a recording, without replaying it ({@code rewind info}); empty
     * if it names no snapshot image.
     *
     * @throws IOException if the image is missing or unreadable (the message names it)
     */
    public static List<SavedSnapshot> savedSnapshots(Path logFile, ReplayLogHeader h) throws IOException {
        if (h.snapshotImagePath() == null) {
            return List.of();
        }
        Path image = resolve(logFile, h.snapshotImagePath());
        if (!Files.exists(image)) {
            throw new IOException("image " + image + " is missing");
        }
        try (SnapshotImage img = SnapshotImage.openReadOnly(image)) {
            return img.list();
        } catch (IOException e) {
            throw new IOException("cannot read " + image + ": " + e.getMessage(), e);
        }
    }

    /** The snapshots persisted for this recording (see {@link #savedSnapshots(Path, ReplayLogHeader)}); empty if unreadable. */
    public List<SavedSnapshot> savedSnapshots() {
        try {
            return savedSnapshots(session.logFile(), session.log().header());
        } catch (IOException e) {
            return List.of(); // listing is informational
        }
    }

    /** Sees what a query index records while the timeline replays forward (see {@code query.RecordingIndex}). */
    public interface IndexObserver {
        /** A capture at {@code icount}: the RAM pages (RAM offset / 4096) written since the previous one. */
        void captured(long icount, java.util.Set<Long> writtenPages);

        /** The guest submitted disk request {@code requestId}. */
        void blockSubmitted(long icount, long requestId);
    }

    /** Installs (or with null removes) the observer of captures and disk requests. */
    public void observe(IndexObserver observer) {
        store.observe(observer);
        session.observeSubmissions(observer == null ? null : observer::blockSubmitted);
    }

    // ---- what is where ----

    /** The execution behind the timeline: machine, log, console. */
    public ReplaySession session() {
        return session;
    }

    public VirtMachine machine() {
        return machine;
    }

    /** The current position. */
    public long icount() {
        return machine.icount();
    }

    /** First position of the replayable history. */
    public long startIcount() {
        return startIcount;
    }

    /** Last position of the replayable history. */
    public long endIcount() {
        return endIcount;
    }

    /** Icounts of the in-memory snapshots, ascending. */
    public long[] snapshotIcounts() {
        return store.icounts();
    }

    /** Position of the latest in-memory snapshot at or before {@code icount}: where a seek there replays from. */
    public long snapshotAtOrBefore(long icount) {
        return store.floor(Math.max(startIcount, icount)).icount();
    }

    /** Instructions between the periodic snapshots. */
    public long snapshotInterval() {
        return store.interval();
    }

    /** Estimated memory held by the in-memory snapshots. */
    public long snapshotBytes() {
        return store.bytesUsed();
    }

    /** The in-memory snapshots (tests and the algorithms of this package). */
    SnapshotStore snapshots() {
        return store;
    }

    // ---- interrupting ----

    /**
     * Makes runs stop with {@link ReplayStop#INTERRUPTED} when {@code requested} says so (checked
     * at least every {@value #SLICE} instructions); for a debugger's Ctrl-C or a cancel button.
     */
    public void interruptWhen(BooleanSupplier requested) {
        this.interrupt = requested == null ? () -> false : requested;
    }

    /**
     * Asks the run in progress (or the next one) to stop with {@link ReplayStop#INTERRUPTED} at
     * the next check; safe from any thread, e.g. a Suspend button. Reverse continue honours it too.
     */
    public void requestStop() {
        stopRequested = true;
    }

    // ---- breakpoints and watchpoints (installed only for watching runs) ----

    public void addBreakpoint(long pc) {
        breakpoints.add(pc);
    }

    public void removeBreakpoint(long pc) {
        breakpoints.remove(pc);
    }

    public boolean hasBreakpoint(long pc) {
        return breakpoints.contains(pc);
    }

    public void addWatchpoint(long addr, long len, WatchKind kind) {
        watchpoints.add(new long[] {addr, len});
        watchKinds.add(kind);
    }

    public void removeWatchpoint(long addr, long len, WatchKind kind) {
        for (int i = 0; i < watchpoints.size(); i++) {
            long[] w = watchpoints.get(i);
            if (w[0] == addr && w[1] == len && watchKinds.get(i) == kind) {
                watchpoints.remove(i);
                watchKinds.remove(i);
                return;
            }
        }
    }

    private void install() {
        for (long pc : breakpoints) {
            machine.addBreakpoint(pc);
        }
        for (int i = 0; i < watchpoints.size(); i++) {
            machine.addWatchpoint(watchpoints.get(i)[0], watchpoints.get(i)[1], watchKinds.get(i));
        }
    }

    private void uninstall() {
        for (long pc : breakpoints) {
            machine.removeBreakpoint(pc);
        }
        for (int i = 0; i < watchpoints.size(); i++) {
            machine.removeWatchpoint(watchpoints.get(i)[0], watchpoints.get(i)[1], watchKinds.get(i));
        }
    }

    /** The access behind the last {@link ReplayStop#WATCHPOINT}. */
    public WatchHit lastWatchHit() {
        return machine.lastWatchHit();
    }

    // ---- running ----

    /**
     * Runs forward to {@code limit} (clamped to the end of history). With {@code watch}, stops at
     * breakpoints (before the instruction) and watchpoints (after it). A run that starts on a
     * breakpoint executes that instruction first, as a debugger's continue does (the machine's
     * own rule). Leaves approach snapshots on its way to {@code limit}: a stop at the limit is
     * then at most 256 instructions past one.
     */
    public ReplayStop run(long limit, boolean watch) {
        return run(limit, watch, true, limit);
    }

    /**
     * Runs forward to {@code limit} stopping at breakpoints and watchpoints like {@code run(limit,
     * true)}, but leaves only the periodic snapshots: for passes that merely look at a stretch of
     * history (reverse continue's scan), whose stops are not where the debugger will stay.
     */
    public ReplayStop scan(long limit) {
        return run(limit, true, true, NO_APPROACH);
    }

    /** {@code approachTarget}: the icount below which snapshots are left at 4^k distances, or {@link #NO_APPROACH}. */
    private ReplayStop run(long limit, boolean watch, boolean interruptible, long approachTarget) {
        limit = Math.min(limit, endIcount);
        approachTarget = Math.min(approachTarget, endIcount);
        if (watch) {
            install();
        }
        try {
            boolean first = true;
            while (true) {
                long now = machine.icount();
                if (now >= limit) {
                    return now >= endIcount ? ReplayStop.END_OF_HISTORY : ReplayStop.LIMIT;
                }
                if (interruptible && (stopRequested || interrupt.getAsBoolean())) {
                    stopRequested = false;
                    return ReplayStop.INTERRUPTED;
                }
                // The machine steps off a breakpoint at the pc a run starts from (a debugger's
                // continue); a run we merely split into chunks must not skip one that way.
                if (watch && !first && breakpoints.contains(machine.pc())) {
                    return ReplayStop.BREAKPOINT;
                }
                first = false;
                long chunk = Math.min(limit, store.nextBoundary(now));
                chunk = Math.min(chunk, Math.min(session.nextDigestAfter(now), now + SLICE));
                chunk = Math.min(chunk, nextApproachPoint(now, approachTarget));
                StopReason r = session.advance(chunk);
                ReplayStop s = afterRun(r, approachTarget);
                if (s != null) {
                    return s;
                }
            }
        } finally {
            if (watch) {
                uninstall();
            }
        }
    }

    /** Handles a machine stop: snapshots, the exit check; returns a stop to report or null to go on. */
    private ReplayStop afterRun(StopReason r, long approachTarget) {
        long now = machine.icount();
        if (store.wants(now) || (isApproachPoint(now, approachTarget) && !store.contains(now))) {
            store.capture(machine, session.ioPosition());
        }
        return switch (r) {
            case LIMIT -> null;
            case BREAKPOINT -> ReplayStop.BREAKPOINT;
            case WATCHPOINT -> ReplayStop.WATCHPOINT;
            case EXIT -> {
                session.checkExit(captureState().digest());
                yield ReplayStop.END_OF_HISTORY;
            }
            case IDLE -> ReplayStop.END_OF_HISTORY;
            case REQUESTED -> ReplayStop.INTERRUPTED;
        };
    }

    /**
     * Moves to {@code target} (clamped to the history): restores the nearest snapshot before it
     * and replays. Before, not at: the replay leaves approach snapshots, so the steps back that
     * usually follow an arrival replay little, even when the target is itself a snapshot.
     */
    public void seek(long target) {
        target = Math.max(startIcount, Math.min(target, endIcount));
        long now = machine.icount();
        SnapshotStore.Snapshot s = store.floor(Math.max(startIcount, target - 1));
        if (target < now || s.icount() > now) {
            restore(s);
        }
        run(target, false);
    }

    /**
     * Makes sure snapshots lie close behind the current position, replaying from the nearest
     * earlier one if they do not. For stops no run could foresee (a breakpoint, a watchpoint, an
     * interrupt): the stop pays here, once and at most one snapshot interval, what the first step
     * back from it would pay, and the steps back are then all cheap. Snapshots taken on every
     * watching run instead would slow every run with breakpoints by their captures.
     */
    void leaveSnapshotsBehind() {
        long here = machine.icount();
        if (here <= startIcount) {
            return;
        }
        SnapshotStore.Snapshot s = store.floor(here - 1);
        if (here - s.icount() > SETTLED) {
            restore(s);
            run(here, false, false, here); // back to exactly here even if a stop is pending
        }
    }

    /** The first point after {@code now} at which a run leaves an approach snapshot below {@code target}. */
    private static long nextApproachPoint(long now, long target) {
        for (long d = APPROACH_FARTHEST; d >= APPROACH_NEAREST && target != NO_APPROACH; d >>= 2) {
            if (target - d > now) {
                return target - d;
            }
        }
        return Long.MAX_VALUE;
    }

    private static boolean isApproachPoint(long now, long target) {
        long d = target - now;
        return target != NO_APPROACH && d >= APPROACH_NEAREST && d <= APPROACH_FARTHEST && Long.bitCount(d) == 1
                && Long.numberOfTrailingZeros(d) % 2 == 0;
    }

    /**
     * Moves to {@code icount} the cheapest way: by restoring the snapshot there if there is one,
     * else as {@link #seek} does. For engines that look at positions rather than step back from
     * them (the query engine): no approach snapshots are left when a snapshot is there.
     */
    public void moveTo(long icount) {
        SnapshotStore.Snapshot s = store.floor(icount);
        long now = machine.icount();
        if (s != null && s.icount() == icount && now != icount) {
            restore(s);
        } else if (now != icount) {
            seek(icount);
        }
    }

    /** Moves to a snapshot's position by restoring it, without replay. */
    void restore(SnapshotStore.Snapshot s) {
        store.restore(machine, s);
        session.restoreIo(s.io());
    }

    /**
     * A full capture of the current state (e.g. for its digest). Use this rather than the
     * machine's own saveState: it keeps the incremental snapshot chain consistent.
     */
    public MachineState captureState() {
        return store.captureFull(machine);
    }

    @Override
    public void close() throws IOException {
        try {
            session.close();
        } finally {
            if (image != null) {
                image.close();
            }
        }
    }
}
