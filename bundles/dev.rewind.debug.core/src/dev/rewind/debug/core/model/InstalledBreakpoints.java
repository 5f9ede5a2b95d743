package dev.rewind.debug.core.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.model.IBreakpoint;

import dev.rewind.debug.core.RewindDebugCore;
import dev.rewind.emulator.WatchHit;
import dev.rewind.emulator.WatchKind;
import dev.rewind.replay.StopConditions;
import dev.rewind.symbols.ProgramSymbols;

/**
 * Which Eclipse breakpoints and watchpoints a replay has installed in its timeline's stop
 * conditions, and at which addresses: a line breakpoint stands for its statements' addresses,
 * several breakpoints may share one, and a watchpoint is installed as the range it had then.
 * Engine thread only.
 */
final class InstalledBreakpoints {

    private final ProgramSymbols symbols;
    private final StopConditions stops;
    /** Breakpoint → its installed addresses. */
    private final Map<IBreakpoint, List<Long>> installed = new LinkedHashMap<>();
    private final Map<Long, Integer> addressUse = new HashMap<>();
    /** Watchpoint → {address, length, WatchKind ordinal, address space} as installed. */
    private final Map<RewindWatchpoint, long[]> watched = new LinkedHashMap<>();

    InstalledBreakpoints(ProgramSymbols symbols, StopConditions stops) {
        this.symbols = symbols;
        this.stops = stops;
    }

    /** The addresses a breakpoint stands for: DWARF line → statement addresses, or its own address. */
    private List<Long> addressesOf(IBreakpoint bp) {
        if (bp instanceof RewindLineBreakpoint lb && lb.sourcePath() != null) {
            return symbols.addressesFor(lb.sourcePath(), lb.line());
        }
        if (bp instanceof RewindAddressBreakpoint ab && ab.address() >= 0) {
            return List.of(ab.address());
        }
        return List.of();
    }

    void install(IBreakpoint bp) {
        if (bp instanceof RewindWatchpoint w) {
            try {
                if (!watched.containsKey(w) && w.address() >= 0 && w.length() > 0) {
                    // a device register is meant at its physical address, whatever the hart's translation
                    long[] range = {w.address(), w.length(), w.kind().ordinal(),
                        w.physical() ? WatchHit.PHYSICAL : WatchHit.ANY_SPACE};
                    watched.put(w, range);
                    stops.addWatchpoint(range[0], range[1], WatchKind.values()[(int) range[2]], range[3]);
                }
            } catch (CoreException e) {
                RewindDebugCore.log(e.getStatus());
            }
            return;
        }
        if (installed.containsKey(bp)) {
            return;
        }
        List<Long> addrs = addressesOf(bp);
        installed.put(bp, addrs);
        for (long a : addrs) {
            if (addressUse.merge(a, 1, Integer::sum) == 1) {
                stops.addBreakpoint(a);
            }
        }
    }

    void uninstall(IBreakpoint bp) {
        long[] range = watched.remove(bp);
        if (range != null) {
            stops.removeWatchpoint(range[0], range[1], WatchKind.values()[(int) range[2]], range[3]);
            return;
        }
        List<Long> addrs = installed.remove(bp);
        if (addrs == null) {
            return;
        }
        for (long a : addrs) {
            if (addressUse.merge(a, -1, Integer::sum) == 0) {
                addressUse.remove(a);
                stops.removeBreakpoint(a);
            }
        }
    }

    /** The addresses {@code bp} is installed at (empty if its line has no code, or it is not installed). */
    List<Long> addresses(IBreakpoint bp) {
        return List.copyOf(installed.getOrDefault(bp, List.of()));
    }

    /** The breakpoints installed at {@code pc}. */
    List<IBreakpoint> at(long pc) {
        List<IBreakpoint> at = new ArrayList<>();
        installed.forEach((bp, addrs) -> {
            if (addrs.contains(pc)) {
                at.add(bp);
            }
        });
        return at;
    }

    /** The watchpoints whose range overlaps {@code [address, address + size)}. */
    List<IBreakpoint> watching(long address, long size) {
        List<IBreakpoint> at = new ArrayList<>();
        watched.forEach((w, range) -> {
            if (address + size > range[0] && address < range[0] + range[1]) {
                at.add(w);
            }
        });
        return at;
    }
}
