package dev.rewind.symbols;

import java.util.List;

/** A compilation unit from {@code .debug_info}: its primary source, directory, DWARF version and code ranges. */
public record CompileUnit(long offset, int version, String name, String compDir, String producer,
        List<AddressRange> ranges) {
}
