package dev.rewind.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The snapshots a recording persisted ({@code rewind record --snapshot-every N}) as places a
 * replay may jump to, so that going far ahead in a long recording replays at most the distance
 * from the last one before it instead of the whole history. Each is checked before the machine
 * runs on from it: its bytes against the SHA-256 they were saved with, its icount against the
 * one the qcow2 table gives it, its log position against the log, its console output against the
 * output already replayed, and its harts against the log's digest at that icount. One that fails
 * is refused with a note naming it and why, and never offered again: the jump falls back to the
 * next earlier one, or to a replay, never to wrong state.
 *
 * <p>With a disk, a snapshot carries the disk's changes since the recording started (the
 * replay's overlay over the start snapshot), covered by its SHA-256 like the rest.
 */
final class SavedSnapshots {

    /** Below this distance replaying is cheaper than loading and checking a persisted snapshot (~0.5 s). */
    static final long WORTH_LOADING = 50_000_000L;

    private final SnapshotImage image;
    private final TreeMap<Long, String> candidates = new TreeMap<>();
    private final List<String> notes = new ArrayList<>();
    private int jumps;

    /** {@code diskStartSnapshot}: a disk recording's start snapshot (its disk may hold other recordings' too), else null. */
    SavedSnapshots(SnapshotImage image, String diskStartSnapshot, long after, long end) {
        this.image = image;
        String prefix = diskStartSnapshot == null ? "" : RecordingSnapshots.prefix(diskStartSnapshot);
        for (Timeline.SavedSnapshot s : image.list()) {
            if (s.icount() > after && s.icount() <= end && s.name().startsWith(prefix)) {
                candidates.put(s.icount(), s.name());
            }
        }
    }

    /** What was refused and why, oldest first. */
    List<String> notes() {
        return List.copyOf(notes);
    }

    /** How many times a jump loaded one. */
    int jumps() {
        return jumps;
    }

    /** Icounts of the persisted snapshots not refused, ascending. */
    long[] icounts() {
        return candidates.keySet().stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Moves the timeline to the latest persisted snapshot in ({@code from} + {@link #WORTH_LOADING},
     * {@code upTo}] that passes every check, restoring {@code fallback} if one failed after it
     * had been restored. Returns false if it moved to none.
     */
    boolean jump(Timeline t, long from, long upTo, SnapshotStore.Snapshot fallback) {
        boolean restored = false;
        for (Long p = candidates.floorKey(upTo); p != null && p > from + WORTH_LOADING; p = candidates.lowerKey(p)) {
            String name = candidates.get(p);
            try {
                VmState v = image.load(name);
                check(t, name, p, v);
                restored = true;
                try {
                    t.snapshots().restore(t.machine(), v.machine(), "snapshot '" + name + "'");
                } catch (IllegalStateException e) {
                    throw new ReplaySetupException("it does not fit this machine: " + e.getCause().getMessage());
                }
                if (!t.session().digestAgrees()) {
                    throw new ReplaySetupException("its harts differ from the recording's digest at icount " + p);
                }
                if (!t.session().console().adopt(v.console())) {
                    throw new ReplaySetupException("its console output contradicts the output replayed so far");
                }
                t.session().restoreIo(new ReplaySession.IoPosition(
                        new Replayer.Position((int) v.eventsConsumed(), new long[0]), v.console().length, v.disk()));
                t.snapshots().add(new SnapshotStore.Snapshot(p, v.machine(), t.session().ioPosition()));
                jumps++;
                return true;
            } catch (ReplaySetupException e) {
                refuse(p, name, e.getMessage());
            }
        }
        if (restored) {
            t.restore(fallback);
        }
        return false;
    }

    private void check(Timeline t, String name, long icount, VmState v) throws ReplaySetupException {
        if (!v.verified()) {
            throw new ReplaySetupException("it was saved without a digest (by an older Rewind)");
        }
        if (v.machine().icount() != icount) {
            throw new ReplaySetupException("it holds the state of icount " + v.machine().icount() + ", not " + icount);
        }
        if (v.eventsConsumed() > t.session().log().events().size()) {
            throw new ReplaySetupException("it lies beyond the end of the log");
        }
        boolean hasDisk = t.session().log().header().diskPath() != null;
        if (hasDisk != (v.disk() != null)) {
            throw new ReplaySetupException(hasDisk ? "it holds no disk contents (saved by an older Rewind)"
                    : "it holds disk contents, and this recording has no disk");
        }
    }

    private void refuse(long icount, String name, String why) {
        candidates.remove(icount);
        String note = "persisted snapshot '" + name + "' (icount " + icount + ") in " + image.image().path()
                + " refused: " + why.replaceFirst("^snapshot '[^']*' in \\S+ holds no Rewind machine state: ", "")
                + "; replaying from an earlier point instead";
        notes.add(note);
        System.err.println("rewind: " + note);
    }
}
