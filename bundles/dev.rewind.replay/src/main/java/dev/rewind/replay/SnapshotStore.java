package dev.rewind.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.rewind.emulator.MachineState;

/**
 * In-memory snapshots along the replay timeline, at multiples of a fixed interval so that
 * every pass over a stretch of history meets the same boundaries and reuses them. Consecutive
 * snapshots share the arrays of pages that did not change between them, so a snapshot costs
 * about the pages written during its interval. Over the memory budget, old snapshots are
 * thinned (every other one is dropped, rr-style), the first one always kept.
 *
 * <p>Snapshots between the boundaries ("fine" ones, which make the first steps back from a
 * stop cheap) only matter near where the debugger is: adding one drops the fine snapshots more
 * than one interval away from it, so they never add up over a long session.
 */
public final class SnapshotStore {

    /** One point of the timeline the replay can be restored to. */
    public record Snapshot(long icount, MachineState state, Replayer.Position port, int consoleLength, Object diskState) {
    }

    private static final long MAP_ENTRY_BYTES = 48;

    private final TreeMap<Long, Snapshot> snapshots = new TreeMap<>();
    private final TreeMap<Long, Long> costs = new TreeMap<>();
    private final TreeSet<Long> fine = new TreeSet<>();
    private final long interval;
    private final long budgetBytes;
    private long bytesUsed;

    public SnapshotStore(long interval, long budgetBytes) {
        if (interval <= 0) {
            throw new IllegalArgumentException("snapshot interval must be positive: " + interval);
        }
        this.interval = interval;
        this.budgetBytes = budgetBytes;
    }

    public long interval() {
        return interval;
    }

    /** The next icount after {@code icount} at which a periodic snapshot belongs. */
    public long nextBoundary(long icount) {
        return (icount / interval + 1) * interval;
    }

    /** True if {@code icount} is a periodic boundary without a snapshot yet. */
    public boolean wants(long icount) {
        return icount % interval == 0 && !snapshots.containsKey(icount);
    }

    public boolean contains(long icount) {
        return snapshots.containsKey(icount);
    }

    /** The latest snapshot at or before {@code icount}, or null. */
    public Snapshot floor(long icount) {
        Map.Entry<Long, Snapshot> e = snapshots.floorEntry(icount);
        return e == null ? null : e.getValue();
    }

    /**
     * Adds a snapshot; {@code newPages} is how many page arrays it does not share with its
     * predecessor (for the memory account).
     */
    public void add(Snapshot s, int newPages) {
        long cost = (long) newPages * MachineState.PAGE_SIZE + (long) s.state().pages().size() * MAP_ENTRY_BYTES;
        Long old = costs.put(s.icount(), cost);
        if (old != null) {
            bytesUsed -= old;
        }
        snapshots.put(s.icount(), s);
        bytesUsed += cost;
        if (s.icount() % interval != 0 && s.icount() != snapshots.firstKey()) {
            dropFineFartherThanInterval(s.icount());
            fine.add(s.icount());
        }
        if (bytesUsed > budgetBytes) {
            thin();
        }
    }

    private void dropFineFartherThanInterval(long icount) {
        while (!fine.isEmpty() && fine.first() < icount - interval) {
            remove(fine.first());
        }
        while (!fine.isEmpty() && fine.last() > icount + interval) {
            remove(fine.last());
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
        fine.remove(icount);
        Long cost = costs.remove(icount);
        if (cost != null) {
            bytesUsed -= cost;
        }
    }

    public int size() {
        return snapshots.size();
    }

    /** Estimated memory held by the snapshots. */
    public long bytesUsed() {
        return bytesUsed;
    }

    /** Icounts of all snapshots, ascending. */
    public long[] icounts() {
        return snapshots.keySet().stream().mapToLong(Long::longValue).toArray();
    }
}
