package dev.rewind.symbols;

import java.util.OptionalLong;

/** Target memory as the unwinder sees it: 8-byte little-endian reads that may fail. */
@FunctionalInterface
public interface MemoryReader {
    /** The doubleword at {@code address}, or empty when that memory cannot be read. */
    OptionalLong read64(long address);
}
