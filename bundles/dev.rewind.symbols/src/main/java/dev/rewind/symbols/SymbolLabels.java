package dev.rewind.symbols;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Names addresses relative to the program's symbols the way objdump 2.40 does in a
 * disassembly ({@code main}, {@code main+0x1c}, {@code _start-0x10}): the nearest symbol at or
 * below the address, and among symbols of equal value the one objdump's sort prefers (in the
 * section being shown, then functions, objects, globals, larger, names not starting with '.',
 * by name). Section, file and RISC-V mapping symbols ({@code $x}, {@code $d}) are never used.
 */
public final class SymbolLabels {

    private final ElfSymbol[] sorted;
    private final List<ElfSection> sections;

    /** Labels from the symbols of {@code elf}, preferring those in section {@code preferred} (may be null). */
    public SymbolLabels(ElfFile elf, ElfSection preferred) throws SymbolsException {
        this.sections = elf.sections();
        List<ElfSymbol> useful = new ArrayList<>();
        for (ElfSymbol s : elf.symbols()) {
            if (!s.name().isEmpty() && s.type() != ElfSymbol.Type.SECTION && s.type() != ElfSymbol.Type.FILE
                    && s.type() != ElfSymbol.Type.COMMON && s.sectionIndex() != ElfSymbol.SHN_UNDEF
                    && s.sectionIndex() != 0xfff2 && !isMappingSymbol(s.name())) {
                useful.add(s);
            }
        }
        String preferredName = preferred == null ? null : preferred.name();
        useful.sort(Comparator.comparing(ElfSymbol::value, Long::compareUnsigned)
                .thenComparing(s -> !sectionName(s).equals(preferredName))
                .thenComparing(s -> fileLike(s.name()))
                .thenComparing(s -> s.type() != ElfSymbol.Type.FUNC)
                .thenComparing(s -> s.type() != ElfSymbol.Type.OBJECT)
                .thenComparing(s -> s.binding() == ElfSymbol.Binding.LOCAL)
                .thenComparing(s -> s.binding() != ElfSymbol.Binding.GLOBAL)
                .thenComparing(ElfSymbol::size, Comparator.<Long>reverseOrder())
                .thenComparing(s -> s.name().startsWith("."))
                .thenComparing(ElfSymbol::name));
        this.sorted = useful.toArray(new ElfSymbol[0]);
    }

    /** The section of {@code elf} holding {@code address} (allocated sections only), or null. */
    public static ElfSection sectionAt(ElfFile elf, long address) {
        for (ElfSection s : elf.sections()) {
            if (s.containsAddress(address)) {
                return s;
            }
        }
        return null;
    }

    private String sectionName(ElfSymbol s) {
        int i = s.sectionIndex();
        return i > 0 && i < sections.size() ? sections.get(i).name() : "*ABS*";
    }

    private static boolean fileLike(String n) {
        return n.length() > 2 && n.charAt(n.length() - 2) == '.' && (n.endsWith("o") || n.endsWith("a"));
    }

    /** RISC-V mapping symbols and the assembler's fake labels, which objdump never shows. */
    private static boolean isMappingSymbol(String n) {
        return n.equals("$x") || n.equals("$d") || n.startsWith("$x.") || n.startsWith("$d.") || n.startsWith("$xrv")
                || n.equals(".L0 ");
    }

    /** All symbols objdump would use, in its order (for listing headers). */
    public List<ElfSymbol> sorted() {
        return List.of(sorted);
    }

    /** The symbol objdump would name {@code address} after, or null if the program has none. */
    public ElfSymbol symbolFor(long address) {
        if (sorted.length == 0) {
            return null;
        }
        // objdump's binary search: the last symbol at or below the address (the first if none is)
        int lo = 0, hi = sorted.length;
        while (lo + 1 < hi) {
            int mid = (lo + hi) >>> 1;
            int c = Long.compareUnsigned(sorted[mid].value(), address);
            if (c > 0) {
                hi = mid;
            } else if (c < 0) {
                lo = mid;
            } else {
                lo = mid;
                break;
            }
        }
        while (lo > 0 && sorted[lo].value() == sorted[lo - 1].value()) {
            lo--;
        }
        return sorted[lo];
    }

    /** {@code name}, {@code name+0x1c} or {@code name-0x10}; null if the program has no symbols. */
    public String label(long address) {
        ElfSymbol s = symbolFor(address);
        if (s == null) {
            return null;
        }
        long d = address - s.value();
        if (d == 0) {
            return s.name();
        }
        return Long.compareUnsigned(address, s.value()) > 0 ? s.name() + "+0x" + Long.toHexString(d)
                : s.name() + "-0x" + Long.toHexString(-d);
    }
}
