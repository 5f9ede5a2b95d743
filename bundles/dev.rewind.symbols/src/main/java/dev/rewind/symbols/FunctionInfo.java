package dev.rewind.symbols;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A function from {@code .debug_info}: an out-of-line subprogram, or an inlined copy of one
 * ({@link #inlined()}), whose {@link #parent()} is the function it was inlined into and whose
 * {@link #callSite()} is the source position of the inlined call.
 */
public final class FunctionInfo {
    private String name;
    private final List<AddressRange> ranges;
    private final boolean inlined;
    private final FunctionInfo parent;
    private final String compileUnit;
    private SourceLocation callSite;
    private byte[] frameBase;
    private long entryPc = -1;
    private UnitContext unit;
    private final List<VariableInfo> variables = new ArrayList<>();

    FunctionInfo(String name, List<AddressRange> ranges, boolean inlined, FunctionInfo parent, String compileUnit) {
        this.name = name;
        this.ranges = List.copyOf(ranges);
        this.inlined = inlined;
        this.parent = parent;
        this.compileUnit = compileUnit;
    }

    /** The source-level name, or {@code "??"} when the DWARF gives none. */
    public String name() {
        return name;
    }

    /** The address ranges the code occupies (one range for a contiguous function). */
    public List<AddressRange> ranges() {
        return ranges;
    }

    /** The lowest address of the function (its entry for out-of-line functions). */
    public long lowPc() {
        long low = -1;
        for (AddressRange r : ranges) {
            if (Long.compareUnsigned(r.low(), low) < 0) {
                low = r.low();
            }
        }
        return ranges.isEmpty() ? 0 : low;
    }

    /** One past the highest address of the function. */
    public long highPc() {
        long high = 0;
        for (AddressRange r : ranges) {
            if (Long.compareUnsigned(r.high(), high) > 0) {
                high = r.high();
            }
        }
        return high;
    }

    public boolean contains(long pc) {
        for (AddressRange r : ranges) {
            if (r.contains(pc)) {
                return true;
            }
        }
        return false;
    }

    public boolean inlined() {
        return inlined;
    }

    /** For an inlined copy: the function (possibly itself inlined) it was inlined into; else null. */
    public FunctionInfo parent() {
        return parent;
    }

    /** For an inlined copy: where the call was in the parent's source, if the DWARF says; else null. */
    public SourceLocation callSite() {
        return callSite;
    }

    void frame(byte[] base, UnitContext context) {
        this.frameBase = base;
        this.unit = context;
    }

    void entryPc(long pc) {
        this.entryPc = pc;
    }

    /**
     * Where execution enters the code: DW_AT_entry_pc when it lies inside the code (gcc may
     * point it at a zero-length spot just before an inlined copy), else the start of the first
     * range as listed, which is what gdb uses.
     */
    public long entryPc() {
        if (entryPc != -1 && contains(entryPc)) {
            return entryPc;
        }
        return ranges.isEmpty() ? 0 : ranges.get(0).low();
    }

    UnitContext unit() {
        return unit;
    }

    byte[] frameBase() {
        return frameBase;
    }

    void addVariable(VariableInfo v) {
        variables.add(v);
    }

    /** Parameters and locals in declaration order (those of nested blocks included; see {@link VariableInfo#visibleAt}). */
    public List<VariableInfo> variables() {
        return Collections.unmodifiableList(variables);
    }

    void rename(String resolved) {
        this.name = resolved;
    }

    void callSite(SourceLocation site) {
        this.callSite = site;
    }

    /** The out-of-line function this code belongs to (this one unless inlined). */
    public FunctionInfo outermost() {
        FunctionInfo f = this;
        while (f.parent != null) {
            f = f.parent;
        }
        return f;
    }

    int depth() {
        int d = 0;
        for (FunctionInfo f = parent; f != null; f = f.parent) {
            d++;
        }
        return d;
    }

    /** The name of the compilation unit (usually the primary source file) that holds this function. */
    public String compileUnit() {
        return compileUnit;
    }

    @Override
    public String toString() {
        return name + (inlined ? " (inlined)" : "") + " @0x" + Long.toHexString(lowPc());
    }
}
