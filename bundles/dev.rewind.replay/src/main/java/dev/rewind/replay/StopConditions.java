package dev.rewind.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import dev.rewind.emulator.VirtMachine;
import dev.rewind.emulator.WatchKind;

/**
 * Breakpoints and watchpoints: where a debugging run stops. A {@link Timeline} keeps the user's
 * in one registry ({@link Timeline#stops()}); a movement that needs stops of its own (a step
 * over's return address, a reverse finish's function entry) passes them to that one run as
 * temporary conditions, so they never mix with the user's. Installed in the machine only for
 * the runs that watch, so seeks never stop early.
 */
public final class StopConditions {

    private record Watch(long address, long length, WatchKind kind) {
    }

    private final TreeSet<Long> breakpoints = new TreeSet<>();
    private final List<Watch> watchpoints = new ArrayList<>();

    /** No conditions: for runs without temporary stops (cannot change). */
    public static final StopConditions NONE = new StopConditions();

    public StopConditions() {
    }

    /** A single breakpoint, e.g. a temporary one for one run. */
    public static StopConditions breakpointAt(long pc) {
        StopConditions c = new StopConditions();
        c.addBreakpoint(pc);
        return c;
    }

    /** Stop before executing the instruction at {@code pc}. */
    public void addBreakpoint(long pc) {
        checkMutable();
        breakpoints.add(pc);
    }

    public void removeBreakpoint(long pc) {
        checkMutable();
        breakpoints.remove(pc);
    }

    public boolean hasBreakpoint(long pc) {
        return !breakpoints.isEmpty() && breakpoints.contains(pc);
    }

    /** Stop after an instruction that accesses [address, address + length) the given way; adding one twice adds it once. */
    public void addWatchpoint(long address, long length, WatchKind kind) {
        checkMutable();
        if (length <= 0) {
            throw new IllegalArgumentException("watchpoint length must be positive: " + length);
        }
        Watch w = new Watch(address, length, kind);
        if (!watchpoints.contains(w)) {
            watchpoints.add(w);
        }
    }

    public void removeWatchpoint(long address, long length, WatchKind kind) {
        checkMutable();
        watchpoints.remove(new Watch(address, length, kind));
    }

    public boolean isEmpty() {
        return breakpoints.isEmpty() && watchpoints.isEmpty();
    }

    private void checkMutable() {
        if (this == NONE) {
            throw new UnsupportedOperationException("StopConditions.NONE cannot change");
        }
    }

    void install(VirtMachine m) {
        for (long pc : breakpoints) {
            m.addBreakpoint(pc);
        }
        for (Watch w : watchpoints) {
            m.addWatchpoint(w.address, w.length, w.kind);
        }
    }

    void uninstall(VirtMachine m) {
        for (long pc : breakpoints) {
            m.removeBreakpoint(pc);
        }
        for (Watch w : watchpoints) {
            m.removeWatchpoint(w.address, w.length, w.kind);
        }
    }
}
