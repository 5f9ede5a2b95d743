package dev.rewind.symbols;

/**
 * One frame of an unwound call stack, innermost first. For a caller frame {@code pc} is the
 * return address and {@code location} is that of the call (looked up at pc - 1), as gdb shows
 * it. An inlined call produces an extra frame with the same pc and cfa and {@code inlined}
 * set. {@code function} and {@code location} are null when the debug information has none.
 * {@code registers} are x0-x31 as unwound for this frame (callee-saved ones are exact;
 * caller-saved ones are whatever the callee left).
 */
public record StackFrame(int level, long pc, long cfa, String function, SourceLocation location, boolean inlined,
        long[] registers) {

    @Override
    public String toString() {
        return "#" + level + " 0x" + Long.toHexString(pc) + " in " + (function == null ? "??" : function)
                + (location == null ? "" : " at " + location) + (inlined ? " [inlined]" : "");
    }
}
