package dev.rewind.replay;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.rewind.emulator.MachineState;
import dev.rewind.emulator.StateFormatException;
import dev.rewind.emulator.VirtMachine;

/**
 * In-memory snapshots along the replay timeline, at multiples of a fixed interval so that
 * every pass over a stretch of history meets the same boundaries and reuses them. Consecutive
 * snapshots share the arrays of pages that did not change between them and the page table's
 * unchanged leaves ({@link MachineState#over}), so taking a snapshot costs the pages written
 * since the previous one, in time and in memory, whatever the guest's RAM holds. Over the
 * memory budget, old snapshots are thinned (every other one is dropped, rr-style), the first
 * and the newest always kept.
 *
 * <p>The memory account charges each snapshot what it does not share with the one before it
 * in icount order (pages and page-table leaves, by reference); dropping a snapshot recharges
 * its successor against its new predecessor, so pages that only the dropped one shared stay
 * counted. Snapshots of different passes over one stretch share less than this assumes, never
 * more: the account errs towards thinning.
 *
 * <p>Snapshots between the boundaries (approach snapshots, see {@link Timeline}, which make the
 * first steps back from a stop cheap) only matter near where the debugger is: adding one drops
 * the approach snapshots more than one interval away from it, so they never add up over a long
 * session.
 *
 * <p>The store also takes and restores them ({@link #capture}, {@link #restore}): how a
 * snapshot is made from the machine (incrementally, over the last capture or restore) is its
 * business alone, behind {@link Timeline}.
 */
final class SnapshotStore {

    /** One point of the timeline the replay can be restored to: the machine and the session's I/O positions. */
    record Snapshot(long icount, MachineState state, ReplaySession.IoPosition io) {
    }

    /** The harts', devices' and map entry's bytes of a snapshot besides its pages (a few KiB). */
    private static final long STATE_BYTES = 4096;
    /** Capture times kept for {@link #captureNanos()}: the latest ones. */
    private static final int TIMES = 1 << 14;

    private final TreeMap<Long, Snapshot> snapshots = new TreeMap<>();
    private final TreeMap<Long, Long> costs = new TreeMap<>();
    private final TreeSet<Long> approach = new TreeSet<>();
    private final long interval;
    private final long budgetBytes;
    private long bytesUsed;
    /** The state RAM equals, except for the pages the machine marks dirty. */
    private MachineState baseline;
    private Timeline.IndexObserver observer;
    private final long[] captureNanos = new long[TIMES];
    private final int[] capturePages = new int[TIMES];
    private long captures;
    /** The host clock a benchmark times captures with (this package never reads it itself); null: untimed. */
    private java.util.function.LongSupplier clock;

    SnapshotStore(long interval, long budgetBytes) {
        if (interval <= 0) {
            throw new IllegalArgumentException("snapshot interval must be positive: " + interval);
        }
        this.interval = interval;
        this.budgetBytes = budgetBytes;
    }

    long interval() {
        return interval;
    }

    /** The next icount after {@code icount} at which a periodic snapshot belongs. */
    long nextBoundary(long icount) {
        return (icount / interval + 1) * interval;
    }

    /** True if {@code icount} is a periodic boundary without a snapshot yet. */
    boolean wants(long icount) {
        return icount % interval == 0 && !snapshots.containsKey(icount);
    }

    boolean contains(long icount) {
        return snapshots.containsKey(icount);
    }

    /** The latest snapshot at or before {@code icount}, or null. */
    Snapshot floor(long icount) {
        Map.Entry<Long, Snapshot> e = snapshots.floorEntry(icount);
        return e == null ? null : e.getValue();
    }

    /** Adds a snapshot (replacing one at the same icount) and thins the store if it is over budget. */
    void add(Snapshot s) {
        remove(s.icount());
        snapshots.put(s.icount(), s);
        charge(s.icount());
        Long next = snapshots.higherKey(s.icount());
        if (next != null) {
            charge(next);
        }
        if (s.icount() % interval != 0 && s.icount() != snapshots.firstKey()) {
            dropApproachFartherThanInterval(s.icount());
            approach.add(s.icount());
        }
        if (bytesUsed > budgetBytes) {
            thin();
        }
    }

    /** (Re)computes what the snapshot at {@code icount} costs beyond its predecessor. */
    private void charge(long icount) {
        Map.Entry<Long, Snapshot> prev = snapshots.lowerEntry(icount);
        long cost = STATE_BYTES + snapshots.get(icount).state().pageBytesNotIn(prev == null ? null : prev.getValue().state());
        Long old = costs.put(icount, cost);
        bytesUsed += cost - (old == null ? 0 : old);
    }

