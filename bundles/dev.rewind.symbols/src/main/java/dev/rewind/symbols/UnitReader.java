package dev.rewind.symbols;

import static dev.rewind.symbols.DieCodes.AT_ADDR_BASE;
import static dev.rewind.symbols.DieCodes.AT_CALL_RETURN_PC;
import static dev.rewind.symbols.DieCodes.AT_CALL_VALUE;
import static dev.rewind.symbols.DieCodes.AT_COMP_DIR;
import static dev.rewind.symbols.DieCodes.AT_DATA_MEMBER_LOCATION;
import static dev.rewind.symbols.DieCodes.AT_FRAME_BASE;
import static dev.rewind.symbols.DieCodes.AT_GNU_ADDR_BASE;
import static dev.rewind.symbols.DieCodes.AT_GNU_CALL_SITE_VALUE;
import static dev.rewind.symbols.DieCodes.AT_HIGH_PC;
import static dev.rewind.symbols.DieCodes.AT_LOCATION;
import static dev.rewind.symbols.DieCodes.AT_LOCLISTS_BASE;
import static dev.rewind.symbols.DieCodes.AT_LOW_PC;
import static dev.rewind.symbols.DieCodes.AT_NAME;
import static dev.rewind.symbols.DieCodes.AT_PRODUCER;
import static dev.rewind.symbols.DieCodes.AT_RANGES;
import static dev.rewind.symbols.DieCodes.AT_RNGLISTS_BASE;
import static dev.rewind.symbols.DieCodes.AT_STMT_LIST;
import static dev.rewind.symbols.DieCodes.AT_STR_OFFSETS_BASE;
import static dev.rewind.symbols.DieCodes.TAG_CALL_SITE;
import static dev.rewind.symbols.DieCodes.TAG_CALL_SITE_PARAMETER;
import static dev.rewind.symbols.DieCodes.TAG_COMPILE_UNIT;
import static dev.rewind.symbols.DieCodes.TAG_FORMAL_PARAMETER;
import static dev.rewind.symbols.DieCodes.TAG_GNU_CALL_SITE;
import static dev.rewind.symbols.DieCodes.TAG_GNU_CALL_SITE_PARAMETER;
import static dev.rewind.symbols.DieCodes.TAG_LEXICAL_BLOCK;
import static dev.rewind.symbols.DieCodes.TAG_PARTIAL_UNIT;
import static dev.rewind.symbols.DieCodes.TAG_SKELETON_UNIT;
import static dev.rewind.symbols.DieCodes.TAG_VARIABLE;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One unit's DIE walk: decodes each DIE's attributes, keeps the stack of enclosing DIEs, and
 * hands each DIE to the reader of its kind ({@link TypeDies}, {@link VariableDies},
 * {@link FunctionDies}); decodes what those need from the unit (strings, addresses, ranges,
 * references, the unit's bases).
 */
final class UnitReader {

    // Guards against pathological nesting in corrupt input.
    private static final int MAX_DEPTH = 4096;

    private final DebugInfoReader reader;
    private final ByteCursor unit;
    private final long unitOffset;
    private final long headerSize;
    private final DwarfForm.Encoding enc;
    private final Map<Long, DebugInfoReader.Abbrev> table;
    private final DwarfStrings strings;
    private final ByteCursor strOffsets;
    private final ByteCursor addr;
    private final ByteCursor rnglists;
    private final ByteCursor ranges;
    private long strOffsetsBase = -1;
    private long addrBase = -1;
    private long rnglistsBase = -1;
    private long loclistsBase = -1;
    private long baseAddress;
    private long stmtList = -1;
    private String unitName;
    private String producer;
    private UnitContext context;

    UnitReader(DebugInfoReader reader, ByteCursor unit, long unitOffset, DwarfForm.Encoding enc,
            Map<Long, DebugInfoReader.Abbrev> table) {
        this.reader = reader;
        this.unit = unit;
        this.unitOffset = unitOffset;
        // DIE offsets are section offsets; the unit cursor starts after the length field.
        this.headerSize = enc.dwarf64() ? 12 : 4;
        this.enc = enc;
        this.table = table;
        this.strings = reader.strings;
        this.strOffsets = reader.strOffsets;
        this.addr = reader.addr;
        this.rnglists = reader.rnglists;
        this.ranges = reader.ranges;
    }

    void walk() throws SymbolsException {
        // What each open DIE is, by depth: a FunctionInfo, a Block, a TypeInfo, NO_CODE, or null.
        Object[] scopes = new Object[64];
        int depth = 0;
        boolean first = true;
        while (!unit.atEnd()) {
            long dieOffset = unitOffset + headerSize + unit.offset();
            long code = unit.uleb();
            if (code == 0) {
                if (depth > 0) {
                    depth--;
                }
                continue;
            }
            DebugInfoReader.Abbrev a = table.get(code);
            if (a == null) {
                throw unit.error("DIE at 0x" + Long.toHexString(dieOffset) + " uses undefined abbreviation " + code);
            }
            Die d = readDie(dieOffset, a);
            FunctionInfo parent = null;
            for (int i = Math.min(depth, scopes.length) - 1; i >= 0 && parent == null; i--) {
                parent = scopes[i] instanceof FunctionInfo ? (FunctionInfo) scopes[i] : null;
            }
            Object context = depth > 0 && depth <= scopes.length ? scopes[depth - 1] : null;
            Object made = null;
            int tag = d.tag();
            if (first) {
                first = false;
                if (tag == TAG_COMPILE_UNIT || tag == TAG_PARTIAL_UNIT || tag == TAG_SKELETON_UNIT) {
                    unitDie(d);
                }
            } else if (TypeDies.isType(tag)) {
                made = reader.types.type(d, this);
            } else if (TypeDies.isTypePart(tag)) {
                reader.types.part(context, d, this);
            } else if (tag == TAG_VARIABLE || tag == TAG_FORMAL_PARAMETER) {
                reader.variables.variable(d, scopes, depth, this);
            } else if (tag == TAG_CALL_SITE || tag == TAG_GNU_CALL_SITE) {
                // DWARF 5 gives the return address; the GNU extension put it in low_pc.
                int ret = d.find(tag == TAG_CALL_SITE ? AT_CALL_RETURN_PC : AT_LOW_PC);
                made = ret >= 0 && DwarfForm.isAddress(d.form(ret))
                        ? new VariableDies.CallSite(address(d.form(ret), d.num(ret))) : null;
            } else if (tag == TAG_CALL_SITE_PARAMETER || tag == TAG_GNU_CALL_SITE_PARAMETER) {
                reader.variables.callSiteParameter(context, d, this);
            } else if (tag == TAG_LEXICAL_BLOCK) {
                made = parent == null ? null : new VariableDies.Block(rangesOf(d));
            } else {
                made = reader.functionDies.scope(d, parent, this);
            }
            if (a.children()) {
                if (depth >= MAX_DEPTH) {
                    throw unit.error("DIE tree nested deeper than " + MAX_DEPTH);
                }
                if (depth >= scopes.length) {
                    scopes = Arrays.copyOf(scopes, scopes.length * 2);
                }
                scopes[depth++] = made;
            }
        }
    }

    /** Reads the attribute values of one DIE; expression blocks only for attributes that use them. */
    private Die readDie(long dieOffset, DebugInfoReader.Abbrev a) throws SymbolsException {
        int n = a.attrs().length;
        int[] forms = new int[n];
        long[] nums = new long[n];
        String[] strs = new String[n];
        byte[][] blocks = new byte[n][];
        for (int i = 0; i < n; i++) {
            int form = a.forms()[i];
            while (form == DwarfForm.INDIRECT) {
                form = unit.ulebInt();
            }
            forms[i] = form;
            if (form == DwarfForm.IMPLICIT_CONST) {
                nums[i] = a.consts()[i];
            } else if (form == DwarfForm.STRING) {
                strs[i] = unit.cstring();
            } else if (DwarfForm.isNumber(form)) {
                nums[i] = DwarfForm.number(unit, form, enc);
            } else if (DwarfForm.isBlock(form) && wantsBlock(a.attrs()[i])) {
                blocks[i] = DwarfForm.block(unit, form);
            } else {
                DwarfForm.skip(unit, form, enc);
            }
        }
        return new Die(dieOffset, a.tag(), a.children(), a.attrs(), forms, nums, strs, blocks);
    }

    private static boolean wantsBlock(int attr) {
        return attr == AT_LOCATION || attr == AT_FRAME_BASE || attr == AT_DATA_MEMBER_LOCATION
                || attr == AT_CALL_VALUE || attr == AT_GNU_CALL_SITE_VALUE;
    }

    private void unitDie(Die d) throws SymbolsException {
        for (int i = 0; i < d.attrs().length; i++) {
            switch (d.attrs()[i]) {
                case AT_STR_OFFSETS_BASE: strOffsetsBase = d.num(i); break;
                case AT_ADDR_BASE: case AT_GNU_ADDR_BASE: addrBase = d.num(i); break;
                case AT_RNGLISTS_BASE: rnglistsBase = d.num(i); break;
                case AT_LOCLISTS_BASE: loclistsBase = d.num(i); break;
                case AT_STMT_LIST: stmtList = d.num(i); break;
                default: break;
            }
        }
        int lowIdx = d.find(AT_LOW_PC);
        baseAddress = lowIdx >= 0 ? address(d.form(lowIdx), d.num(lowIdx)) : 0;
        unitName = string(d, AT_NAME);
        String compDir = string(d, AT_COMP_DIR);
        producer = string(d, AT_PRODUCER);
        List<AddressRange> r = rangesOf(d);
        reader.units.add(new DebugInfoReader.Unit(new CompileUnit(unitOffset, enc.version(),
                unitName == null ? "" : unitName, compDir, producer, r), stmtList));
    }

    /** The unit's name ("" when it has none). */
    String unitName() {
        return unitName == null ? "" : unitName;
    }

    /** The unit's offset into .debug_line, or -1. */
    long stmtList() {
        return stmtList;
    }

    /** The unit's parameters for evaluating locations later, made once per unit. */
    UnitContext context() {
        if (context == null) {
            context = new UnitContext(enc, addrBase, loclistsBase, baseAddress, addr, reader.loclists, reader.loc,
                    producer);
        }
        return context;
    }

    /** The DIE offset a reference attribute names, or -1 when absent or not a reference. */
    long reference(Die d, int attr) {
        int i = d.find(attr);
        return i >= 0 && DwarfForm.isReference(d.form(i)) ? reference(d.form(i), d.num(i)) : -1;
    }

    long reference(int form, long value) {
        return form == DwarfForm.REF_ADDR ? value : unitOffset + value;
    }

    /** The code ranges of a DIE: low_pc/high_pc, or its range list. */
    List<AddressRange> rangesOf(Die d) throws SymbolsException {
        List<AddressRange> out = new ArrayList<>();
        int lowIdx = d.find(AT_LOW_PC);
        int highIdx = d.find(AT_HIGH_PC);
        int rangesIdx = d.find(AT_RANGES);
        if (lowIdx >= 0 && highIdx >= 0) {
            long low = address(d.form(lowIdx), d.num(lowIdx));
            int hf = d.form(highIdx);
            long high = DwarfForm.isAddress(hf) ? address(hf, d.num(highIdx)) : low + d.num(highIdx);
            if (Long.compareUnsigned(low, high) < 0) {
                out.add(new AddressRange(low, high));
            }
        } else if (rangesIdx >= 0) {
            readRanges(d.form(rangesIdx), d.num(rangesIdx), out);
        }
        return out;
    }

    private void readRanges(int form, long value, List<AddressRange> out) throws SymbolsException {
        if (enc.version() < 5) {
            if (ranges == null) {
                throw new SymbolsException("DW_AT_ranges used but the file has no .debug_ranges section");
            }
            ranges.seek(value);
            long base = baseAddress;
            long max = enc.addressSize() == 8 ? -1L : 0xffffffffL;
            while (true) {
                long start = ranges.unsigned(enc.addressSize());
                long end = ranges.unsigned(enc.addressSize());
                if (start == 0 && end == 0) {
                    return;
                }
                if (start == max) {
                    base = end;
                } else {
                    add(out, base + start, base + end);
                }
            }
        }
        if (rnglists == null) {
            throw new SymbolsException("DW_AT_ranges used but the file has no .debug_rnglists section");
        }
        long offset = value;
        if (form == DwarfForm.RNGLISTX) {
            long base = rnglistsBase >= 0 ? rnglistsBase : (enc.dwarf64() ? 20 : 12);
            rnglists.seek(base + value * enc.offsetSize());
            offset = base + rnglists.unsigned(enc.offsetSize());
        }
        rnglists.seek(offset);
        long base = baseAddress;
        while (true) {
            int kind = rnglists.u8();
            switch (kind) {
                case 0: return; // DW_RLE_end_of_list
                case 1: base = indexedAddress(rnglists.uleb()); break; // base_addressx
                case 2: { // startx_endx
                    long s = indexedAddress(rnglists.uleb());
                    add(out, s, indexedAddress(rnglists.uleb()));
                    break;
                }
                case 3: { // startx_length
                    long s = indexedAddress(rnglists.uleb());
                    add(out, s, s + rnglists.uleb());
                    break;
                }
                case 4: { // offset_pair
                    long s = rnglists.uleb();
                    add(out, base + s, base + rnglists.uleb());
                    break;
                }
                case 5: base = rnglists.unsigned(enc.addressSize()); break; // base_address
                case 6: { // start_end
                    long s = rnglists.unsigned(enc.addressSize());
                    add(out, s, rnglists.unsigned(enc.addressSize()));
                    break;
                }
                case 7: { // start_length
                    long s = rnglists.unsigned(enc.addressSize());
                    add(out, s, s + rnglists.uleb());
                    break;
                }
                default:
                    throw rnglists.error("unknown range list entry kind " + kind);
            }
        }
    }

    private void add(List<AddressRange> out, long low, long high) throws SymbolsException {
        if (out.size() > 100_000) {
            throw new SymbolsException("range list longer than 100000 entries");
        }
        if (Long.compareUnsigned(low, high) < 0) {
            out.add(new AddressRange(low, high));
        }
    }

    /** An address attribute's value: direct, or an index into .debug_addr. */
    long address(int form, long value) throws SymbolsException {
        if (form == DwarfForm.ADDR) {
            return value;
        }
        if (DwarfForm.isIndexedAddress(form)) {
            return indexedAddress(value);
        }
        return value;
    }

    private long indexedAddress(long index) throws SymbolsException {
        if (addr == null) {
            throw new SymbolsException("indexed address used but the file has no .debug_addr section");
        }
        long base = addrBase >= 0 ? addrBase : (enc.dwarf64() ? 16 : 8);
        addr.seek(base + index * enc.addressSize());
        return addr.unsigned(enc.addressSize());
    }

    /** A string attribute's value, or null when absent or not available. */
    String string(Die d, int attr) throws SymbolsException {
        int i = d.find(attr);
        if (i < 0) {
            return null;
        }
        int form = d.form(i);
        switch (form) {
            case DwarfForm.STRING: return d.strs()[i];
            case DwarfForm.STRP: return strings.strp(d.num(i));
            case DwarfForm.LINE_STRP: return strings.lineStrp(d.num(i));
            case DwarfForm.STRX: case DwarfForm.STRX1: case DwarfForm.STRX2: case DwarfForm.STRX3:
            case DwarfForm.STRX4: case DwarfForm.GNU_STR_INDEX: {
                if (strOffsets == null) {
                    throw new SymbolsException("indexed string used but the file has no .debug_str_offsets");
                }
                long base = strOffsetsBase >= 0 ? strOffsetsBase : (enc.dwarf64() ? 16 : 8);
                strOffsets.seek(base + d.num(i) * enc.offsetSize());
                return strings.strp(strOffsets.unsigned(enc.offsetSize()));
            }
            default: return null; // a supplementary-file string or a non-string form: not available
        }
    }
}
