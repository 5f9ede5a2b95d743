package dev.rewind.symbols;

import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the DWARF 2-5 line-number programs in {@code .debug_line} into rows
 * (DWARF 5 section 6.2). DWARF 5 headers describe their directory and file tables with
 * entry formats; earlier versions use NUL-terminated lists.
 */
final class LineProgramReader {
    private static final int DW_LNS_COPY = 1;
    private static final int DW_LNS_ADVANCE_PC = 2;
    private static final int DW_LNS_ADVANCE_LINE = 3;
    private static final int DW_LNS_SET_FILE = 4;
    private static final int DW_LNS_SET_COLUMN = 5;
    private static final int DW_LNS_NEGATE_STMT = 6;
    private static final int DW_LNS_SET_BASIC_BLOCK = 7;
    private static final int DW_LNS_CONST_ADD_PC = 8;
    private static final int DW_LNS_FIXED_ADVANCE_PC = 9;
    private static final int DW_LNS_SET_PROLOGUE_END = 10;
    private static final int DW_LNS_SET_EPILOGUE_BEGIN = 11;
    private static final int DW_LNS_SET_ISA = 12;
    private static final int DW_LNE_END_SEQUENCE = 1;
    private static final int DW_LNE_SET_ADDRESS = 2;
    private static final int DW_LNE_DEFINE_FILE = 3;
    private static final int DW_LNE_SET_DISCRIMINATOR = 4;
    private static final int DW_LNCT_PATH = 1;
    private static final int DW_LNCT_DIRECTORY_INDEX = 2;

    private final DwarfStrings strings;

    /** What a decoded program contributes besides rows. */
    record Program(long next, List<String> files) {
    }

    LineProgramReader(DwarfStrings strings) {
        this.strings = strings;
    }

    /**
     * Decodes the program at {@code offset} in {@code section}, appending its rows to
     * {@code out}. {@code compDir} is the compilation directory of the unit that refers to it
     * (DWARF 2-4 leave directory 0 implicit), or null. Returns the program's file table
     * (resolved paths, indexed as DW_AT_decl_file/DW_AT_call_file number them) and the offset
     * of the next program.
     */
    Program read(ByteCursor section, long offset, String compDir, List<LineRow> out) throws SymbolsException {
        section.seek(offset);
        long length = section.u32();
        boolean dwarf64 = false;
        if (length == 0xffffffffL) {
            length = section.u64();
            dwarf64 = true;
        } else if (length >= 0xfffffff0L) {
            throw section.error("reserved unit length 0x" + Long.toHexString(length) + " at 0x"
                    + Long.toHexString(offset));
        }
        ByteCursor unit = section.slice(length);
        long next = section.offset();
        int version = unit.u16();
        if (version < 2 || version > 5) {
            throw unit.error("unsupported line table version " + version + " at 0x" + Long.toHexString(offset));
        }
        int addressSize = 8;
        if (version >= 5) {
            addressSize = unit.u8();
            unit.u8(); // segment_selector_size
        }
        long headerLength = dwarf64 ? unit.u64() : unit.u32();
        long programStart = unit.offset() + headerLength;
        if (headerLength < 0 || programStart > unit.length()) {
            throw unit.error("line table header length " + headerLength + " exceeds the unit");
        }
        int minInstLength = unit.u8();
        int maxOps = version >= 4 ? unit.u8() : 1;
        if (maxOps == 0) {
            throw unit.error("maximum_operations_per_instruction is 0");
        }
        boolean defaultIsStmt = unit.u8() != 0;
        int lineBase = unit.s8();
        int lineRange = unit.u8();
        int opcodeBase = unit.u8();
        int[] opcodeLengths = new int[Math.max(opcodeBase, 1)];
        for (int i = 1; i < opcodeBase; i++) {
            opcodeLengths[i] = unit.u8();
        }
        DwarfForm.Encoding enc = new DwarfForm.Encoding(version, addressSize, dwarf64);
        List<String> dirs = new ArrayList<>();
        List<String> files = new ArrayList<>();
        if (version >= 5) {
            readEntries(unit, enc, dirs, null, true);
            // Directory 0 is the compilation directory itself (DWARF 5 6.2.4.1, a copy of
            // DW_AT_comp_dir); relative entries after it are relative to it.
            for (int i = 1; i < dirs.size(); i++) {
                if (!isAbsolute(dirs.get(i)) && !dirs.get(0).isEmpty()) {
                    dirs.set(i, join(dirs.get(0), dirs.get(i)));
                }
            }
            readEntries(unit, enc, files, dirs, false);
        } else {
            dirs.add(compDir);
            while (true) {
                String d = unit.cstring();
                if (d.isEmpty()) {
                    break;
                }
                dirs.add(compDir != null && !isAbsolute(d) ? join(compDir, d) : d);
            }
            files.add(null); // DWARF 2-4 number files from 1
            while (true) {
                String f = unit.cstring();
                if (f.isEmpty()) {
                    break;
                }
                int dir = unit.ulebInt();
                unit.uleb(); // modification time
                unit.uleb(); // length
                files.add(resolve(dirs, dir, f));
            }
        }
        unit.seek(programStart);
        run(unit, enc, minInstLength, maxOps, defaultIsStmt, lineBase, lineRange, opcodeBase, opcodeLengths,
                dirs, files, out, 1);
        return new Program(next, files);
    }

