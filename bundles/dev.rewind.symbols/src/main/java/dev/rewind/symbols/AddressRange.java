package dev.rewind.symbols;

/** A half-open address range {@code [low, high)}. */
public record AddressRange(long low, long high) {

    public boolean contains(long addr) {
        return Long.compareUnsigned(addr, low) >= 0 && Long.compareUnsigned(addr, high) < 0;
    }
}
