package dev.rewind.symbols;

import java.util.OptionalLong;

/** Target memory as the unwinder and variable reader see it: little-endian reads that may fail. */
@FunctionalInterface
public interface MemoryReader {
    /** The doubleword at {@code address}, or empty when that memory cannot be read. */
    OptionalLong read64(long address);

    /**
     * The {@code size}-byte (1, 2, 4 or 8) unsigned value at {@code address}, built from the
     * aligned doublewords that hold it; empty when any of them cannot be read.
     */
    default OptionalLong read(long address, int size) {
        if (size == 8 && (address & 7) == 0) {
            return read64(address);
        }
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("size " + size);
        }
        long value = 0;
        for (int i = 0; i < size; i++) {
            long a = address + i;
            OptionalLong word = read64(a & ~7L);
            if (word.isEmpty()) {
                return OptionalLong.empty();
            }
            value |= ((word.getAsLong() >>> (8 * (a & 7))) & 0xff) << (8 * i);
        }
        return OptionalLong.of(value);
    }
}
