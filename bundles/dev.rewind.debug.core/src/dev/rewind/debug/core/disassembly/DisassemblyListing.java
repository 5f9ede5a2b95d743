package dev.rewind.debug.core.disassembly;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.rewind.emulator.Disassembler;
import dev.rewind.symbols.ElfFile;
import dev.rewind.symbols.ElfSection;
import dev.rewind.symbols.ElfSymbol;
import dev.rewind.symbols.ProgramSymbols;
import dev.rewind.symbols.SourceLocation;
import dev.rewind.symbols.SymbolLabels;
import dev.rewind.symbols.SymbolsException;

/**
 * A disassembly listing as the Disassembly view shows it: symbol headers, the source lines that
 * DWARF attributes the code to, and the instructions formatted by the emulator's
 * {@link Disassembler} exactly as {@code objdump -d} prints them. Pure Java (no Eclipse), so the
 * objdump comparison runs the same code the view does.
 */
public final class DisassemblyListing {

    /** Reads guest memory: the number of bytes read into {@code dst} before the first unreadable one. */
    @FunctionalInterface
    public interface Memory {
        int read(long address, byte[] dst, int off, int len);
    }

    /** What a line shows. */
    public enum Kind {
        /** {@code 0000000080000000 <_start>:} */
        SYMBOL,
        /** {@code sample.c:19: source text} */
        SOURCE,
        /** an instruction */
        INSTRUCTION,
        /** objdump's {@code ...}: zero bytes skipped */
        GAP,
        /** memory that cannot be read */
        UNMAPPED
    }

    /** One line; {@code instruction} is set for INSTRUCTION lines, {@code source} for SOURCE lines. */
    public record Line(Kind kind, long address, String text, Disassembler.Instruction instruction,
            SourceLocation source) {
    }

    private final ProgramSymbols symbols;
    private final Map<String, List<String>> sourceFiles = new TreeMap<>();

    private final List<Path> sourceRoots;

    /** @param symbols the program's symbols and lines, or null for code without any */
    public DisassemblyListing(ProgramSymbols symbols) {
        this(symbols, null);
    }

    /**
     * @param program the program file: relative DWARF source paths are looked up against its
     *                folder and the folders above it (a build tree moved or run from elsewhere)
     */
    public DisassemblyListing(ProgramSymbols symbols, Path program) {
        this.symbols = symbols;
        List<Path> roots = new ArrayList<>();
        for (Path d = program == null ? null : program.toAbsolutePath().getParent(); d != null && roots.size() < 4;
                d = d.getParent()) {
            roots.add(d);
        }
        this.sourceRoots = List.copyOf(roots);
    }

    private final Map<Integer, SymbolLabels> labelsBySection = new TreeMap<>();

    /** The program's labels preferring section {@code preferred} (built once per section: it sorts every symbol). */
    private synchronized SymbolLabels labels(ElfSection preferred) throws SymbolsException {
        int key = preferred == null ? -1 : preferred.index();
        SymbolLabels l = labelsBySection.get(key);
        if (l == null) {
            l = new SymbolLabels(symbols.elf(), preferred);
            labelsBySection.put(key, l);
        }
        return l;
    }

    private Disassembler disassembler(ElfSection preferred) {
        if (symbols == null) {
            return new Disassembler(Disassembler.Labels.NONE, null);
        }
        try {
            SymbolLabels labels = labels(preferred);
            ElfSymbol gp = symbols.symbol("__global_pointer$");
            return new Disassembler(labels::label, gp == null ? null : gp.value());
        } catch (SymbolsException e) {
            return new Disassembler(Disassembler.Labels.NONE, null);
        }
    }

