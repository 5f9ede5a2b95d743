package dev.rewind.symbols;

import java.util.List;

/**
 * Where a variable's value is at a given pc, as a DWARF location description evaluates:
 * in memory at an address, in a register, a known value with no storage, assembled from
 * pieces in several places (optimized code splitting a struct across registers), or
 * unavailable (optimized out, or described by something this reader does not evaluate).
 */
public record Location(Kind kind, long value, List<Piece> pieces) {

    public enum Kind { MEMORY, REGISTER, VALUE, COMPOSITE, UNAVAILABLE }

    /** {@code size} bytes of a composite value, found at {@code where} (never itself composite). */
    public record Piece(Location where, long size) {
    }

    static final Location UNAVAILABLE = new Location(Kind.UNAVAILABLE, 0, List.of());

    static Location memory(long address) {
        return new Location(Kind.MEMORY, address, List.of());
    }

    static Location register(int number) {
        return new Location(Kind.REGISTER, number, List.of());
    }

    static Location value(long v) {
        return new Location(Kind.VALUE, v, List.of());
    }

    static Location composite(List<Piece> pieces) {
        return new Location(Kind.COMPOSITE, 0, List.copyOf(pieces));
    }
}
