package dev.rewind.symbols;

/**
 * One {@code .symtab} entry: its name, value (the address for functions and objects),
 * size in bytes, type and binding, and the index of the section it belongs to.
 */
public record ElfSymbol(String name, long value, long size, Type type, Binding binding, int sectionIndex) {

    /** STT_* values; anything else is {@link #OTHER}. */
    public enum Type {
        NOTYPE, OBJECT, FUNC, SECTION, FILE, COMMON, TLS, OTHER;

        static Type of(int stt) {
            switch (stt) {
                case 0: return NOTYPE;
                case 1: return OBJECT;
                case 2: return FUNC;
                case 3: return SECTION;
                case 4: return FILE;
                case 5: return COMMON;
                case 6: return TLS;
                default: return OTHER;
            }
        }
    }

    /** STB_* values; anything else is {@link #OTHER}. */
    public enum Binding {
        LOCAL, GLOBAL, WEAK, OTHER;

        static Binding of(int stb) {
            switch (stb) {
                case 0: return LOCAL;
                case 1: return GLOBAL;
                case 2: return WEAK;
                default: return OTHER;
            }
        }
    }

    public static final int SHN_UNDEF = 0;
    public static final int SHN_ABS = 0xfff1;

    /** True when {@code addr} lies in {@code [value, value + size)}, or equals value for a size-0 symbol. */
    public boolean contains(long addr) {
        if (size == 0) {
            return addr == value;
        }
        return Long.compareUnsigned(addr, value) >= 0 && Long.compareUnsigned(addr - value, size) < 0;
    }
}
