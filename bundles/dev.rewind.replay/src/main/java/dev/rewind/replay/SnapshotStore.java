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
 * snapshots share the arrays of pages that did not change between them, so a snapshot costs
 * about the pages written during its interval. Over the memory budget, old snapshots are
 * thinned (every other one is dropped, rr-style), the first one always kept.
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

    private static final long MAP_ENTRY_BYTES = 48;

    private final TreeMap<Long, Snapshot> snapshots = new TreeMap<>();
    private final TreeMap<Long, Long> costs = new TreeMap<>();
    private final TreeSet<Long> approach = new TreeSet<>();
    private final long interval;
    private final long budgetBytes;
    private long bytesUsed;
    /** The state RAM equals, except for the pages the machine marks dirty. */
    private MachineState baseline;
    private Timeline.IndexObserver observer;

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

    /**
     * Adds a snapshot; {@code newPages} is how many page arrays it does not share with its
     * predecessor (for the memory account).
     */
    void add(Snapshot s, int newPages) {
        long cost = (long) newPages * MachineState.PAGE_SIZE + (long) s.state().pages().size() * MAP_ENTRY_BYTES;
        Long old = costs.put(s.icount(), cost);
        if (old != null) {
            bytesUsed -= old;
        }
        snapshots.put(s.icount(), s);
        bytesUsed += cost;
        if (s.icount() % interval != 0 && s.icount() != snapshots.firstKey()) {
            dropApproachFartherThanInterval(s.icount());
            approach.add(s.icount());
        }
        if (bytesUsed > budgetBytes) {
            thin();
        }
    }

    private void dropApproachFartherThanInterval(long icount) {
        while (!approach.isEmpty() && approach.first() < icount - interval) {
            remove(approach.first());
        }
        while (!approach.isEmpty() && approach.last() > icount + interval) {
            remove(approach.last());
        }
    }

    /** Drops every other snapshot, oldest first, until under budget; the first one stays. */
    private void thin() {
        while (bytesUsed > budgetBytes && snapshots.size() > 2) {
            List<Long> keys = new ArrayList<>(snapshots.keySet());
            for (int i = 1; i < keys.size() - 1 && bytesUsed > budgetBytes; i += 2) {
                remove(keys.get(i));
            }
        }
    }

    private void remove(long icount) {
        snapshots.remove(icount);
        approach.remove(icount);
        Long cost = costs.remove(icount);
        if (cost != null) {
            bytesUsed -= cost;
        }
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

    /** Takes a snapshot of the machine here, incremental over the previous capture or restore, and keeps it. */
    void capture(VirtMachine machine, ReplaySession.IoPosition io) {
        MachineState full;
        int newPages;
        java.util.Set<Long> written;
        if (baseline != null) {
            MachineState delta = machine.saveDelta();
            full = delta.over(baseline);
            newPages = delta.pages().size();
            written = delta.pages().keySet();
        } else {
            full = machine.saveState();
            newPages = full.pages().size();
            written = full.pages().keySet();
        }
        baseline = full;
        if (observer != null) {
            observer.captured(full.icount(), written);
        }
        add(new Snapshot(full.icount(), full, io), newPages);
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
                differingPages(baseline, state, pages);
                machine.restoreState(state, pages);
            }
        } catch (StateFormatException e) {
            throw new IllegalStateException(what + " does not restore", e);
        }
        baseline = state;
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
}
