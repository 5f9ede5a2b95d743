package dev.rewind.symbols;

/**
 * One frame of an unwound call stack, innermost first. For a caller frame {@code pc} is the
 * return address, and {@code symbolPc} (pc - 1, inside the call) is the address its function,
 * line and variables are looked up at, as gdb does; for the innermost frame both are the pc.
 * An inlined call produces an extra frame with the same pc and cfa and {@code inlined} set.
 * {@code function}, {@code functionInfo} and {@code location} are null when the debug
 * information has none. {@code registers} are x0-x31 as unwound for this frame; bit r of
 * {@code knownRegisters} says whether x<i>r</i> is known here (callee-saved registers restored
 * by CFI are; caller-saved ones in caller frames are not).
 */
public record StackFrame(int level, long pc, long symbolPc, long cfa, String function, FunctionInfo functionInfo,
        SourceLocation location, boolean inlined, long[] registers, long knownRegisters) {

    /** True when register {@code r} (x0-x31) has a known value in this frame. */
    public boolean isKnown(int r) {
        return r >= 0 && r < 32 && (knownRegisters & (1L << r)) != 0;
    }

    @Override
    public String toString() {
        return "#" + level + " 0x" + Long.toHexString(pc) + " in " + (function == null ? "??" : function)
                + (location == null ? "" : " at " + location) + (inlined ? " [inlined]" : "");
    }
}
