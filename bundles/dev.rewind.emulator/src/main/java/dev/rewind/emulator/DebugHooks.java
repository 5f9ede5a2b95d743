package dev.rewind.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The debugger's breakpoints and watchpoints, for the whole machine: decoded pages are shared
 * by every hart, and a breakpoint is baked into their slots ({@link Op#BREAKPOINT}), so the set
 * is one. Harts consult it; a change here drops the decoded code or the translations it affects.
 */
final class DebugHooks {

    private final Bus bus;
    private final List<Hart> harts = new ArrayList<>();
    private static final WatchKind[] KINDS = WatchKind.values();
    private final TreeSet<Long> breakpoints = new TreeSet<>();
    private final List<long[]> watchpoints = new ArrayList<>(); // {addr, len, kind ordinal, space}
    WatchHit lastWatchHit;

    DebugHooks(Bus bus) {
        this.bus = bus;
    }

    /** A hart whose translations must be dropped when watchpoints change. */
    void attach(Hart hart) {
        harts.add(hart);
    }

    /**
     * True if any hart's execute trigger sits at {@code pc}: decoded code is shared by all harts,
     * so a slot is marked for every hart's triggers (a hart whose own triggers do not fire there
     * passes it through the scratch path).
     */
    boolean anyExecuteTrigger(long pc) {
        for (int i = 0; i < harts.size(); i++) {
            if (harts.get(i).triggers.executeAt(pc)) {
                return true;
            }
        }
        return false;
    }

    boolean isBreakpoint(long pc) {
        return !breakpoints.isEmpty() && breakpoints.contains(pc);
    }

    boolean addBreakpoint(long pc) {
        boolean added = breakpoints.add(pc);
        bus.ram.forgetDecoded();
        bus.rom.forgetDecoded();
        return added;
    }

    boolean removeBreakpoint(long pc) {
        boolean removed = breakpoints.remove(pc);
        bus.ram.forgetDecoded();
        bus.rom.forgetDecoded();
        return removed;
    }

    /** True while any watchpoint is set: data accesses then take the slow path. */
    boolean watching() {
        return !watchpoints.isEmpty();
    }

    /**
     * True if a watchpoint covers part of the page at {@code pageVa} (virtual watchpoints) or
     * {@code pagePa} (physical ones): such a page stays out of the TLB.
     */
    boolean watchesPage(long pageVa, long pagePa) {
        for (int i = 0; i < watchpoints.size(); i++) {
            long[] wp = watchpoints.get(i);
            long page = wp[3] == WatchHit.PHYSICAL ? pagePa : pageVa;
            if (Long.compareUnsigned(page, wp[0] + wp[1]) < 0 && Long.compareUnsigned(wp[0], page + 4096) < 0) {
                return true;
            }
        }
        return false;
    }

    /** {@code space}: {@link WatchHit#ANY_SPACE}, {@link WatchHit#PHYSICAL} or a page-table root (see {@link DebugView#addressSpace()}). */
    void addWatchpoint(long addr, long len, WatchKind kind, long space) {
        watchpoints.add(new long[] {addr, len, kind.ordinal(), space});
        translationsChanged();
    }

    boolean removeWatchpoint(long addr, long len, WatchKind kind, long space) {
        for (int i = 0; i < watchpoints.size(); i++) {
            long[] wp = watchpoints.get(i);
            if (wp[0] == addr && wp[1] == len && wp[2] == kind.ordinal() && wp[3] == space) {
                watchpoints.remove(i);
                translationsChanged();
                return true;
            }
        }
        return false;
    }

    private void translationsChanged() {
        for (Hart h : harts) {
            h.mmu.translationChanged();
        }
    }

    /**
     * True (and {@link #lastWatchHit} set) if the access [a, a+size), virtual address {@code a}
     * translated to {@code pa} by hart {@code h}, hits a watchpoint.
     */
    boolean checkWatch(Hart h, long a, long pa, int size, boolean write, long pc, long ic) {
        // called for every data access while watching: no iterator, no values() copy
        for (int i = 0; i < watchpoints.size(); i++) {
            long[] wp = watchpoints.get(i);
            long space = wp[3];
            long at = space == WatchHit.PHYSICAL ? pa : a;
            if (KINDS[(int) wp[2]].catches(write)
                    && Long.compareUnsigned(at, wp[0] + wp[1]) < 0 && Long.compareUnsigned(wp[0], at + size) < 0
                    && (space < 0 || space == h.mmu.dataSpace(write ? Mmu.STORE : Mmu.LOAD))) {
                lastWatchHit = new WatchHit(at, size, write, ic + 1, pc, space);
                return true;
            }
        }
        return false;
    }
}
