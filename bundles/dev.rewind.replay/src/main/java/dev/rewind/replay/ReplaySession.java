package dev.rewind.replay;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Map;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;

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
import dev.rewind.replay.log.EventKind;
import dev.rewind.replay.log.ReplayEvent;
import dev.rewind.replay.log.ReplayLog;
import dev.rewind.replay.log.ReplayLogException;
import dev.rewind.replay.log.ReplayLogHeader;

/**
 * A recording being replayed: the rebuilt machine fed by a {@link Replayer}, the guest's console
 * along the timeline, and in-memory snapshots that make {@link #seek(long)} fast. Breakpoints and
 * watchpoints are kept here and installed in the machine only for runs that watch for them, so
 * seeks never stop early. Single-threaded, like the machine.
 */
public final class ReplaySession implements AutoCloseable {

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

    private final Path logFile;
    private final ReplayLog log;
    private final VirtMachine machine;
    private final Replayer replayer;
    private final ConsoleHistory console;
    private final OverlayDisk disk;
    private final SnapshotStore store;
    private final HartDigest hartDigest = new HartDigest();
    private final long[] digestIcounts;
    private final byte[][] digests;
    private final ReplayEvent exitEvent;
    private final long startIcount;
    private final long endIcount;
    private final TreeSet<Long> breakpoints = new TreeSet<>();
    private final List<long[]> watchpoints = new ArrayList<>();
    private final List<WatchKind> watchKinds = new ArrayList<>();
    /** Longest run between checks of {@link #interruptWhen}: a few ms of guest time. */
    static final long SLICE = 1_000_000L;
    private java.util.function.BooleanSupplier interrupt = () -> false;
    private volatile boolean stopRequested;
    /** The state RAM equals, except for the pages the machine marks dirty. */
    private MachineState lastCapture;
    private IndexObserver indexObserver;
    private Path program;

    /** Sees what a query index records while a session replays forward (see {@code query.RecordingIndex}). */
    public interface IndexObserver {
        /** A capture at {@code icount}: the RAM pages (RAM offset / 4096) written since the previous one. */
        void captured(long icount, java.util.Set<Long> writtenPages);

        /** The guest submitted disk request {@code requestId}. */
        void blockSubmitted(long icount, long requestId);
    }

    /** Installs (or with null removes) the observer of captures and disk requests. */
    public void observe(IndexObserver observer) {
        this.indexObserver = observer;
        replayer.observeSubmissions(observer == null ? null : observer::blockSubmitted);
    }

    private ReplaySession(Path logFile, ReplayLog log, VirtMachine machine, Replayer replayer, ConsoleHistory console,
            OverlayDisk disk, SnapshotStore store) {
        this.logFile = logFile;
        this.log = log;
        this.machine = machine;
        this.replayer = replayer;
        this.console = console;
        this.disk = disk;
        this.store = store;
        List<ReplayEvent> ds = log.events().stream().filter(e -> e.kind() == EventKind.DIGEST).toList();
        this.digestIcounts = ds.stream().mapToLong(ReplayEvent::icount).toArray();
        this.digests = ds.stream().map(ReplayEvent::data).toArray(byte[][]::new);
        this.exitEvent = log.events().stream().filter(e -> e.kind() == EventKind.EXIT).findFirst().orElse(null);
        this.startIcount = machine.icount();
        this.endIcount = Math.max(startIcount, log.endIcount());
    }

