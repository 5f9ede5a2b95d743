package dev.rewind.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import dev.rewind.emulator.VirtMachine;
import dev.rewind.emulator.WatchHit;
import dev.rewind.emulator.WatchKind;

/**
 * Breakpoints and watchpoints: where a debugging run stops. A {@link Timeline} keeps the user's
 * in one registry ({@link Timeline#stops()}); a movement that needs stops of its own (a step
 * over's return address, a reverse finish's function entry) passes them to that one run as
 * temporary conditions, so they never mix with the user's. Installed in the machine only for
 * the runs that watch, so seeks never stop early.
 */
public final class StopConditions {

    private record Watch(long address, long length, WatchKind kind, long space) {
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

    /** Stop after an instruction that accesses [address, address + length) the given way (virtual, any address space); adding one twice adds it once. */
    public void addWatchpoint(long address, long length, WatchKind kind) {
        addWatchpoint(address, length, kind, WatchHit.ANY_SPACE);
    }

    public void removeWatchpoint(long address, long length, WatchKind kind) {
        removeWatchpoint(address, length, kind, WatchHit.ANY_SPACE);
    }

    /**
     * Like {@link #addWatchpoint(long, long, WatchKind)} in address space {@code space}:
     * {@link WatchHit#ANY_SPACE}, {@link WatchHit#PHYSICAL}, or one page table's virtual
     * addresses ({@link dev.rewind.emulator.DebugView#addressSpace()}).
     */
    public void addWatchpoint(long address, long length, WatchKind kind, long space) {
        checkMutable();
        if (length <= 0) {
            throw new IllegalArgumentException("watchpoint length must be positive: " + length);
        }
        Watch w = new Watch(address, length, kind, space);
        if (!watchpoints.contains(w)) {
            watchpoints.add(w);
        }
    }

    public void removeWatchpoint(long address, long length, WatchKind kind, long space) {
        checkMutable();
        watchpoints.remove(new Watch(address, length, kind, space));
    }

    boolean hasWatchpoints() {
        return !watchpoints.isEmpty();
    }

    /** The virtual pages (address / 4096) of the breakpoints, ascending, into {@code into}. */
    void breakpointPages(java.util.Set<Long> into) {
        for (long pc : breakpoints) {
            into.add(pc >>> 12);
        }
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
            m.addWatchpoint(w.address, w.length, w.kind, w.space);
        }
    }

    void uninstall(VirtMachine m) {
        for (long pc : breakpoints) {
            m.removeBreakpoint(pc);
        }
        for (Watch w : watchpoints) {
            m.removeWatchpoint(w.address, w.length, w.kind, w.space);
        }
    }
}
