package dev.rewind.gdbstub.target;

import java.util.ArrayList;
import java.util.List;

import dev.rewind.emulator.WatchHit;
import dev.rewind.emulator.WatchKind;
import dev.rewind.gdbstub.BreakpointType;

/** The watchpoints gdb inserted, to name the one an access hit (write, read or access). */
final class WatchpointTable {

    private record Watch(BreakpointType type, long address, int length) {
    }

    private final List<Watch> watches = new ArrayList<>();

    /** Adds one; returns false if it was there already (gdb may insert twice). */
    boolean add(BreakpointType type, long address, int length) {
        Watch w = new Watch(type, address, length);
        if (watches.contains(w)) {
            return false;
        }
        watches.add(w);
        return true;
    }

    boolean remove(BreakpointType type, long address, int length) {
        return watches.remove(new Watch(type, address, length));
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
