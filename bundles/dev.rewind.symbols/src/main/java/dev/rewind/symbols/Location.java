package dev.rewind.symbols;

/**
 * Where a variable's value is at a given pc, as a DWARF location description evaluates:
 * in memory at an address, in a register, a known value with no storage, or unavailable
 * (optimized out, or described by something this reader does not evaluate).
 */
public record Location(Kind kind, long value) {

    public enum Kind { MEMORY, REGISTER, VALUE, UNAVAILABLE }

    static final Location UNAVAILABLE = new Location(Kind.UNAVAILABLE, 0);

    static Location memory(long address) {
        return new Location(Kind.MEMORY, address);
    }

    static Location register(int number) {
        return new Location(Kind.REGISTER, number);
    }

    static Location value(long v) {
        return new Location(Kind.VALUE, v);
    }
}
