package dev.rewind.symbols;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * An ELF64 little-endian file: header fields, section headers with their names, and the
 * {@code .symtab} symbols. Section contents are checked against the file size only when
 * asked for, so one corrupt section does not make the rest unreadable.
 */
public final class ElfFile {
    public static final int EM_RISCV = 243;
    public static final int ET_EXEC = 2;
    public static final int ET_DYN = 3;

    private static final int EHDR_SIZE = 64;
    private static final int SHDR_SIZE = 64;
    private static final int SYM_SIZE = 24;
    // Sanity bound: a section table bigger than this is corruption, not a real program.
    private static final int MAX_SECTIONS = 65536;

    private final byte[] image;
    private final int type;
    private final int machine;
    private final long entry;
    private final long flags;
    private final List<ElfSection> sections;
    private List<ElfSymbol> symbols;
    private final Map<Integer, byte[]> inflated = new HashMap<>();
    private static final long ELFCOMPRESS_ZLIB = 1;
    // Bound on one decompressed section, against decompression bombs.
    private static final long MAX_INFLATED = 1L << 30;

    private ElfFile(byte[] image, int type, int machine, long entry, long flags, List<ElfSection> sections) {
        this.image = image;
        this.type = type;
        this.machine = machine;
        this.entry = entry;
        this.flags = flags;
        this.sections = sections;
    }