    private void readEntries(ByteCursor unit, DwarfForm.Encoding enc, List<String> out, List<String> dirs,
            boolean directories) throws SymbolsException {
        int formatCount = unit.u8();
        int[] types = new int[formatCount];
        int[] forms = new int[formatCount];
        for (int i = 0; i < formatCount; i++) {
            types[i] = unit.ulebInt();
            forms[i] = unit.ulebInt();
        }
        int count = unit.ulebInt();
        for (int n = 0; n < count; n++) {
            String path = null;
            int dir = 0;
            for (int i = 0; i < formatCount; i++) {
                if (types[i] == DW_LNCT_PATH) {
                    path = string(unit, forms[i], enc);
                } else if (types[i] == DW_LNCT_DIRECTORY_INDEX) {
                    dir = (int) Math.min(Integer.MAX_VALUE, DwarfForm.number(unit, forms[i], enc));
                } else {
                    DwarfForm.skip(unit, forms[i], enc);
                }
            }
            if (path == null) {
                throw unit.error((directories ? "directory" : "file") + " entry " + n + " has no path");
            }
            out.add(directories ? path : resolve(dirs, dir, path));
        }
    }

    private String string(ByteCursor c, int form, DwarfForm.Encoding enc) throws SymbolsException {
        switch (form) {
            case DwarfForm.STRING: return c.cstring();
            case DwarfForm.LINE_STRP: return strings.lineStrp(c.unsigned(enc.offsetSize()));
            case DwarfForm.STRP: return strings.strp(c.unsigned(enc.offsetSize()));
            default: throw c.error("unsupported form 0x" + Integer.toHexString(form) + " for a line table path");
        }
    }

    private static String resolve(List<String> dirs, int dir, String name) throws SymbolsException {
        if (isAbsolute(name)) {
            return name;
        }
        if (dir < 0 || dir >= dirs.size()) {
            throw new SymbolsException(".debug_line: file " + name + " names directory " + dir + " of "
                    + dirs.size());
        }
        String d = dirs.get(dir);
        return d == null || d.isEmpty() ? name : join(d, name);
    }

    private static boolean isAbsolute(String p) {
        return p.startsWith("/") || p.startsWith("\\") || (p.length() > 2 && p.charAt(1) == ':');
    }

