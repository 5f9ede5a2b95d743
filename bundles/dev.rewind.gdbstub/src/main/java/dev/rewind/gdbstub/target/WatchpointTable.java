package dev.rewind.gdbstub.target;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import dev.rewind.emulator.WatchHit;
import dev.rewind.emulator.WatchKind;
import dev.rewind.gdbstub.BreakpointType;

/**
 * The watchpoints gdb inserted, to name the one an access hit (write, read or access), and the
 * address space each one belongs to. gdb removes its watchpoints at every stop and inserts them
 * again before it resumes, so a watchpoint keeps the space it was first inserted in (where the
 * user set it) for as long as gdb keeps inserting it; one that is not inserted again by the next
 * resume was deleted, and is forgotten.
 */
final class WatchpointTable {

    private record Watch(BreakpointType type, long address, int length) {
    }

    private record Remembered(Watch watch, long space) {
    }

    private final List<Watch> watches = new ArrayList<>();
    private final List<Remembered> spaces = new ArrayList<>();

    /**
     * Adds one; returns its address space ({@code current} if it is new, else the one it was
     * first inserted in), or {@link Long#MIN_VALUE} if it is inserted already (gdb may insert twice).
     */
    long add(BreakpointType type, long address, int length, LongSupplier current) {
        Watch w = new Watch(type, address, length);
        if (watches.contains(w)) {
            return Long.MIN_VALUE;
        }
        watches.add(w);
        for (Remembered r : spaces) {
            if (r.watch.equals(w)) {
                return r.space;
            }
        }
        long space = current.getAsLong();
        spaces.add(new Remembered(w, space));
        return space;
    }

    /** Removes one; returns its address space, or {@link Long#MIN_VALUE} if it was not inserted. */
    long remove(BreakpointType type, long address, int length) {
        Watch w = new Watch(type, address, length);
        if (!watches.remove(w)) {
            return Long.MIN_VALUE;
        }
        for (Remembered r : spaces) {
            if (r.watch.equals(w)) {
                return r.space;
            }
        }
        return WatchHit.ANY_SPACE;
    }

    /** At a resume: everything gdb still wants is inserted, so the spaces of the others go. */
    void forgetDeleted() {
        spaces.removeIf(r -> !watches.contains(r.watch));
    }

    boolean isEmpty() {
        return watches.isEmpty();
    }

    static WatchKind kind(BreakpointType type) {
        return switch (type) {
            case WRITE_WATCH -> WatchKind.WRITE;
            case READ_WATCH -> WatchKind.READ;
            case ACCESS_WATCH -> WatchKind.ACCESS;
            default -> throw new IllegalArgumentException(type + " is not a watchpoint");
        };
    }

    /** The type to report for an access: the matching write/read watch first, else an access watch. */
    BreakpointType typeOf(WatchHit hit) {
        BreakpointType exact = hit.write() ? BreakpointType.WRITE_WATCH : BreakpointType.READ_WATCH;
        BreakpointType found = null;
        for (Watch w : watches) {
            boolean overlaps = hit.address() < w.address + w.length && w.address < hit.address() + hit.size();
            if (!overlaps) {
                continue;
            }
            if (w.type == exact) {
                return exact;
            }
            if (w.type == BreakpointType.ACCESS_WATCH) {
                found = BreakpointType.ACCESS_WATCH;
            }
        }
        return found != null ? found : exact;
    }

    /** The start of the watched range that the access touched (gdb matches it to its watchpoint). */
    long reportedAddress(WatchHit hit) {
        for (Watch w : watches) {
            if (hit.address() < w.address + w.length && w.address < hit.address() + hit.size()) {
                return Math.max(w.address, hit.address());
            }
        }
        return hit.address();
    }
}