    /**
     * The lines of {@code objdump -d} for one section of the program, from the first symbol
     * header to the section's end, without objdump's file and section banners.
     */
    public List<String> objdump(String sectionName) throws SymbolsException {
        ElfFile elf = symbols.elf();
        ElfSection sec = elf.section(sectionName);
        byte[] bytes = elf.contents(sec);
        SymbolLabels labels = labels(sec);
        Disassembler d = disassembler(sec);
        List<String> out = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        for (ElfSymbol s : labels.sorted()) {
            if (sec.containsAddress(s.value()) && (starts.isEmpty() || starts.get(starts.size() - 1) != s.value())) {
                starts.add(s.value());
            }
        }
        long base = sec.address();
        long end = base + sec.size();
        java.util.NavigableMap<Long, Boolean> mapping = mappingSymbols(elf, sec);
        // objdump drops the leading zero digits all addresses of the section share, in fours, keeping at least 8
        int lead = Long.numberOfLeadingZeros(end) / 4;
        int width = Math.max(8, 16 - (lead == 0 ? 0 : (lead - 1) & -4));
        if (starts.isEmpty() || starts.get(0) != base) {
            starts.add(0, base);
        }
        for (int i = 0; i < starts.size(); i++) {
            long from = starts.get(i);
            long to = i + 1 < starts.size() ? starts.get(i + 1) : end;
            out.add("");
            out.add(String.format("%016x <%s>:", from, labels.label(from)));
            long a = from;
            while (a < to) {
                long zeros = zeroRun(bytes, (int) (a - base), (int) (to - base));
                if (zeros > 0) {
                    out.add("\t...");
                    a += zeros;
                    continue;
                }
                int off = (int) (a - base);
                long dataEnd = dataEnd(mapping, a, end);
                if (dataEnd > a) {
                    int n = (int) Math.min(4, dataEnd - a);
                    n = n == 3 ? 2 : n;
                    long v = 0;
                    for (int k = n - 1; k >= 0; k--) {
                        v = v << 8 | (bytes[off + k] & 0xff);
                    }
                    out.add(dataLine(a, n, v, width));
                    a += n;
                    continue;
                }
                int bits = (bytes[off] & 0xff) | (bytes[off + 1] & 0xff) << 8;
                if (Disassembler.length(bits) == 4 && off + 4 <= bytes.length) {
                    bits |= (bytes[off + 2] & 0xff) << 16 | (bytes[off + 3] & 0xff) << 24;
                }
                Disassembler.Instruction in = d.next(a, bits);
                out.add(in.objdumpLine(width));
                a += in.length();
            }
        }
        return out;
    }

    /** RISC-V mapping symbols of a section: address -> true where data ({@code $d}) starts, false where code ({@code $x}). */
    private static java.util.NavigableMap<Long, Boolean> mappingSymbols(ElfFile elf, ElfSection sec) throws SymbolsException {
        java.util.TreeMap<Long, Boolean> m = new java.util.TreeMap<>();
        for (ElfSymbol s : elf.symbols()) {
            String n = s.name();
            if (s.sectionIndex() == sec.index() && (n.startsWith("$d") || n.startsWith("$x"))) {
                m.put(s.value(), n.startsWith("$d"));
            }
        }
        return m;
    }

    /** Where the data region holding {@code a} ends (next mapping symbol or section end), or -1 in code. */
    private static long dataEnd(java.util.NavigableMap<Long, Boolean> mapping, long a, long sectionEnd) {
        var at = mapping.floorEntry(a);
        if (at == null || !at.getValue()) {
            return -1;
        }
        Long next = mapping.higherKey(a);
        return next == null ? sectionEnd : Math.min(next, sectionEnd);
    }

    /** objdump's line for data in a code section: {@code .word 0x0000000b}, {@code .short}, {@code .byte}. */
    private static String dataLine(long a, int n, long v, int width) {
        String hex = String.format("%0" + 2 * n + "x", v);
        int perLine = n == 1 ? 6 : 8;
        int column = perLine * 2 + perLine / n;
        String directive = n == 4 ? ".word" : n == 2 ? ".short" : ".byte";
        return String.format("%" + width + "x:\t%s\t%s\t0x%s", a, hex + " ".repeat(column - hex.length()), directive, hex);
    }

    /**
     * objdump skips runs of zero bytes: 8 or more (in multiples of 4 when code follows), and
     * padding of 1 or 2 bytes at the end of a symbol's range (its SKIP_ZEROES, SKIP_ZEROES_AT_END). Returns how many bytes to skip at {@code off}, or 0.
     */
    static long zeroRun(byte[] b, int off, int stop) {
        int z = off;
        while (z < stop && b[z] == 0) {
            z++;
        }
        if (z != stop) {
            z = off + ((z - off) & ~3);
        }
        int n = z - off;
        return n >= 8 || z == stop && n > 0 && n < 3 ? n : 0;
    }

