package dev.rewind.symbols;

/** One ELF section header. Addresses and sizes are unsigned 64-bit values. */
public record ElfSection(int index, String name, int type, long flags, long address, long fileOffset,
        long size, int link, int info, long entrySize) {

    public static final int SHT_NULL = 0;
    public static final int SHT_PROGBITS = 1;
    public static final int SHT_SYMTAB = 2;
    public static final int SHT_STRTAB = 3;
    public static final int SHT_NOBITS = 8;
    public static final long SHF_ALLOC = 0x2;
    public static final long SHF_EXECINSTR = 0x4;
    public static final long SHF_COMPRESSED = 0x800;

    public boolean isAllocated() {
        return (flags & SHF_ALLOC) != 0;
    }

    public boolean isExecutable() {
        return (flags & SHF_EXECINSTR) != 0;
    }

    /** True when {@code addr} lies in {@code [address, address + size)} of an allocated section. */
    public boolean containsAddress(long addr) {
        return isAllocated() && Long.compareUnsigned(addr, address) >= 0
                && Long.compareUnsigned(addr - address, size) < 0;
    }
}