    /**
     * Opens a recording for replay: reads the log, rebuilds and checks the machine, restores the
     * start snapshot if the recording has one.
     */
    public static ReplaySession open(Path logFile, Options options)
            throws ReplayLogException, ReplaySetupException, IOException {
        ReplayLog log = ReplayLog.read(logFile);
        ReplayLogHeader h = log.header();
        BootFiles boot = bootFiles(logFile, h, options.program());

        String startName = options.fromSnapshot() != null ? options.fromSnapshot() : h.startSnapshot();
        Qcow2Image snapshotImage = null;
        VmState startState = null;
        Snapshot startSnapshot = null;
        if (startName != null) {
            if (h.snapshotImagePath() == null) {
                throw new ReplaySetupException("the recording names start snapshot '" + startName + "' but no snapshot image");
            }
            Path img = resolve(logFile, h.snapshotImagePath());
            try {
                snapshotImage = Qcow2Image.openReadOnly(img);
                startSnapshot = snapshotImage.findSnapshot(startName);
                startState = VmState.decode(snapshotImage.readVmState(startName));
            } catch (StateFormatException e) {
                closeQuietly(snapshotImage);
                throw new ReplaySetupException("snapshot '" + startName + "' in " + img + " holds no Rewind machine state: "
                        + e.getMessage());
            } catch (IOException e) {
                closeQuietly(snapshotImage);
                throw new ReplaySetupException("cannot load snapshot '" + startName + "' from " + img + ": " + e.getMessage(), e);
            }
        }

        OverlayDisk disk = null;
        long diskSectors = 0;
        if (h.diskPath() != null) {
            disk = new OverlayDisk(diskBase(logFile, h, snapshotImage, startSnapshot));
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
        SnapshotStore store = new SnapshotStore(options.snapshotInterval(), options.snapshotBudgetBytes());
        ReplaySession s = new ReplaySession(logFile, log, machine, replayer, console, disk, store);
        s.program = boot.kernel() != null ? boot.kernel() : boot.bios();
        s.capture();
        return s;
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

    private static OverlayDisk.Base diskBase(Path logFile, ReplayLogHeader h, Qcow2Image snapshotImage, Snapshot start)
            throws IOException, ReplaySetupException {
        Path diskPath = resolve(logFile, h.diskPath());
        if (snapshotImage != null && start != null && Files.isSameFile(diskPath, snapshotImage.path())) {
            Qcow2Image img = snapshotImage;
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

    static Path resolve(Path logFile, String path) {
        Path p = Path.of(path);
        if (Files.exists(p)) {
            return p;
        }
        // A recording moved or unpacked elsewhere (RecordingPack) keeps its files beside the log.
        Path besideLog = logFile.toAbsolutePath().getParent().resolve(p.isAbsolute() ? p.getFileName() : p);
        return Files.exists(besideLog) ? besideLog : p;
    }

    private static void closeQuietly(Qcow2Image img) {
        if (img != null) {
            try {
                img.close();
            } catch (IOException e) {
                // already failing; the first error is the one to report
            }
        }
    }

    public VirtMachine machine() {
        return machine;
    }

    public ReplayLog log() {
        return log;
    }

    public Path logFile() {
        return logFile;
    }

    /** The program file this replay runs (as resolved when it was opened). */
    public Path program() {
        return program;
    }

    public ConsoleHistory console() {
        return console;
    }

    public SnapshotStore snapshots() {
        return store;
    }

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
    /**
     * Makes runs stop with {@link ReplayStop#INTERRUPTED} when {@code requested} says so (checked
     * at least every {@value #SLICE} instructions); for a debugger's Ctrl-C or a cancel button.
     */
    public void interruptWhen(java.util.function.BooleanSupplier requested) {
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
     * own rule).
     *
     * <p>Wherever the run stops, a debugger may step back next, and that seek replays from the
     * nearest snapshot before the stop. So a run leaves snapshots at {@code limit - 4^k} on its
     * way: a stop at the limit is then at most 256 instructions past one (for a stop elsewhere,
     * see {@link #leaveSnapshotsBehind()}).
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
        return run(limit, true, true, NO_LADDER);
    }

    private static final long NO_LADDER = -1;

    /** {@code ladderTop}: the icount below which snapshots are left at 4^k distances, or {@link #NO_LADDER}. */
    private ReplayStop run(long limit, boolean watch, boolean interruptible, long ladderTop) {
        limit = Math.min(limit, endIcount);
        ladderTop = Math.min(ladderTop, endIcount);
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
                chunk = Math.min(chunk, Math.min(nextDigestAfter(now), now + SLICE));
                chunk = Math.min(chunk, nextFinePoint(now, ladderTop));
                StopReason r = machine.run(chunk);
                ReplayStop s = afterRun(r, ladderTop);
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

    /** Handles a machine stop: snapshots, digest checks; returns a stop to report or null to go on. */
    private ReplayStop afterRun(StopReason r, long ladderTop) {
        long now = machine.icount();
        if (store.wants(now) || (isFinePoint(now, ladderTop) && !store.contains(now))) {
            capture();
        }
        checkDigest(now);
        return switch (r) {
            case LIMIT -> null;
            case BREAKPOINT -> ReplayStop.BREAKPOINT;
            case WATCHPOINT -> ReplayStop.WATCHPOINT;
            case EXIT -> {
                checkExit(now);
                yield ReplayStop.END_OF_HISTORY;
            }
            case IDLE -> ReplayStop.END_OF_HISTORY;
            case REQUESTED -> ReplayStop.INTERRUPTED;
        };
    }

    private long nextDigestAfter(long icount) {
        int i = java.util.Arrays.binarySearch(digestIcounts, icount + 1);
        if (i < 0) {
            i = -i - 1;
        }
        return i < digestIcounts.length ? digestIcounts[i] : Long.MAX_VALUE;
    }

    private void checkDigest(long icount) {
        int i = java.util.Arrays.binarySearch(digestIcounts, icount);
        if (i >= 0) {
            byte[] actual = hartDigest.of(machine);
            if (!MessageDigest.isEqual(actual, digests[i])) {
                throw new ReplayDivergenceException(icount, "expected hart digest "
                        + HexFormat.of().formatHex(digests[i], 0, 8) + "..., got " + HexFormat.of().formatHex(actual, 0, 8) + "...");
            }
        }
    }

    private void checkExit(long icount) {
        if (exitEvent == null) {
            throw new ReplayDivergenceException(icount, "the guest exited but the recording did not end with an exit");
        }
        if (exitEvent.icount() != icount || exitEvent.value() != machine.exitCode()) {
            throw new ReplayDivergenceException(icount, "the guest exited with code " + machine.exitCode()
                    + " where the recording exited with code " + exitEvent.value() + " at icount " + exitEvent.icount());
        }
        byte[] actual = captureState().digest();
        if (!MessageDigest.isEqual(actual, exitEvent.data())) {
            throw new ReplayDivergenceException(icount, "final machine state differs from the recording (expected digest "
                    + HexFormat.of().formatHex(exitEvent.data(), 0, 8) + "..., got " + HexFormat.of().formatHex(actual, 0, 8) + "...)");
        }
    }

    /**
     * A full capture of the current state (e.g. for its digest). Use this rather than the
     * machine's own saveState: it keeps the incremental snapshot chain consistent.
     */
    public MachineState captureState() {
        MachineState full = machine.saveState();
        lastCapture = full; // saveState cleared the dirty pages: RAM equals this state now
        return full;
    }

    /**
     * Moves to {@code target} (clamped to the history): restores the nearest snapshot before it
     * and replays. Before, not at: the replay leaves snapshots at {@code target - 4^k} (see
     * {@link #run}), so the steps back that usually follow an arrival replay little, even when the
     * target is itself a snapshot.
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
    public void leaveSnapshotsBehind() {
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

    /** Distances before a run's limit at which it leaves snapshots (powers of 4). */
    private static final long FINE_FARTHEST = 1L << 22;
    private static final long FINE_NEAREST = 1L << 8;
    /**
     * Farthest the nearest snapshot may lie behind a stop without {@link #leaveSnapshotsBehind}
     * replaying to it: a replay this long costs microseconds, a restore and the captures ~0.2 ms,
     * so a run stopping every few instructions (a breakpoint in a hot function) rarely pays it.
     */
    static final long SETTLED = 1L << 12;

    /** The first point after {@code now} at which a run leaves a fine snapshot below {@code ladderTop}. */
    private static long nextFinePoint(long now, long ladderTop) {
        for (long d = FINE_FARTHEST; d >= FINE_NEAREST && ladderTop != NO_LADDER; d >>= 2) {
            if (ladderTop - d > now) {
                return ladderTop - d;
            }
        }
        return Long.MAX_VALUE;
    }

    private static boolean isFinePoint(long now, long ladderTop) {
        long d = ladderTop - now;
        return ladderTop != NO_LADDER && d >= FINE_NEAREST && d <= FINE_FARTHEST && Long.bitCount(d) == 1 && Long.numberOfTrailingZeros(d) % 2 == 0;
    }

    /** Moves to a snapshot's position by restoring it, without replay (one of {@link #snapshots()}). */
    public void restore(SnapshotStore.Snapshot s) {
        // RAM now equals lastCapture except for the pages written since: only those, and the
        // pages in which lastCapture and the target differ, need rewriting.
        BitSet pages = machine.dirtyPages();
        differingPages(lastCapture, s.state(), pages);
        try {
            machine.restoreState(s.state(), pages);
        } catch (StateFormatException e) {
            throw new IllegalStateException("own snapshot at icount " + s.icount() + " does not restore", e);
        }
        replayer.restore(s.port());
        console.moveTo(s.consoleLength());
        if (disk != null) {
            disk.restore(s.diskState());
        }
        lastCapture = s.state();
    }

    /**
     * Adds to {@code out} the pages whose content may differ between two full states. Snapshots
     * of one timeline share the arrays of unchanged pages, so comparing references is enough
     * (unequal references of equal bytes only cost a redundant copy).
     */
    static void differingPages(MachineState a, MachineState b, BitSet out) {
        var ia = a.pages().entrySet().iterator();
        var ib = b.pages().entrySet().iterator();
        Map.Entry<Long, byte[]> ea = ia.hasNext() ? ia.next() : null;
        Map.Entry<Long, byte[]> eb = ib.hasNext() ? ib.next() : null;
        while (ea != null || eb != null) {
            int c = ea == null ? 1 : eb == null ? -1 : Long.compare(ea.getKey(), eb.getKey());
            if (c < 0) {
                out.set((int) (long) ea.getKey());
                ea = ia.hasNext() ? ia.next() : null;
            } else if (c > 0) {
                out.set((int) (long) eb.getKey());
                eb = ib.hasNext() ? ib.next() : null;
            } else {
                if (ea.getValue() != eb.getValue()) {
                    out.set((int) (long) ea.getKey());
                }
                ea = ia.hasNext() ? ia.next() : null;
                eb = ib.hasNext() ? ib.next() : null;
            }
        }
    }

    /** Takes a snapshot here, incremental over the previous capture or restore. */
    private void capture() {
        MachineState full;
        int newPages;
        java.util.Set<Long> written;
        if (lastCapture != null) {
            MachineState delta = machine.saveDelta();
            full = delta.over(lastCapture);
            newPages = delta.pages().size();
            written = delta.pages().keySet();
        } else {
            full = machine.saveState();
            newPages = full.pages().size();
            written = full.pages().keySet();
        }
        lastCapture = full;
        if (indexObserver != null) {
            indexObserver.captured(full.icount(), written);
        }
        store.add(new SnapshotStore.Snapshot(full.icount(), full, replayer.position(), console.length(),
                disk != null ? disk.state() : null), newPages);
    }

    /** What stands where history stops, for messages: the damage of a cut-short log, or null. */
    public String historyEndNote() {
        return log.damage();
    }

    @Override
    public void close() throws IOException {
        if (disk != null) {
            disk.close();
        }
    }
}
