package dev.rewind.symbols;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** The compilation units and functions read from {@code .debug_info}. */
public final class DebugInfo {
    private final List<CompileUnit> units;
    private final List<FunctionInfo> functions;
    // Out-of-line functions sorted by low pc, for a binary-search first step.
    private final FunctionInfo[] outer;
    private final long[] outerLow;
    // The inlined copies inside each out-of-line function, so a lookup scans one function's.
    private final Map<FunctionInfo, List<FunctionInfo>> inlinedIn = new IdentityHashMap<>();

    DebugInfo(List<CompileUnit> units, List<FunctionInfo> functions) {
        this.units = Collections.unmodifiableList(new ArrayList<>(units));
        this.functions = Collections.unmodifiableList(new ArrayList<>(functions));
        List<FunctionInfo> tops = new ArrayList<>();
        for (FunctionInfo f : functions) {
            if (!f.inlined()) {
                tops.add(f);
            } else {
                inlinedIn.computeIfAbsent(f.outermost(), k -> new ArrayList<>()).add(f);
            }
        }
        tops.sort((a, b) -> Long.compareUnsigned(a.lowPc(), b.lowPc()));
        outer = tops.toArray(new FunctionInfo[0]);
        outerLow = new long[outer.length];
        for (int i = 0; i < outer.length; i++) {
            outerLow[i] = outer[i].lowPc();
        }
    }

    static DebugInfo empty() {
        return new DebugInfo(List.of(), List.of());
    }

    public List<CompileUnit> compileUnits() {
        return units;
    }

    /** Every function with code: out-of-line ones and inlined copies. */
    public List<FunctionInfo> functions() {
        return functions;
    }

    /**
     * The innermost function whose code covers {@code pc}: an inlined copy when pc is in
     * inlined code (what {@code addr2line -f} prints), else the out-of-line function; null if none.
     */
    public FunctionInfo functionAt(long pc) {
        FunctionInfo outer = outerFunctionAt(pc);
        if (outer == null) {
            return null;
        }
        FunctionInfo best = outer;
        int bestDepth = 0;
        for (FunctionInfo f : inlinedIn.getOrDefault(outer, List.of())) {
            if (f.contains(pc)) {
                int d = f.depth();
                if (d > bestDepth) {
                    best = f;
                    bestDepth = d;
                }
            }
        }
        return best;
    }

    /** The out-of-line function whose code covers {@code pc}, or null. */
    public FunctionInfo outerFunctionAt(long pc) {
        int lo = 0;
        int hi = outer.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(outerLow[mid], pc) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        // Functions with several ranges can start below pc yet not cover it; look further back.
        for (int i = found; i >= 0; i--) {
            if (outer[i].contains(pc)) {
                return outer[i];
            }
        }
        return null;
    }

    /** Out-of-line functions called {@code name}. */
    public List<FunctionInfo> functionsNamed(String name) {
        List<FunctionInfo> out = new ArrayList<>();
        for (FunctionInfo f : outer) {
            if (f.name().equals(name)) {
                out.add(f);
            }
        }
        return out;
    }
}
