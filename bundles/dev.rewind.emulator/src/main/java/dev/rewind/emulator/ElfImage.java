package dev.rewind.emulator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A parsed RISC-V ELF64 little-endian executable (System V gABI, RISC-V psABI): PT_LOAD
 * segments (placed at their physical address, as QEMU's loader does), the entry point and the
 * symbol table (for HTIF's tohost/fromhost and for debuggers). Every malformed input is an
 * {@link ElfFormatException} with a message a user can act on.
 */
public final class ElfImage {

    static final int EM_RISCV = 243;
    private static final int PT_LOAD = 1, SHT_SYMTAB = 2;

    /** One PT_LOAD segment: file bytes at {@code paddr}, zero-filled up to {@code memSize}. */
    public record Segment(long paddr, long vaddr, byte[] data, long memSize, int flags) {
    }

    private final long entry;
    private final List<Segment> segments;
    private final NavigableMap<String, Long> symbols;

    private ElfImage(long entry, List<Segment> segments, NavigableMap<String, Long> symbols) {
        this.entry = entry;
        this.segments = Collections.unmodifiableList(segments);
        this.symbols = Collections.unmodifiableNavigableMap(symbols);
    }

    public static ElfImage read(Path file) throws ElfFormatException, IOException {
        try {
            return parse(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new ElfFormatException(file + ": no such file");
        }
    }

    public static ElfImage parse(byte[] bytes) throws ElfFormatException {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 4 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F') {
            throw new ElfFormatException("not an ELF file (bad magic)");
        }
        if (bytes.length < 64) {
            throw new ElfFormatException("truncated ELF header (" + bytes.length + " bytes)");
        }
        if (bytes[4] != 2) {
            throw new ElfFormatException("not a 64-bit ELF (class " + bytes[4] + "); this machine is RV64");
        }
        if (bytes[5] != 1) {
            throw new ElfFormatException("not a little-endian ELF");
        }
        int type = b.getShort(16) & 0xffff;
        int machine = b.getShort(18) & 0xffff;
        if (machine != EM_RISCV) {
            throw new ElfFormatException("ELF is for machine " + machine + ", not RISC-V (" + EM_RISCV + ")");
        }
        if (type != 2 && type != 3) {
            throw new ElfFormatException("ELF type " + type + " is not an executable");
        }
        long entry = b.getLong(24);
        long phoff = b.getLong(32);
        long shoff = b.getLong(40);
        int phentsize = b.getShort(54) & 0xffff;
        int phnum = b.getShort(56) & 0xffff;
        int shentsize = b.getShort(58) & 0xffff;
        int shnum = b.getShort(60) & 0xffff;
        if (phnum == 0) {
            throw new ElfFormatException("ELF has no program headers");
        }
        if (phentsize < 56 || !fits(bytes, phoff, (long) phentsize * phnum)) {
            throw new ElfFormatException("truncated ELF: program headers lie outside the file");
        }
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int p = (int) (phoff + (long) i * phentsize);
            if (b.getInt(p) != PT_LOAD) {
                continue;
            }
            int flags = b.getInt(p + 4);
            long offset = b.getLong(p + 8);
            long vaddr = b.getLong(p + 16);
            long paddr = b.getLong(p + 24);
            long filesz = b.getLong(p + 32);
            long memsz = b.getLong(p + 40);
            if (memsz < filesz || filesz < 0 || filesz > Integer.MAX_VALUE) {
                throw new ElfFormatException(String.format("segment %d has bad sizes (file %d, memory %d)", i, filesz, memsz));
            }
            if (!fits(bytes, offset, filesz)) {
                throw new ElfFormatException(String.format("truncated ELF: segment %d (0x%x bytes at file offset 0x%x) lies outside the file", i, filesz, offset));
            }
            byte[] data = new byte[(int) filesz];
            System.arraycopy(bytes, (int) offset, data, 0, (int) filesz);
            if (memsz > 0) {
                segments.add(new Segment(paddr, vaddr, data, memsz, flags));
            }
        }
        if (segments.isEmpty()) {
            throw new ElfFormatException("ELF has no loadable segments");
        }
        return new ElfImage(entry, segments, readSymbols(bytes, b, shoff, shentsize, shnum));
    }

    private static NavigableMap<String, Long> readSymbols(byte[] bytes, ByteBuffer b, long shoff, int shentsize, int shnum)
            throws ElfFormatException {
        TreeMap<String, Long> symbols = new TreeMap<>();
        if (shnum == 0 || shoff == 0) {
            return symbols;
        }
        if (shentsize < 64 || !fits(bytes, shoff, (long) shentsize * shnum)) {
            throw new ElfFormatException("truncated ELF: section headers lie outside the file");
        }
        for (int i = 0; i < shnum; i++) {
            int s = (int) (shoff + (long) i * shentsize);
            if (b.getInt(s + 4) != SHT_SYMTAB) {
                continue;
            }
            long off = b.getLong(s + 24);
            long size = b.getLong(s + 32);
            int link = b.getInt(s + 40);
            long entsize = b.getLong(s + 56);
            if (entsize < 24 || !fits(bytes, off, size) || link >= shnum) {
                throw new ElfFormatException("truncated ELF: symbol table lies outside the file");
            }
            int strHeader = (int) (shoff + (long) link * shentsize);
            long strOff = b.getLong(strHeader + 24);
            long strSize = b.getLong(strHeader + 32);
            if (!fits(bytes, strOff, strSize)) {
                throw new ElfFormatException("truncated ELF: string table lies outside the file");
            }
            for (long e = 0; e + entsize <= size; e += entsize) {
                int sym = (int) (off + e);
                long nameOff = b.getInt(sym) & 0xffffffffL;
                int shndx = b.getShort(sym + 6) & 0xffff;
                long value = b.getLong(sym + 8);
                if (nameOff == 0 || shndx == 0 || nameOff >= strSize) {
                    continue;
                }
                int start = (int) (strOff + nameOff);
                int end = start;
                while (end < strOff + strSize && bytes[end] != 0) {
                    end++;
                }
                symbols.putIfAbsent(new String(bytes, start, end - start, StandardCharsets.UTF_8), value);
            }
        }
        return symbols;
    }

    private static boolean fits(byte[] bytes, long offset, long length) {
        return offset >= 0 && length >= 0 && offset <= bytes.length && length <= bytes.length - offset;
    }

    public long entry() {
        return entry;
    }

    public List<Segment> segments() {
        return segments;
    }

    /** Symbol name to value, sorted by name. */
    public NavigableMap<String, Long> symbols() {
        return symbols;
    }

    public Optional<Long> symbol(String name) {
        return Optional.ofNullable(symbols.get(name));
    }
}