    private static String join(String dir, String name) {
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    private void run(ByteCursor c, DwarfForm.Encoding enc, int minInstLength, int maxOps, boolean defaultIsStmt,
            int lineBase, int lineRange, int opcodeBase, int[] opcodeLengths, List<String> dirs, List<String> files,
            List<LineRow> out, int firstFile) throws SymbolsException {
        long address = 0;
        long opIndex = 0;
        int file = firstFile;
        long line = 1;
        int column = 0;
        boolean isStmt = defaultIsStmt;
        while (!c.atEnd()) {
            int op = c.u8();
            if (op >= opcodeBase) {
                if (lineRange == 0) {
                    throw c.error("special opcode with line_range 0");
                }
                int adjusted = op - opcodeBase;
                long advance = adjusted / lineRange;
                address += (long) minInstLength * ((opIndex + advance) / maxOps);
                opIndex = (opIndex + advance) % maxOps;
                line += lineBase + adjusted % lineRange;
                out.add(row(address, files, file, line, column, isStmt, false, c));
                continue;
            }
            switch (op) {
                case 0: {
                    long len = c.uleb();
                    ByteCursor ext = c.slice(len);
                    if (len == 0) {
                        break;
                    }
                    int sub = ext.u8();
                    switch (sub) {
                        case DW_LNE_END_SEQUENCE:
                            out.add(row(address, files, file, line, column, isStmt, true, c));
                            address = 0;
                            opIndex = 0;
                            file = firstFile;
                            line = 1;
                            column = 0;
                            isStmt = defaultIsStmt;
                            break;
                        case DW_LNE_SET_ADDRESS:
                            address = ext.unsigned(ext.remaining() >= 8 ? 8 : ext.remaining() >= 4 ? 4
                                    : enc.addressSize());
                            opIndex = 0;
                            break;
                        case DW_LNE_DEFINE_FILE: {
                            String name = ext.cstring();
                            int dir = ext.ulebInt();
                            files.add(resolve(dirs, dir, name));
                            break;
                        }
                        case DW_LNE_SET_DISCRIMINATOR:
                        default:
                            break; // the slice already bounds the operands
                    }
                    break;
                }
                case DW_LNS_COPY:
                    out.add(row(address, files, file, line, column, isStmt, false, c));
                    break;
                case DW_LNS_ADVANCE_PC: {
                    long advance = c.uleb();
                    address += (long) minInstLength * ((opIndex + advance) / maxOps);
                    opIndex = (opIndex + advance) % maxOps;
                    break;
                }
                case DW_LNS_ADVANCE_LINE:
                    line += c.sleb();
                    break;
                case DW_LNS_SET_FILE:
                    file = c.ulebInt();
                    break;
                case DW_LNS_SET_COLUMN:
                    column = c.ulebInt();
                    break;
                case DW_LNS_NEGATE_STMT:
                    isStmt = !isStmt;
                    break;
                case DW_LNS_SET_BASIC_BLOCK:
                case DW_LNS_SET_PROLOGUE_END:
                case DW_LNS_SET_EPILOGUE_BEGIN:
                    break;
                case DW_LNS_CONST_ADD_PC: {
                    if (lineRange == 0) {
                        throw c.error("DW_LNS_const_add_pc with line_range 0");
                    }
                    long advance = (255 - opcodeBase) / lineRange;
                    address += (long) minInstLength * ((opIndex + advance) / maxOps);
                    opIndex = (opIndex + advance) % maxOps;
                    break;
                }
                case DW_LNS_FIXED_ADVANCE_PC:
                    address += c.u16();
                    opIndex = 0;
                    break;
                case DW_LNS_SET_ISA:
                    c.uleb();
                    break;
                default:
                    // An opcode this reader does not know: the header says how many ULEB operands to skip.
                    for (int i = 0; i < opcodeLengths[op]; i++) {
                        c.uleb();
                    }
                    break;
            }
        }
    }

    private static LineRow row(long address, List<String> files, int file, long line, int column, boolean isStmt,
            boolean end, ByteCursor c) throws SymbolsException {
        if (file < 0 || file >= files.size() || files.get(file) == null) {
            if (end) {
                return new LineRow(address, "", 0, 0, isStmt, true);
            }
            throw c.error("line program refers to file " + file + " of " + files.size());
        }
        int l = (int) Math.max(0, Math.min(Integer.MAX_VALUE, line));
        return new LineRow(address, files.get(file), l, column, isStmt, end);
    }
}