    /** Reads and parses the file at {@code path}. */
    public static ElfFile load(Path path) throws SymbolsException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException | OutOfMemoryError e) {
            throw new SymbolsException("cannot read " + path + ": " + e.getMessage(), e);
        }
        try {
            return parse(bytes);
        } catch (SymbolsException e) {
            throw new SymbolsException(path + ": " + e.getMessage(), e);
        }
    }

    /** Parses an ELF image held in memory; the array is kept, not copied. */
    public static ElfFile parse(byte[] bytes) throws SymbolsException {
        ByteCursor c = new ByteCursor(bytes, "ELF header");
        if (bytes.length < 4 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F') {
            throw new SymbolsException("not an ELF file (bad magic)");
        }
        if (bytes.length < EHDR_SIZE) {
            throw new SymbolsException("truncated ELF header: " + bytes.length + " bytes");
        }
        if (bytes[4] != 2) {
            throw new SymbolsException("not a 64-bit ELF file (class " + bytes[4] + ")");
        }
        if (bytes[5] != 1) {
            throw new SymbolsException("not a little-endian ELF file (data encoding " + bytes[5] + ")");
        }
        c.seek(16);
        int type = c.u16();
        int machine = c.u16();
        c.u32(); // e_version
        long entry = c.u64();
        c.u64(); // e_phoff
        long shoff = c.u64();
        long flags = c.u32();
        c.u16(); // e_ehsize
        c.u16(); // e_phentsize
        c.u16(); // e_phnum
        int shentsize = c.u16();
        long shnum = c.u16();
        int shstrndx = c.u16();

        List<ElfSection> named = new ArrayList<>();
        if (shoff != 0) {
            if (shentsize < SHDR_SIZE) {
                throw new SymbolsException("section header entry size " + shentsize + " is smaller than "
                        + SHDR_SIZE);
            }
            ByteCursor sh = new ByteCursor(bytes, "section header table");
            if (shoff < 0 || shoff > bytes.length) {
                throw new SymbolsException("section header table offset 0x" + Long.toHexString(shoff)
                        + " is outside the " + bytes.length + "-byte file");
            }
            if (shnum == 0) {
                // ELF extended numbering: the real count lives in section 0's sh_size.
                sh.seek(shoff + 32);
                shnum = sh.u64();
            }
            if (shnum < 0 || shnum > MAX_SECTIONS || shnum * shentsize > bytes.length - shoff) {
                throw new SymbolsException("section header table (" + Long.toUnsignedString(shnum)
                        + " entries at 0x" + Long.toHexString(shoff) + ") does not fit in the "
                        + bytes.length + "-byte file");
            }
            // Names come from a string section described by one of these headers, so read
            // the headers with their name offsets first and resolve the names second.
            long[] nameOffsets = new long[(int) shnum];
            List<ElfSection> raw = new ArrayList<>();
            for (int i = 0; i < shnum; i++) {
                sh.seek(shoff + (long) i * shentsize);
                nameOffsets[i] = sh.u32();
                int stype = (int) sh.u32();
                long sflags = sh.u64();
                long addr = sh.u64();
                long off = sh.u64();
                long size = sh.u64();
                int link = (int) sh.u32();
                int info = (int) sh.u32();
                sh.u64(); // sh_addralign
                long entsize = sh.u64();
                raw.add(new ElfSection(i, "", stype, sflags, addr, off, size, link, info, entsize));
            }
            if (shstrndx == 0xffff && !raw.isEmpty()) {
                shstrndx = raw.get(0).link();
            }
            ByteCursor names = null;
            if (shstrndx > 0 && shstrndx < raw.size()) {
                names = new ElfFile(bytes, type, machine, entry, flags, raw).cursor(raw.get(shstrndx));
            } else if (shstrndx != 0 && !raw.isEmpty()) {
                throw new SymbolsException("section name table index " + shstrndx + " is out of range ("
                        + raw.size() + " sections)");
            }
            for (ElfSection s : raw) {
                String name = names == null ? "" : names.cstringAt(nameOffsets[s.index()]);
                named.add(new ElfSection(s.index(), name, s.type(), s.flags(), s.address(), s.fileOffset(), s.size(),
                        s.link(), s.info(), s.entrySize()));
            }
        }
        return new ElfFile(bytes, type, machine, entry, flags, Collections.unmodifiableList(named));
    }

    /** e_type: {@link #ET_EXEC}, {@link #ET_DYN}, ... */
    public int type() {
        return type;
    }

    /** e_machine; {@link #EM_RISCV} for RISC-V. */
    public int machine() {
        return machine;
    }

    public boolean isRiscV() {
        return machine == EM_RISCV;
    }

    public long entry() {
        return entry;
    }

    /** e_flags (for RISC-V: float ABI and RVC bits). */
    public long flags() {
        return flags;
    }

    public List<ElfSection> sections() {
        return sections;
    }

    /** The first section called {@code name}, or null. */
    public ElfSection section(String name) {
        for (ElfSection s : sections) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** A copy of the section's contents, decompressed if need be (empty for SHT_NOBITS). */
    public byte[] contents(ElfSection s) throws SymbolsException {
        ByteCursor c = cursor(s);
        return c.bytes(c.length());
    }

    /** A cursor over the section's bytes, checked against the file size. */
    ByteCursor cursor(ElfSection s) throws SymbolsException {
        if (s.type() == ElfSection.SHT_NOBITS) {
            return new ByteCursor(new byte[0], s.name());
        }
        long off = s.fileOffset();
        long size = s.size();
        if (off < 0 || size < 0 || off > image.length || size > image.length - off) {
            throw new SymbolsException("section " + sectionLabel(s) + " (offset 0x" + Long.toHexString(off)
                    + ", size 0x" + Long.toHexString(size) + ") lies outside the " + image.length + "-byte file");
        }
        ByteCursor raw = new ByteCursor(image, (int) off, (int) (off + size), "section " + sectionLabel(s));
        if ((s.flags() & ElfSection.SHF_COMPRESSED) != 0) {
            return new ByteCursor(decompressed(s, raw), "section " + sectionLabel(s));
        }
        return raw;
    }

    /** Inflates a section compressed as gcc -gz / ld --compress-debug-sections=zlib write it. */
    private synchronized byte[] decompressed(ElfSection s, ByteCursor raw) throws SymbolsException {
        byte[] done = inflated.get(s.index());
        if (done != null) {
            return done;
        }
        long type = raw.u32(); // Elf64_Chdr: ch_type, ch_reserved, ch_size, ch_addralign
        raw.u32();
        long size = raw.u64();
        raw.u64();
        if (type != ELFCOMPRESS_ZLIB) {
            throw raw.error("compression type " + type + " is not supported (only zlib)");
        }
        // zlib cannot expand more than about 1032:1; anything claiming more is corrupt.
        if (size < 0 || size > MAX_INFLATED || size > (long) raw.remaining() * 1032) {
            throw raw.error("implausible uncompressed size " + Long.toUnsignedString(size));
        }
        byte[] out = new byte[(int) size];
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(image, (int) s.fileOffset() + raw.offset(), raw.remaining());
            int n = 0;
            while (n < out.length && !inflater.finished()) {
                int k = inflater.inflate(out, n, out.length - n);
                if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += k;
            }
            if (n != out.length) {
                throw raw.error("compressed data ends after " + n + " of " + out.length + " bytes");
            }
        } catch (DataFormatException e) {
            throw raw.error("corrupt compressed data: " + e.getMessage());
        } finally {
            inflater.end();
        }
        inflated.put(s.index(), out);
        return out;
    }

    /** A cursor over the named section, or null if there is no such section. */
    ByteCursor cursor(String name) throws SymbolsException {
        ElfSection s = section(name);
        return s == null ? null : cursor(s);
    }

    private static String sectionLabel(ElfSection s) {
        return s.name().isEmpty() ? "#" + s.index() : s.name();
    }

    /** The {@code .symtab} symbols in table order, without the null entry 0; empty if the file is stripped. */
    public List<ElfSymbol> symbols() throws SymbolsException {
        if (symbols == null) {
            symbols = Collections.unmodifiableList(readSymbols());
        }
        return symbols;
    }

    private List<ElfSymbol> readSymbols() throws SymbolsException {
        ElfSection symtab = null;
        for (ElfSection s : sections) {
            if (s.type() == ElfSection.SHT_SYMTAB) {
                symtab = s;
                break;
            }
        }
        List<ElfSymbol> out = new ArrayList<>();
        if (symtab == null) {
            return out;
        }
        if (symtab.link() <= 0 || symtab.link() >= sections.size()) {
            throw new SymbolsException(".symtab string table index " + symtab.link() + " is out of range");
        }
        ByteCursor strings = cursor(sections.get(symtab.link()));
        ByteCursor c = cursor(symtab);
        int count = c.length() / SYM_SIZE;
        for (int i = 0; i < count; i++) {
            long name = c.u32();
            int info = c.u8();
            c.u8(); // st_other
            int shndx = c.u16();
            long value = c.u64();
            long size = c.u64();
            if (i == 0) {
                continue;
            }
            out.add(new ElfSymbol(strings.cstringAt(name), value, size, ElfSymbol.Type.of(info & 0xf),
                    ElfSymbol.Binding.of(info >>> 4), shndx));
        }
        return out;
    }
}