    private void dropApproachFartherThanInterval(long icount) {
        while (!approach.isEmpty() && approach.first() < icount - interval) {
            remove(approach.first());
        }
        while (!approach.isEmpty() && approach.last() > icount + interval) {
            remove(approach.last());
        }
    }

    /** Drops every other snapshot, oldest first, until under budget; the first and the newest stay. */
    private void thin() {
        while (bytesUsed > budgetBytes && snapshots.size() > 2) {
            List<Long> keys = new ArrayList<>(snapshots.keySet());
            for (int i = 1; i < keys.size() - 1 && bytesUsed > budgetBytes; i += 2) {
                remove(keys.get(i));
            }
        }
    }

    private void remove(long icount) {
        if (snapshots.remove(icount) == null) {
            return;
        }
        approach.remove(icount);
        Long cost = costs.remove(icount);
        if (cost != null) {
            bytesUsed -= cost;
        }
        Long next = snapshots.higherKey(icount);
        if (next != null) {
            charge(next); // what only the dropped one shared with it is its own now
        }
    }

    /** The memory budget the store keeps to. */
    long budgetBytes() {
        return budgetBytes;
    }

    int size() {
        return snapshots.size();
    }

    /** Estimated memory held by the snapshots. */
    long bytesUsed() {
        return bytesUsed;
    }

    /** Icounts of all snapshots, ascending. */
    long[] icounts() {
        return snapshots.keySet().stream().mapToLong(Long::longValue).toArray();
    }

    // ---- taking and restoring ----

    /** Tells {@code o} (or with null nobody) of every capture and the pages it found written. */
    void observe(Timeline.IndexObserver o) {
        this.observer = o;
    }

    /**
     * Takes a snapshot of the machine here, incremental over the previous capture or restore, and
     * keeps it. Its cost follows the pages written since then: the machine lists them, and the
     * snapshot shares everything else with the previous state.
     */
    void capture(VirtMachine machine, ReplaySession.IoPosition io) {
        long t0 = clock == null ? 0 : clock.getAsLong();
        MachineState full;
        MachineState written;
        if (baseline != null) {
            written = machine.saveDelta();
            full = written.over(baseline);
        } else {
            full = machine.saveState();
            written = full;
        }
        baseline = full;
        add(new Snapshot(full.icount(), full, io));
        int slot = (int) (captures++ % TIMES);
        captureNanos[slot] = clock == null ? 0 : clock.getAsLong() - t0;
        capturePages[slot] = written.pageCount();
        if (observer != null) {
            observer.captured(full.icount(), written.pages().keySet());
        }
    }

    /** Times the captures with {@code nanos} (a benchmark's host clock; null: untimed). */
    void timeCaptures(java.util.function.LongSupplier nanos) {
        this.clock = nanos;
    }

    /** Captures so far. */
    long captures() {
        return captures;
    }

    /** How long the latest captures took (ns; at most {@value #TIMES}, oldest first), store bookkeeping included. */
    long[] captureNanos() {
        return latest(captureNanos);
    }

    /** Pages each of the latest captures copied, in {@link #captureNanos()}'s order. */
    long[] capturePages() {
        long[] out = new long[TIMES];
        for (int i = 0; i < TIMES; i++) {
            out[i] = capturePages[i];
        }
        return latest(out);
    }

    private long[] latest(long[] ring) {
        int n = (int) Math.min(captures, TIMES);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = ring[(int) ((captures - n + i) % TIMES)];
        }
        return out;
    }

    /** A full capture of the machine that keeps the incremental chain consistent (the machine's saveState would not). */
    MachineState captureFull(VirtMachine machine) {
        MachineState full = machine.saveState();
        baseline = full; // saveState cleared the dirty pages: RAM equals this state now
        return full;
    }

    /** Puts the machine back to a snapshot's state (the caller restores the session's I/O positions). */
    void restore(VirtMachine machine, Snapshot s) {
        restore(machine, s.state(), "own snapshot at icount " + s.icount());
    }

    /** Puts the machine back to a full state: a snapshot of this store's, or one loaded from a snapshot image. */
    void restore(VirtMachine machine, MachineState state, String what) {
        // RAM now equals the baseline except for the pages written since: only those, and the
        // pages in which the baseline and the target differ, need rewriting.
        try {
            if (baseline == null) {
                machine.restoreState(state);
            } else {
                BitSet pages = machine.dirtyPages();
                MachineState.differingPages(baseline, state, pages);
                machine.restoreState(state, pages);
            }
        } catch (StateFormatException e) {
            throw new IllegalStateException(what + " does not restore", e);
        }
        baseline = state;
    }
}