    /**
     * The listing of {@code [from, to)} of guest memory: a header at each symbol, the source line
     * before the first instruction of each line-table row, an UNMAPPED line for unreadable memory.
     */
    public List<Line> lines(Memory memory, long from, long to) {
        ElfSection sec = symbols == null ? null : SymbolLabels.sectionAt(symbols.elf(), from);
        Disassembler d = disassembler(sec);
        SymbolLabels labels = null;
        try {
            labels = symbols == null ? null : labels(sec);
        } catch (SymbolsException e) {
            labels = null;
        }
        List<Line> out = new ArrayList<>();
        byte[] buf = new byte[4];
        SourceLocation lastSource = null;
        long a = from;
        while (Long.compareUnsigned(a, to) < 0) {
            if (labels != null) {
                ElfSymbol s = labels.symbolFor(a);
                if (s != null && s.value() == a) {
                    out.add(new Line(Kind.SYMBOL, a, String.format("%016x <%s>:", a, s.name()), null, null));
                }
            }
            int n = memory.read(a, buf, 0, 4);
            if (n < 2) {
                long next = (a | 0xfff) + 1;
                out.add(new Line(Kind.UNMAPPED, a, String.format("%8x:\t(not mapped up to %x)", a, next), null, null));
                a = next;
                d.forget();
                continue;
            }
            if (symbols != null) {
                SourceLocation loc = symbols.lineFor(a);
                if (loc != null && !loc.equals(lastSource) && symbols.lineTable().isStatementStart(a)) {
                    out.add(new Line(Kind.SOURCE, a, loc.fileName() + ":" + loc.line() + "\t" + sourceText(loc), null, loc));
                    lastSource = loc;
                }
            }
            int bits = (buf[0] & 0xff) | (buf[1] & 0xff) << 8;
            if (Disassembler.length(bits) == 4) {
                if (n < 4) {
                    out.add(new Line(Kind.UNMAPPED, a, String.format("%8x:\t(instruction crosses into unmapped memory)", a), null, null));
                    a += 2;
                    continue;
                }
                bits |= (buf[2] & 0xff) << 16 | (buf[3] & 0xff) << 24;
            }
            Disassembler.Instruction in = d.next(a, bits);
            out.add(new Line(Kind.INSTRUCTION, a, in.objdumpLine(), in, null));
            a += in.length();
        }
        return out;
    }

    /**
     * Where to start disassembling to show about {@code before} bytes ahead of {@code pc}: the
     * start of pc's symbol when that is near, else the farthest address from which decoding
     * forwards lands exactly on pc (compressed code has no other way to find boundaries).
     */
    public long startBefore(Memory memory, long pc, int before) {
        if (symbols != null) {
            try {
                ElfSymbol s = labels(null).symbolFor(pc);
                if (s != null && Long.compareUnsigned(pc - s.value(), before) <= 0 && Long.compareUnsigned(s.value(), pc) <= 0) {
                    return s.value();
                }
            } catch (SymbolsException e) {
                // fall back to decoding
            }
        }
        byte[] b = new byte[2];
        for (long start = pc - (before & ~1); start < pc; start += 2) {
            long a = start;
            while (a < pc && memory.read(a, b, 0, 2) == 2) {
                a += Disassembler.length((b[0] & 0xff) | (b[1] & 0xff) << 8);
            }
            if (a == pc) {
                return start;
            }
        }
        return pc;
    }

    /** The text of a source line, or "" when the file cannot be read (the path is from DWARF). */
    private String sourceText(SourceLocation loc) {
        List<String> lines = sourceFiles.computeIfAbsent(loc.path(), p -> {
            try {
                Path file = Path.of(p);
                for (Path root : sourceRoots) {
                    if (Files.isRegularFile(file)) {
                        break;
                    }
                    file = root.resolve(p);
                }
                return Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                return List.of();
            }
        });
        return loc.line() >= 1 && loc.line() <= lines.size() ? lines.get(loc.line() - 1).strip() : "";
    }
}
