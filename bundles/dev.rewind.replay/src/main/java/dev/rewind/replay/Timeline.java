package dev.rewind.replay;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

import dev.rewind.emulator.BootFiles;
import dev.rewind.emulator.MachineConfig;
import dev.rewind.emulator.MachineState;
import dev.rewind.emulator.StateFormatException;
import dev.rewind.emulator.StopReason;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.emulator.WatchHit;
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
 * executed yet. The user's breakpoints and watchpoints are one registry here ({@link #stops()});
 * a run stops at them and at temporary conditions it is given, and reports one {@link Stop}.
 * Single-threaded, like the machine; the interrupt check ({@link #interruptWhen}) may read state
 * set by other threads.
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
        /** A budget of 0 means this many times the recording's guest RAM (the newest snapshot alone may reference all of it). */
        public static final long DEFAULT_BUDGET_RAM_MULTIPLE = 2;
        /** Stands for the default budget, {@value #DEFAULT_BUDGET_RAM_MULTIPLE} x the guest's RAM. */
        public static final long DEFAULT_BUDGET = 0;

        public static Options defaults() {
            return new Options(DEFAULT_INTERVAL, DEFAULT_BUDGET, null, null, null);
        }

        public Options withEcho(OutputStream out) {
            return new Options(snapshotInterval, snapshotBudgetBytes, out, program, fromSnapshot);
        }

        public Options withSnapshotInterval(long n) {
            return new Options(n, snapshotBudgetBytes, echo, program, fromSnapshot);
        }

        /** Memory the in-memory snapshots may hold (bytes; 0: the default, twice the guest's RAM). */
        public Options withSnapshotBudget(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("snapshot budget must not be negative: " + bytes);
            }
            return new Options(snapshotInterval, bytes, echo, program, fromSnapshot);
        }

        /** The budget for a guest of {@code ramSize} bytes. */
        public long budgetFor(long ramSize) {
            return snapshotBudgetBytes > 0 ? snapshotBudgetBytes : DEFAULT_BUDGET_RAM_MULTIPLE * ramSize;
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
    /**
     * Runs this short are interpreted ({@link VirtMachine#interpretShortRuns}): a step back's
     * replay from the approach snapshot 256 instructions before, or a settle's: ~0.1 ms at most,
     * and no deoptimized translated block (the first reverse-stepi after a jump on Linux cost
     * 3-5 ms of the engine's time for that, the next ones 0.2-0.4 ms).
     */
    static final long SHORT_RUN = SETTLED;

    private final ReplaySession session;
    private final VirtMachine machine;
    private final SnapshotStore store;
    /** The recording's snapshot image, open while the replay reads its start snapshot or disk; may be null. */
    private final SnapshotImage image;
    /** The image's snapshots a seek may jump to; null without an image. */
    private final SavedSnapshots saved;
    private final long startIcount;
    private final long endIcount;
    private final StopConditions stops = new StopConditions();
    private BooleanSupplier interrupt = () -> false;
    private Bookmarks bookmarks;
    /** The recording's code-page index, read on first use ({@link #lastBreakpointCodeBefore}). */
    private CodePageIndex.Loaded codePages;

    private Timeline(ReplaySession session, SnapshotStore store, SnapshotImage image) {
        this.session = session;
        this.machine = session.machine();
        this.store = store;
        this.image = image;
        this.startIcount = machine.icount();
        this.endIcount = Math.max(startIcount, session.log().endIcount());
        machine.interpretShortRuns(SHORT_RUN);
        ReplayLogHeader h = session.log().header();
        this.saved = image != null ? new SavedSnapshots(image, h.diskPath() == null ? null : h.startSnapshot(), startIcount,
                endIcount) : null;
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
        BootFiles boot = RecordingFiles.bootFiles(logFile, h, options.program());

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
        } else if (h.snapshotImagePath() != null) {
            // periodic snapshots only (the default of rewind record): the replay starts at reset and may jump to them
            Path img = resolve(logFile, h.snapshotImagePath());
            try {
                image = SnapshotImage.openReadOnly(img);
            } catch (IOException e) {
                System.err.println("rewind: cannot read the recording's snapshots in " + img + " (" + e.getMessage()
                        + "); replaying without them");
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
            disk = new OverlayDisk(RecordingFiles.diskBase(logFile, h, image, startSnapshot));
            diskSectors = disk.sectors();
        }
        MachineSetup setup = new MachineSetup(boot, h.ramSize(), h.icountShift(), diskSectors, h.harts(), MachineSetup.rtc(h));
        setup.verify(h);

        Replayer replayer = new Replayer(log.events());
        ConsoleHistory console = new ConsoleHistory(options.echo());
        MachineConfig.Builder config = MachineConfig.builder().ramSize(h.ramSize()).icountShift(h.icountShift()).harts(h.harts())
                .rtc(setup.rtc()).uartOut(console).inputPort(replayer);
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
        return new Timeline(session, new SnapshotStore(options.snapshotInterval(), options.budgetFor(h.ramSize())), image);
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

    /**
     * The recording's bookmarks (read from beside the log on first use).
     *
     * @throws IOException if the bookmark file cannot be read or is malformed
     */
    public Bookmarks bookmarks() throws IOException {
        if (bookmarks == null) {
            bookmarks = Bookmarks.of(session.logFile());
        }
        return bookmarks;
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

    /** The memory the in-memory snapshots are kept within (see {@link Options#withSnapshotBudget}). */
    public long snapshotBudget() {
        return store.budgetBytes();
    }

    /**
     * Times every later capture with {@code nanos}, a benchmark's host clock (null: stop): the
     * replay never reads the host clock itself.
     */
    public void timeSnapshotCaptures(java.util.function.LongSupplier nanos) {
        store.timeCaptures(nanos);
    }

    /** The latest captures' times in ns (0 if untimed) and pages copied (benchmarks: {@code rewind bench snapshots}). */
    public long[][] snapshotCaptureTimes() {
        return new long[][] {store.captureNanos(), store.capturePages()};
    }

    /** The in-memory snapshots (tests and the algorithms of this package). */
    SnapshotStore snapshots() {
        return store;
    }

    // ---- stopping ----

    /** The user's breakpoints and watchpoints: every debugging run ({@link #run}) stops at them. */
    public StopConditions stops() {
        return stops;
    }

    /**
     * Makes runs stop with {@link Stop.Kind#INTERRUPTED} when {@code requested} says so, the one
     * way to interrupt a run: checked at least every {@value #SLICE} instructions (a few ms), by
     * forward runs, seeks and reverse continue's scans alike. For a debugger's Ctrl-C, a Suspend
     * or a cancel button; {@code requested} may read state other threads set. Null for none.
     */
    public void interruptWhen(BooleanSupplier requested) {
        this.interrupt = requested == null ? () -> false : requested;
    }

    /** The access behind the last {@link Stop.Kind#WATCHPOINT} stop of a run. */
    public WatchHit lastWatchHit() {
        return machine.lastWatchHit();
    }

    // ---- running ----

    /** What a run is for: it decides what the run stops at and where it leaves snapshots. */
    private enum Purpose {
        /** Replays to a position; only an interrupt stops it early. Approach snapshots before its limit. */
        REPLAY(false, true, true),
        /** A debugger's run: stops at the stop conditions too. Approach snapshots before its limit. */
        DEBUG(true, true, true),
        /** A look at a stretch of history (reverse continue): stops like DEBUG, leaves only periodic snapshots. */
        SCAN(true, true, false),
        /** Back to where a stop happened, to leave snapshots behind it: nothing may stop it early. */
        SETTLE(false, false, true);

        final boolean watches;
        final boolean interruptible;
        final boolean approaches;

        Purpose(boolean watches, boolean interruptible, boolean approaches) {
            this.watches = watches;
            this.interruptible = interruptible;
            this.approaches = approaches;
        }
    }

    /**
     * Runs forward to {@code limit} (clamped to the end of history), stopping at the user's
     * breakpoints (before the instruction) and watchpoints (after it), or when interrupted. A run
     * that starts on a breakpoint executes that instruction first, as a debugger's continue does.
     * Leaves approach snapshots on its way: a stop at the limit is then at most 256 instructions
     * past one. Returns a stop of kind STEP at the limit (even if a breakpoint is there),
     * BREAKPOINT, WATCHPOINT, HISTORY_END or INTERRUPTED.
     */
    public Stop run(long limit) {
        return run(limit, Purpose.DEBUG, StopConditions.NONE);
    }

    /** Like {@link #run(long)}, also stopping at {@code temporary}, for this run only. */
    public Stop run(long limit, StopConditions temporary) {
        return run(limit, Purpose.DEBUG, temporary);
    }

    /** Replays forward to {@code limit} (clamped to the end of history) stopping only when interrupted. */
    public Stop replayTo(long limit) {
        return run(limit, Purpose.REPLAY, StopConditions.NONE);
    }

    /** Like {@link #run(long, StopConditions)} but leaves only the periodic snapshots: for passes whose stops are not where the debugger will stay. */
    public Stop scan(long limit, StopConditions temporary) {
        return run(limit, Purpose.SCAN, temporary);
    }

    private Stop run(long limit, Purpose purpose, StopConditions temporary) {
        limit = Math.min(limit, endIcount);
        long approachTarget = purpose.approaches ? limit : NO_APPROACH;
        if (purpose.watches) {
            stops.install(machine);
            temporary.install(machine);
        }
        try {
            boolean first = true;
            while (true) {
                long now = machine.icount();
                if (now >= limit) {
                    return here(now >= endIcount ? Stop.Kind.HISTORY_END : Stop.Kind.STEP);
                }
                if (purpose.interruptible && interrupt.getAsBoolean()) {
                    return here(Stop.Kind.INTERRUPTED);
                }
                // The machine steps off a breakpoint at the pc a run starts from (a debugger's
                // continue); a run we merely split into chunks must not skip one that way.
                if (purpose.watches && !first && (stops.hasBreakpoint(machine.pc()) || temporary.hasBreakpoint(machine.pc()))) {
                    return here(Stop.Kind.BREAKPOINT);
                }
                first = false;
                long chunk = Math.min(limit, store.nextBoundary(now));
                chunk = Math.min(chunk, Math.min(session.nextDigestAfter(now), now + SLICE));
                chunk = Math.min(chunk, nextApproachPoint(now, approachTarget));
                Stop.Kind k = afterRun(session.advance(chunk), approachTarget, purpose);
                if (k != null) {
                    return here(k);
                }
            }
        } finally {
            if (purpose.watches) {
                stops.uninstall(machine);
                temporary.uninstall(machine);
            }
        }
    }

    private Stop here(Stop.Kind kind) {
        return new Stop(kind, machine.icount(), machine.pc(), kind == Stop.Kind.WATCHPOINT ? machine.lastWatchHit() : null);
    }

    /** Handles a machine stop: snapshots, the exit check; returns the kind of stop to report or null to go on. */
    private Stop.Kind afterRun(StopReason r, long approachTarget, Purpose purpose) {
        long now = machine.icount();
        if (store.wants(now) || (isApproachPoint(now, approachTarget) && !store.contains(now))) {
            store.capture(machine, session.ioPosition());
        }
        return switch (r) {
            case LIMIT -> null;
            case BREAKPOINT -> Stop.Kind.BREAKPOINT;
            case WATCHPOINT -> Stop.Kind.WATCHPOINT;
            case EXIT -> {
                session.checkExit(captureState().digest());
                yield Stop.Kind.HISTORY_END;
            }
            case IDLE -> Stop.Kind.HISTORY_END;
            // the replay engine never asks the machine itself to stop; should anyone, it interrupts
            case REQUESTED -> purpose.interruptible ? Stop.Kind.INTERRUPTED : null;
        };
    }

    /**
     * Moves to {@code target} (clamped to the history): restores the nearest snapshot before it
     * (in memory, or one the recording persisted if that lies much closer) and replays. Before,
     * not at: the replay leaves approach snapshots, so the steps back that usually follow an
     * arrival replay little, even when the target is itself a snapshot.
     */
    public void seek(long target) {
        target = Math.max(startIcount, Math.min(target, endIcount));
        long now = machine.icount();
        SnapshotStore.Snapshot s = store.floor(Math.max(startIcount, target - 1));
        long from = target >= now && now >= s.icount() ? now : s.icount();
        if (saved == null || !saved.jump(this, from, target - 1, s)) {
            if (target < now || s.icount() > now) {
                restore(s);
            }
        }
        replayTo(target);
    }

    /**
     * Restores the latest snapshot before {@code icount}: in memory, or one the recording persisted
     * if that lies much closer (reverse continue's scan of the stretch before a position).
     * Returns where the machine now is.
     */
    long restoreBefore(long icount) {
        SnapshotStore.Snapshot s = store.floor(Math.max(startIcount, icount - 1));
        if (saved == null || !saved.jump(this, s.icount(), icount - 1, s)) {
            restore(s);
        }
        return machine.icount();
    }

    /**
     * How far back from {@code hi} reverse continue may skip: the end of the latest stretch before
     * {@code hi} that ran the page of a breakpoint (the user's or {@code temporary}), so no
     * breakpoint can be hit in [result, hi); -1 if no stretch before {@code hi} ran one. Returns
     * {@code hi} (skip nothing) with a watchpoint set, whose hits the index cannot tell, with no
     * breakpoint at all, or without the recording's {@link CodePageIndex}.
     */
    long lastBreakpointCodeBefore(long hi, StopConditions temporary) {
        if (stops.hasWatchpoints() || temporary.hasWatchpoints()) {
            return hi;
        }
        CodePageIndex index = codePageIndex().index();
        if (index == null) {
            return hi;
        }
        java.util.TreeSet<Long> pages = new java.util.TreeSet<>();
        stops.breakpointPages(pages);
        temporary.breakpointPages(pages);
        if (pages.isEmpty()) {
            // Nothing to stop at: scan as before, so that a breakpoint set meanwhile (the IDE lets
            // the user set one during a reverse resume) still stops it, and Ctrl-C can.
            return hi;
        }
        return index.lastRunBefore(hi, pages.stream().mapToLong(Long::longValue).toArray());
    }

    /** The recording's code-page index, or why there is none (read once). */
    public CodePageIndex.Loaded codePageIndex() {
        if (codePages == null) {
            codePages = CodePageIndex.read(session.logFile(), startIcount, endIcount);
        }
        return codePages;
    }

    /** Positions of the persisted snapshots a seek may still jump to (none refused so far), ascending. */
    public long[] persistedSnapshotIcounts() {
        return saved == null ? new long[0] : saved.icounts();
    }

    /** How many times a move loaded a persisted snapshot. */
    public int persistedSnapshotJumps() {
        return saved == null ? 0 : saved.jumps();
    }

    /** Persisted snapshots refused so far, each with why (also printed on stderr when it happens). */
    public List<String> persistedSnapshotNotes() {
        return saved == null ? List.of() : saved.notes();
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
            run(here, Purpose.SETTLE, StopConditions.NONE); // back to exactly here even if an interrupt is pending
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
