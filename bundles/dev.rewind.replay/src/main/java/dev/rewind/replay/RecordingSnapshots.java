package dev.rewind.replay;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.rewind.emulator.MachineState;
import dev.rewind.emulator.VirtMachine;

/**
 * The snapshots a recording persists as it goes ({@code --snapshot-every N}, named as
 * {@link #prefix} says): one every N
 * instructions, and when it ends, the last {@link #CLOSE}-instruction boundary before its end,
 * so that a replay going to the end replays at most that far. States are captured incrementally
 * (the pages written since the previous capture, over the previous state), so keeping the
 * boundary in memory costs well under a millisecond per {@value #CLOSE} instructions. With a
 * disk, each also carries the disk's chunks written since the recording started (the replay's
 * overlay over the start snapshot), so a replay may jump to it with the disk as it was.
 *
 * <p>The persisted ones stay within a space budget (bytes of snapshot state in the image): when
 * the next one would not fit, the period doubles and the ones off the new grid (taken in odd
 * periods of the old one) are deleted, so a long recording keeps snapshots evenly spread over
 * all of it at a distance that grows with its length. The one close to the end is always kept
 * if it fits at all.
 */
final class RecordingSnapshots {

    /** Distance of the kept boundaries: a replay covers it in well under a second. */
    static final long CLOSE = 10_000_000L;
    /**
     * Names of the persisted ones: {@code auto-ICOUNT}, and in a disk, which may hold the
     * snapshots of several recordings, {@code START-auto-ICOUNT} after the recording's start snapshot.
     */
    static String prefix(String diskStartSnapshot) {
        return diskStartSnapshot == null ? "auto-" : diskStartSnapshot + "-auto-";
    }

    /** A captured position: full state, log events consumed, console bytes written, disk chunks written (or null). */
    private record Point(MachineState state, long events, int consoleLength, TreeMap<Long, byte[]> disk) {
    }

    private final SnapshotImage image;
    private final String prefix;
    private final ConsoleHistory console;
    /** The disk's chunks written since the recording started; null without a disk. */
    private final Supplier<TreeMap<Long, byte[]>> disk;
    private final long budget;
    private long every;
    private MachineState chain;
    private Point last;
    private Point beforeLast;
    private long periods;
    /** Position of the latest periodic one persisted. */
    private long lastPeriodic = -1;
    private long taken;
    /** The persisted ones still in the image: icount -> bytes. */
    private final TreeMap<Long, Integer> persisted = new TreeMap<>();
    private long persistedBytes;
    private LongSupplier cpuNanos;
    private long persistNanos;

    /**
     * Starts the incremental chain at the machine's current state (after the start snapshot).
     * {@code budget}: bytes of persisted state the image may hold (0: no limit).
     */
    RecordingSnapshots(SnapshotImage image, String prefix, ConsoleHistory console, Supplier<TreeMap<Long, byte[]>> disk,
            long every, long budget, VirtMachine machine) throws IOException {
        for (Timeline.SavedSnapshot s : image.list()) {
            if (s.name().startsWith(prefix)) {
                image.delete(s.name()); // an earlier recording's into the same image under the same name
            }
        }
        this.prefix = prefix;
        this.image = image;
        this.console = console;
        this.disk = disk;
        this.every = every;
        this.budget = budget;
        this.chain = machine.saveState();
        this.periods = machine.icount() / every;
    }

    /** The next icount after {@code now} where {@link #at} wants to be called. */
    long nextStop(long now) {
        return Math.min((now / CLOSE + 1) * CLOSE, (now / every + 1) * every);
    }

    /** Periodic snapshots persisted so far (including those thinned out later). */
    long taken() {
        return taken;
    }

    /** Snapshots in the image now, and the bytes of state they hold. */
    long[] kept() {
        return new long[] {persisted.size(), persistedBytes};
    }

    /** The distance between periodic snapshots now (grows as the budget thins them). */
    long every() {
        return every;
    }

    /** Times the work of persisting with {@code nanos} (a CPU clock the caller reads); null: untimed. */
    void timeWith(LongSupplier nanos) {
        this.cpuNanos = nanos;
    }

    /** Time spent persisting and thinning, by the clock of {@link #timeWith} (0 if untimed). */
    long persistNanos() {
        return persistNanos;
    }

    /**
     * The machine stopped at a clean point (no half-done block request) after {@code events}
     * log events: captures a boundary there, and persists it if a period has passed.
     */
    void at(VirtMachine machine, long events) throws IOException {
        long at = machine.icount();
        boolean periodic = at / every > periods;
        if (at % CLOSE != 0 && !periodic) {
            return;
        }
        chain = machine.saveDelta().over(chain);
        Point p = new Point(chain, events, console.length(), disk == null ? null : disk.get());
        if (last == null || last.state().icount() != at) {
            beforeLast = last;
            last = p;
        }
        if (periodic) {
            if (persist(p, true)) {
                taken++;
            }
            lastPeriodic = at;
            periods = at / every;
        }
    }

    /** The recording ends at {@code end}: persists the last boundary before it, unless already persisted. */
    void finish(long end) throws IOException {
        Point p = last != null && last.state().icount() < end ? last : beforeLast;
        if (p != null && p.state().icount() != lastPeriodic) {
            persist(p, false);
        }
    }

    /**
     * Persists {@code p} within the budget, thinning the older ones first if it would not fit; a
     * periodic one that no longer lies on the thinned grid is not persisted. Returns whether it was.
     */
    private boolean persist(Point p, boolean periodic) throws IOException {
        long t0 = cpuNanos == null ? 0 : cpuNanos.getAsLong();
        try {
            long icount = p.state().icount();
            byte[] bytes = new VmState(p.state(), p.events(), Arrays.copyOf(console.toByteArray(), p.consoleLength()), p.disk())
                    .encode();
            if (budget > 0 && bytes.length > budget) {
                return false; // it would not fit even alone: keep the ones there
            }
            long before = every;
            while (budget > 0 && !persisted.isEmpty() && persistedBytes + bytes.length > budget) {
                if (!thin()) {
                    if (periodic) {
                        return false; // the few left fill the budget: keep them
                    }
                    delete(persisted.firstKey()); // the one close to the end matters more than the oldest
                }
            }
            if (periodic && !onGrid(icount, before)) {
                return false;
            }
            image.save(name(icount), p.state(), bytes);
            persisted.put(icount, bytes.length);
            persistedBytes += bytes.length;
            return true;
        } finally {
            if (cpuNanos != null) {
                persistNanos += cpuNanos.getAsLong() - t0;
            }
        }
    }

    /**
     * Doubles the period and deletes the persisted snapshots that do not lie on the new grid
     * (those taken in an odd period of the old one), so the rest stay evenly spread. Returns
     * whether it deleted any.
     */
    private boolean thin() throws IOException {
        long old = every;
        every *= 2;
        int before = persisted.size();
        for (long icount : new ArrayList<>(persisted.keySet())) {
            if (!onGrid(icount, old)) {
                delete(icount);
            }
        }
        periods = Math.max(lastPeriodic, 0) / every;
        return persisted.size() < before;
    }

    private void delete(long icount) throws IOException {
        image.delete(name(icount));
        persistedBytes -= persisted.remove(icount);
    }

    /** Whether a snapshot at {@code icount}, taken on a grid of {@code old}, stays on the current grid. */
    private boolean onGrid(long icount, long old) {
        return old == every || icount % every < old;
    }

    private String name(long icount) {
        return prefix + icount;
    }
}
