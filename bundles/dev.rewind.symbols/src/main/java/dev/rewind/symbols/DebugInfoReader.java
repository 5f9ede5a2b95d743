package dev.rewind.symbols;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks the DIE trees of {@code .debug_info} (DWARF 2-5) for what a debugger's stack view
 * needs: compilation units, functions with their address ranges, and inlined copies with
 * their call sites. Types and variables are skipped.
 */
final class DebugInfoReader {
    private static final int TAG_INLINED_SUBROUTINE = 0x1d;
    private static final int TAG_COMPILE_UNIT = 0x11;
    private static final int TAG_SUBPROGRAM = 0x2e;
    private static final int TAG_PARTIAL_UNIT = 0x3c;
    private static final int TAG_SKELETON_UNIT = 0x4a;

    private static final int TAG_ARRAY = 0x01;
    private static final int TAG_ENUMERATION = 0x04;
    private static final int TAG_FORMAL_PARAMETER = 0x05;
    private static final int TAG_LEXICAL_BLOCK = 0x0b;
    private static final int TAG_MEMBER = 0x0d;
    private static final int TAG_POINTER = 0x0f;
    private static final int TAG_STRUCTURE = 0x13;
    private static final int TAG_SUBROUTINE_TYPE = 0x15;
    private static final int TAG_TYPEDEF = 0x16;
    private static final int TAG_UNION = 0x17;
    private static final int TAG_SUBRANGE = 0x21;
    private static final int TAG_BASE_TYPE = 0x24;
    private static final int TAG_CONST = 0x26;
    private static final int TAG_ENUMERATOR = 0x28;
    private static final int TAG_VARIABLE = 0x34;
    private static final int TAG_VOLATILE = 0x35;
    private static final int TAG_RESTRICT = 0x37;
    private static final int TAG_ATOMIC = 0x47;

    private static final int AT_LOCATION = 0x02;
    private static final int AT_NAME = 0x03;
    private static final int AT_BYTE_SIZE = 0x0b;
    private static final int AT_CONST_VALUE = 0x1c;
    private static final int AT_UPPER_BOUND = 0x2f;
    private static final int AT_COUNT = 0x37;
    private static final int AT_DATA_MEMBER_LOCATION = 0x38;
    private static final int AT_ENCODING = 0x3e;
    private static final int AT_FRAME_BASE = 0x40;
    private static final int AT_TYPE = 0x49;
    private static final int AT_LOCLISTS_BASE = 0x8c;
    private static final int TAG_CALL_SITE = 0x48;
    private static final int TAG_CALL_SITE_PARAMETER = 0x49;
    private static final int TAG_GNU_CALL_SITE = 0x4109;
    private static final int TAG_GNU_CALL_SITE_PARAMETER = 0x410a;
    private static final int AT_CALL_RETURN_PC = 0x7d;
    private static final int AT_CALL_VALUE = 0x7e;
    private static final int AT_GNU_CALL_SITE_VALUE = 0x2111;
    private static final int AT_ENTRY_PC = 0x52;
    private static final int AT_BIT_OFFSET = 0x0c;
    private static final int AT_BIT_SIZE = 0x0d;
    private static final int AT_DATA_BIT_OFFSET = 0x6b;
    private static final int AT_STMT_LIST = 0x10;
    private static final int AT_LOW_PC = 0x11;
    private static final int AT_HIGH_PC = 0x12;
    private static final int AT_COMP_DIR = 0x1b;
    private static final int AT_PRODUCER = 0x25;
    private static final int AT_ABSTRACT_ORIGIN = 0x31;
    private static final int AT_SPECIFICATION = 0x47;
    private static final int AT_RANGES = 0x55;
    private static final int AT_CALL_FILE = 0x58;
    private static final int AT_CALL_LINE = 0x59;
    private static final int AT_STR_OFFSETS_BASE = 0x72;
    private static final int AT_ADDR_BASE = 0x73;
    private static final int AT_RNGLISTS_BASE = 0x74;
    private static final int AT_GNU_ADDR_BASE = 0x2133;

    private static final int UT_COMPILE = 1;
    private static final int UT_PARTIAL = 3;
    private static final int UT_SKELETON = 4;
    private static final int UT_SPLIT_COMPILE = 5;
    private static final int UT_TYPE = 2;
    private static final int UT_SPLIT_TYPE = 6;

    // Guards against pathological nesting in corrupt input.
    private static final int MAX_DEPTH = 4096;

    private final ByteCursor info;
    private final ByteCursor abbrev;
    private final DwarfStrings strings;
    private final ByteCursor strOffsets;
    private final ByteCursor addr;
    private final ByteCursor rnglists;
    private final ByteCursor ranges;
    private final ByteCursor loclists;
    private final ByteCursor loc;
    /** Marks a function DIE without code, whose variables are abstract origins only. */
    private static final Object NO_CODE = new Object();
    final List<VariableInfo> globals = new ArrayList<>();
    private final Map<Long, TypeInfo> types = new HashMap<>();
    private final List<Object[]> pendingTypeTargets = new ArrayList<>();
    private final List<Object[]> pendingMembers = new ArrayList<>();
    private final List<Object[]> pendingVariableTypes = new ArrayList<>();
    private final Map<Long, Object[]> variableOrigins = new HashMap<>();

    /** Call sites by return address: the register parameters each call passed. */
    final Map<Long, List<CallSiteParameter>> callSites = new HashMap<>();

    /** An open call-site DIE whose parameter children are being read. */
    private static final class CallSite {
        final long returnPc;

        CallSite(long returnPc) {
            this.returnPc = returnPc;
        }
    }

    /** A lexical block's code ranges, scoping the variables declared in it. */
    private static final class Block {
        final List<AddressRange> ranges;

        Block(List<AddressRange> ranges) {
            this.ranges = ranges;
        }
    }
    private final Map<Long, Map<Long, Abbrev>> abbrevTables = new HashMap<>();

    /** A compilation unit plus what is needed later to decode its line program. */
    record Unit(CompileUnit unit, long stmtList) {
    }

    /** A function found in the DIEs with its call site still as a file number of its unit. */
    record Pending(FunctionInfo function, long ownerStmtList, long callFile, long callLine) {
    }

    final List<Unit> units = new ArrayList<>();
    final List<FunctionInfo> functions = new ArrayList<>();
    final List<Pending> pendingCallSites = new ArrayList<>();
    private final Map<Long, String> namesByOffset = new HashMap<>();
    private final Map<Long, Long> originByOffset = new HashMap<>();
    private final List<long[]> unresolvedNames = new ArrayList<>();
    private final List<FunctionInfo[]> unresolvedTargets = new ArrayList<>();

    private record Abbrev(long code, int tag, boolean children, int[] attrs, int[] forms, long[] consts) {
    }

    DebugInfoReader(ByteCursor info, ByteCursor abbrev, DwarfStrings strings, ByteCursor strOffsets,
            ByteCursor addr, ByteCursor rnglists, ByteCursor ranges, ByteCursor loclists, ByteCursor loc) {
        this.loclists = loclists;
        this.loc = loc;
        this.info = info;
        this.abbrev = abbrev;
        this.strings = strings;
        this.strOffsets = strOffsets;
        this.addr = addr;
        this.rnglists = rnglists;
        this.ranges = ranges;
    }

    void read() throws SymbolsException {
        info.seek(0);
        while (!info.atEnd()) {
            readUnit();
        }
        resolveNames();
        resolveTypes();
    }

    /** Links types, members and variables to the type DIEs they name, and variables to their origins. */
    private void resolveTypes() {
        for (Object[] p : pendingTypeTargets) {
            ((TypeInfo) p[0]).target = types.get((Long) p[1]);
        }
        for (Object[] p : pendingMembers) {
            TypeInfo type = types.get((Long) p[3]);
            long bitSize = (Long) p[4];
            ((TypeInfo) p[0]).members.add(new TypeInfo.Member((String) p[1], (Long) p[2], type,
                    (int) Math.max(0, Math.min(64, bitSize)), (Long) p[5]));
        }
        for (Object[] p : pendingVariableTypes) {
            VariableInfo v = (VariableInfo) p[0];
            long typeRef = (Long) p[1];
            String name = null;
            long origin = v.originOffset;
            for (int hop = 0; hop < 8 && origin >= 0 && (name == null || typeRef < 0); hop++) {
                Object[] o = variableOrigins.get(origin);
                if (o == null) {
                    break;
                }
                if (name == null) {
                    name = (String) o[0];
                }
                if (typeRef < 0) {
                    typeRef = (Long) o[1];
                }
                origin = (Long) o[2];
            }
            v.inherit(name == null ? "?" : name, types.get(typeRef));
        }
    }

    private static TypeInfo.Kind kindOf(int tag) {
        switch (tag) {
            case TAG_BASE_TYPE: return TypeInfo.Kind.BASE;
            case TAG_POINTER: return TypeInfo.Kind.POINTER;
            case TAG_STRUCTURE: return TypeInfo.Kind.STRUCT;
            case TAG_UNION: return TypeInfo.Kind.UNION;
            case TAG_ARRAY: return TypeInfo.Kind.ARRAY;
            case TAG_ENUMERATION: return TypeInfo.Kind.ENUM;
            case TAG_CONST: return TypeInfo.Kind.CONST;
            case TAG_VOLATILE: return TypeInfo.Kind.VOLATILE;
            case TAG_SUBROUTINE_TYPE: return TypeInfo.Kind.FUNCTION;
            default: return TypeInfo.Kind.TYPEDEF; // typedef, restrict, atomic: shown as what they wrap
        }
    }

    private static boolean isType(int tag) {
        switch (tag) {
            case TAG_BASE_TYPE: case TAG_POINTER: case TAG_STRUCTURE: case TAG_UNION: case TAG_ARRAY:
            case TAG_ENUMERATION: case TAG_CONST: case TAG_VOLATILE: case TAG_SUBROUTINE_TYPE: case TAG_TYPEDEF:
            case TAG_RESTRICT: case TAG_ATOMIC:
                return true;
            default:
                return false;
        }
    }

    private static boolean isConstant(int form) {
        switch (form) {
            case DwarfForm.DATA1: case DwarfForm.DATA2: case DwarfForm.DATA4: case DwarfForm.DATA8:
            case DwarfForm.SDATA: case DwarfForm.UDATA: case DwarfForm.IMPLICIT_CONST:
                return true;
            default:
                return false;
        }
    }

    private static boolean isBlock(int form) {
        return form == DwarfForm.BLOCK || form == DwarfForm.BLOCK1 || form == DwarfForm.BLOCK2
                || form == DwarfForm.BLOCK4 || form == DwarfForm.EXPRLOC;
    }

    private static boolean wantsBlock(int attr) {
        return attr == AT_LOCATION || attr == AT_FRAME_BASE || attr == AT_DATA_MEMBER_LOCATION
                || attr == AT_CALL_VALUE || attr == AT_GNU_CALL_SITE_VALUE;
    }

    private static byte[] block(ByteCursor c, int form) throws SymbolsException {
        long length;
        switch (form) {
            case DwarfForm.BLOCK1: length = c.u8(); break;
            case DwarfForm.BLOCK2: length = c.u16(); break;
            case DwarfForm.BLOCK4: length = c.u32(); break;
            default: length = c.uleb(); break;
        }
        return c.bytes(length);
    }

    /** A DWARF 2 style member location: DW_OP_plus_uconst N. */
    private static long memberOffset(byte[] expr) {
        try {
            ByteCursor c = new ByteCursor(expr, "member location");
            return c.u8() == 0x23 ? c.uleb() : 0;
        } catch (SymbolsException e) {
            return 0;
        }
    }

    private void readUnit() throws SymbolsException {
        long unitOffset = info.offset();
        long length = info.u32();
        boolean dwarf64 = false;
        if (length == 0xffffffffL) {
            length = info.u64();
            dwarf64 = true;
        } else if (length >= 0xfffffff0L) {
            throw info.error("reserved unit length 0x" + Long.toHexString(length) + " at 0x"
                    + Long.toHexString(unitOffset));
        }
        ByteCursor unit = info.slice(length);
        int version = unit.u16();
        if (version < 2 || version > 5) {
            throw info.error("unsupported DWARF version " + version + " in unit at 0x" + Long.toHexString(unitOffset));
        }
        int unitType = UT_COMPILE;
        int addressSize;
        long abbrevOffset;
        if (version >= 5) {
            unitType = unit.u8();
            addressSize = unit.u8();
            abbrevOffset = unit.unsigned(dwarf64 ? 8 : 4);
            if (unitType == UT_SKELETON || unitType == UT_SPLIT_COMPILE) {
                unit.skip(8);
            } else if (unitType == UT_TYPE || unitType == UT_SPLIT_TYPE) {
                unit.skip(8 + (dwarf64 ? 8 : 4));
            }
        } else {
            abbrevOffset = unit.unsigned(dwarf64 ? 8 : 4);
            addressSize = unit.u8();
        }
        if (addressSize != 4 && addressSize != 8) {
            throw info.error("address size " + addressSize + " in unit at 0x" + Long.toHexString(unitOffset));
        }
        if (unitType != UT_COMPILE && unitType != UT_PARTIAL && unitType != UT_SKELETON) {
            return; // type units hold no code
        }
        DwarfForm.Encoding enc = new DwarfForm.Encoding(version, addressSize, dwarf64);
        Map<Long, Abbrev> table = abbrevTable(abbrevOffset);
        new UnitWalker(unit, unitOffset, enc, table).walk();
    }

    /** State for one unit's DIE walk. */
    private final class UnitWalker {
        final ByteCursor unit;
        final long unitOffset;
        final long headerSize;
        final DwarfForm.Encoding enc;
        final Map<Long, Abbrev> table;
        long strOffsetsBase = -1;
        long addrBase = -1;
        long rnglistsBase = -1;
        long loclistsBase = -1;
        long baseAddress;
        long stmtList = -1;
        String unitName;
        String producer;

        UnitWalker(ByteCursor unit, long unitOffset, DwarfForm.Encoding enc, Map<Long, Abbrev> table) {
            this.unit = unit;
            this.unitOffset = unitOffset;
            // DIE offsets are section offsets; the unit cursor starts after the length field.
            this.headerSize = enc.dwarf64() ? 12 : 4;
            this.enc = enc;
            this.table = table;
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
                Abbrev a = table.get(code);
                if (a == null) {
                    throw unit.error("DIE at 0x" + Long.toHexString(dieOffset) + " uses undefined abbreviation "
                            + code);
                }
                int n = a.attrs.length;
                int[] forms = new int[n];
                long[] nums = new long[n];
                String[] strs = new String[n];
                byte[][] blocks = new byte[n][];
                for (int i = 0; i < n; i++) {
                    int form = a.forms[i];
                    while (form == DwarfForm.INDIRECT) {
                        form = unit.ulebInt();
                    }
                    forms[i] = form;
                    if (form == DwarfForm.IMPLICIT_CONST) {
                        nums[i] = a.consts[i];
                    } else if (form == DwarfForm.STRING) {
                        strs[i] = unit.cstring();
                    } else if (isNumber(form)) {
                        nums[i] = DwarfForm.number(unit, form, enc);
                    } else if (isBlock(form) && wantsBlock(a.attrs[i])) {
                        blocks[i] = block(unit, form);
                    } else {
                        DwarfForm.skip(unit, form, enc);
                    }
                }
                FunctionInfo parent = null;
                for (int d = Math.min(depth, scopes.length) - 1; d >= 0 && parent == null; d--) {
                    parent = scopes[d] instanceof FunctionInfo ? (FunctionInfo) scopes[d] : null;
                }
                Object context = depth > 0 && depth <= scopes.length ? scopes[depth - 1] : null;
                Object made = null;
                if (first) {
                    first = false;
                    if (a.tag == TAG_COMPILE_UNIT || a.tag == TAG_PARTIAL_UNIT || a.tag == TAG_SKELETON_UNIT) {
                        unitDie(a, forms, nums, strs);
                    }
                } else if (isType(a.tag)) {
                    made = typeDie(dieOffset, a, forms, nums, strs);
                } else if (a.tag == TAG_MEMBER || a.tag == TAG_SUBRANGE || a.tag == TAG_ENUMERATOR) {
                    typePart(context, a, forms, nums, strs, blocks);
                } else if (a.tag == TAG_VARIABLE || a.tag == TAG_FORMAL_PARAMETER) {
                    variableDie(dieOffset, a, forms, nums, strs, blocks, scopes, depth);
                } else if (a.tag == TAG_CALL_SITE || a.tag == TAG_GNU_CALL_SITE) {
                    // DWARF 5 gives the return address; the GNU extension put it in low_pc.
                    int ret = find(a, a.tag == TAG_CALL_SITE ? AT_CALL_RETURN_PC : AT_LOW_PC);
                    made = ret >= 0 && isAddressForm(forms[ret]) ? new CallSite(address(forms[ret], nums[ret])) : null;
                } else if (a.tag == TAG_CALL_SITE_PARAMETER || a.tag == TAG_GNU_CALL_SITE_PARAMETER) {
                    callSiteParameter(context, a, blocks);
                } else if (a.tag == TAG_LEXICAL_BLOCK) {
                    made = parent == null ? null : new Block(rangesOf(a, forms, nums));
                } else {
                    made = scopeDie(dieOffset, a, forms, nums, strs, blocks, parent);
                }
                if (a.children) {
                    if (depth >= MAX_DEPTH) {
                        throw unit.error("DIE tree nested deeper than " + MAX_DEPTH);
                    }
                    if (depth >= scopes.length) {
                        scopes = java.util.Arrays.copyOf(scopes, scopes.length * 2);
                    }
                    scopes[depth++] = made;
                }
            }
        }

        private void unitDie(Abbrev a, int[] forms, long[] nums, String[] strs) throws SymbolsException {
            for (int i = 0; i < a.attrs.length; i++) {
                switch (a.attrs[i]) {
                    case AT_STR_OFFSETS_BASE: strOffsetsBase = nums[i]; break;
                    case AT_ADDR_BASE: case AT_GNU_ADDR_BASE: addrBase = nums[i]; break;
                    case AT_RNGLISTS_BASE: rnglistsBase = nums[i]; break;
                    case AT_LOCLISTS_BASE: loclistsBase = nums[i]; break;
                    case AT_STMT_LIST: stmtList = nums[i]; break;
                    default: break;
                }
            }
            int lowIdx = find(a, AT_LOW_PC);
            baseAddress = lowIdx >= 0 ? address(forms[lowIdx], nums[lowIdx]) : 0;
            unitName = string(a, AT_NAME, forms, nums, strs);
            String compDir = string(a, AT_COMP_DIR, forms, nums, strs);
            producer = string(a, AT_PRODUCER, forms, nums, strs);
            List<AddressRange> r = rangesOf(a, forms, nums);
            long offset = unitOffset;
            units.add(new Unit(new CompileUnit(offset, enc.version(), unitName == null ? "" : unitName, compDir,
                    producer, r), stmtList));
        }

        private Object scopeDie(long dieOffset, Abbrev a, int[] forms, long[] nums, String[] strs,
                byte[][] blocks, FunctionInfo parent) throws SymbolsException {
            String name = string(a, AT_NAME, forms, nums, strs);
            long origin = -1;
            for (int i = 0; i < a.attrs.length; i++) {
                int at = a.attrs[i];
                if ((at == AT_ABSTRACT_ORIGIN || at == AT_SPECIFICATION) && isReference(forms[i])) {
                    origin = reference(forms[i], nums[i]);
                }
            }
            if (name != null) {
                namesByOffset.put(dieOffset, name);
            } else if (origin >= 0) {
                originByOffset.put(dieOffset, origin);
            }
            if (a.tag != TAG_SUBPROGRAM && a.tag != TAG_INLINED_SUBROUTINE) {
                return null;
            }
            List<AddressRange> r = rangesOf(a, forms, nums);
            if (r.isEmpty()) {
                return NO_CODE; // a declaration or an abstract instance: its variables are only origins
            }
            boolean inlined = a.tag == TAG_INLINED_SUBROUTINE;
            FunctionInfo f = new FunctionInfo(name == null ? "??" : name, r, inlined, inlined ? parent : null,
                    unitName == null ? "" : unitName);
            int fb = find(a, AT_FRAME_BASE);
            f.frame(fb >= 0 ? blocks[fb] : null, context());
            int entry = find(a, AT_ENTRY_PC);
            if (entry >= 0) {
                // DWARF 5 allows a constant: an offset from the start of the DIE's code.
                int low = find(a, AT_LOW_PC);
                long base = low >= 0 ? address(forms[low], nums[low]) : r.get(0).low();
                f.entryPc(isAddressForm(forms[entry]) ? address(forms[entry], nums[entry]) : base + nums[entry]);
            }
            functions.add(f);
            if (name == null && origin >= 0) {
                unresolvedNames.add(new long[] {origin});
                unresolvedTargets.add(new FunctionInfo[] {f});
            }
            if (inlined) {
                int fileIdx = find(a, AT_CALL_FILE);
                int lineIdx = find(a, AT_CALL_LINE);
                if (fileIdx >= 0 && lineIdx >= 0) {
                    pendingCallSites.add(new Pending(f, stmtList, nums[fileIdx], nums[lineIdx]));
                }
            }
            return f;
        }

        private UnitContext context;

        /** The unit's parameters for evaluating locations later, made once per unit. */
        UnitContext context() {
            if (context == null) {
                context = new UnitContext(enc, addrBase, loclistsBase, baseAddress, addr, loclists, loc, producer);
            }
            return context;
        }

        private TypeInfo typeDie(long dieOffset, Abbrev a, int[] forms, long[] nums, String[] strs)
                throws SymbolsException {
            TypeInfo t = new TypeInfo(kindOf(a.tag));
            t.name = string(a, AT_NAME, forms, nums, strs);
            int size = find(a, AT_BYTE_SIZE);
            if (size >= 0 && isConstant(forms[size])) {
                t.byteSize = nums[size];
            }
            int encoding = find(a, AT_ENCODING);
            if (encoding >= 0) {
                t.encoding = (int) nums[encoding];
            }
            int type = find(a, AT_TYPE);
            if (type >= 0 && isReference(forms[type])) {
                pendingTypeTargets.add(new Object[] {t, reference(forms[type], nums[type])});
            }
            types.put(dieOffset, t);
            return t;
        }

        private void typePart(Object context, Abbrev a, int[] forms, long[] nums, String[] strs, byte[][] blocks)
                throws SymbolsException {
            if (!(context instanceof TypeInfo)) {
                return;
            }
            TypeInfo owner = (TypeInfo) context;
            if (a.tag == TAG_SUBRANGE) {
                int count = find(a, AT_COUNT);
                int upper = find(a, AT_UPPER_BOUND);
                long n = -1;
                if (count >= 0 && isConstant(forms[count])) {
                    n = nums[count];
                } else if (upper >= 0 && isConstant(forms[upper])) {
                    n = nums[upper] + 1;
                }
                owner.dimensions.add(n);
            } else if (a.tag == TAG_ENUMERATOR) {
                int value = find(a, AT_CONST_VALUE);
                String name = string(a, AT_NAME, forms, nums, strs);
                if (value >= 0 && name != null && isConstant(forms[value])) {
                    owner.enumerators.add(new TypeInfo.Enumerator(name, nums[value]));
                }
            } else {
                String name = string(a, AT_NAME, forms, nums, strs);
                int location = find(a, AT_DATA_MEMBER_LOCATION);
                long offset = 0;
                if (location >= 0 && isConstant(forms[location])) {
                    offset = nums[location];
                } else if (location >= 0 && blocks[location] != null) {
                    offset = memberOffset(blocks[location]);
                }
                int type = find(a, AT_TYPE);
                long typeRef = type >= 0 && isReference(forms[type]) ? reference(forms[type], nums[type]) : -1;
                int bitSizeIdx = find(a, AT_BIT_SIZE);
                long bitSize = bitSizeIdx >= 0 && isConstant(forms[bitSizeIdx]) ? nums[bitSizeIdx] : 0;
                long bitOffset = offset * 8;
                int dataBit = find(a, AT_DATA_BIT_OFFSET);
                int oldBit = find(a, AT_BIT_OFFSET);
                int byteSize = find(a, AT_BYTE_SIZE);
                if (bitSize > 0 && dataBit >= 0 && isConstant(forms[dataBit])) {
                    bitOffset = nums[dataBit]; // DWARF 4+: from the start of the struct
                } else if (bitSize > 0 && oldBit >= 0 && byteSize >= 0 && isConstant(forms[oldBit])) {
                    // DWARF 2/3 count from the most significant bit of a byte_size storage unit.
                    bitOffset = offset * 8 + nums[byteSize] * 8 - nums[oldBit] - bitSize;
                }
                pendingMembers.add(new Object[] {owner, name, offset, typeRef, bitSize, bitOffset});
            }
        }

        private void variableDie(long dieOffset, Abbrev a, int[] forms, long[] nums, String[] strs, byte[][] blocks,
                Object[] scopes, int depth) throws SymbolsException {
            String name = string(a, AT_NAME, forms, nums, strs);
            int type = find(a, AT_TYPE);
            long typeRef = type >= 0 && isReference(forms[type]) ? reference(forms[type], nums[type]) : -1;
            long origin = -1;
            int originIdx = find(a, AT_ABSTRACT_ORIGIN);
            if (originIdx < 0) {
                originIdx = find(a, AT_SPECIFICATION);
            }
            if (originIdx >= 0 && isReference(forms[originIdx])) {
                origin = reference(forms[originIdx], nums[originIdx]);
            }
            variableOrigins.put(dieOffset, new Object[] {name, typeRef, origin});
            // The owner is the nearest enclosing function; a lexical block on the way scopes it.
            List<AddressRange> scope = List.of();
            Object owner = null;
            for (int d = Math.min(depth, scopes.length) - 1; d >= 0; d--) {
                Object o = scopes[d];
                if (o instanceof Block && scope.isEmpty()) {
                    scope = ((Block) o).ranges;
                } else if (o instanceof FunctionInfo || o == NO_CODE || o instanceof TypeInfo) {
                    owner = o;
                    break;
                }
            }
            boolean global = depth == 1 && owner == null;
            if (!(owner instanceof FunctionInfo) && !global) {
                return;
            }
            LocationSource where = locationOf(a, forms, nums, blocks);
            if (where == null) {
                return; // no location and no constant: nothing to show
            }
            VariableInfo v = new VariableInfo(name, a.tag == TAG_FORMAL_PARAMETER, null, scope, where, origin);
            pendingVariableTypes.add(new Object[] {v, typeRef});
            if (global) {
                globals.add(v);
            } else {
                ((FunctionInfo) owner).addVariable(v);
            }
        }

        private void callSiteParameter(Object context, Abbrev a, byte[][] blocks) {
            if (!(context instanceof CallSite)) {
                return;
            }
            int location = find(a, AT_LOCATION);
            int value = find(a, AT_CALL_VALUE);
            if (value < 0) {
                value = find(a, AT_GNU_CALL_SITE_VALUE);
            }
            if (location < 0 || value < 0 || blocks[location] == null || blocks[value] == null) {
                return;
            }
            byte[] where = blocks[location];
            int register;
            if (where.length == 1 && (where[0] & 0xff) >= 0x50 && (where[0] & 0xff) <= 0x6f) {
                register = (where[0] & 0xff) - 0x50; // DW_OP_regN
            } else {
                return; // parameters passed in memory are not needed for entry values here
            }
            callSites.computeIfAbsent(((CallSite) context).returnPc, k -> new ArrayList<>())
                    .add(new CallSiteParameter(register, blocks[value], context()));
        }

        private LocationSource locationOf(Abbrev a, int[] forms, long[] nums, byte[][] blocks) {
            int location = find(a, AT_LOCATION);
            if (location >= 0) {
                if (blocks[location] != null) {
                    return LocationSource.expression(blocks[location], context());
                }
                if (forms[location] == DwarfForm.SEC_OFFSET || forms[location] == DwarfForm.DATA4
                        || forms[location] == DwarfForm.DATA8) {
                    context().usesLocationLists();
                    return LocationSource.list(nums[location], false, context());
                }
                if (forms[location] == DwarfForm.LOCLISTX) {
                    context().usesLocationLists();
                    return LocationSource.list(nums[location], true, context());
                }
            }
            int constant = find(a, AT_CONST_VALUE);
            if (constant >= 0 && isConstant(forms[constant])) {
                return LocationSource.constant(nums[constant]);
            }
            return null;
        }

        private List<AddressRange> rangesOf(Abbrev a, int[] forms, long[] nums) throws SymbolsException {
            List<AddressRange> out = new ArrayList<>();
            int lowIdx = find(a, AT_LOW_PC);
            int highIdx = find(a, AT_HIGH_PC);
            int rangesIdx = find(a, AT_RANGES);
            if (lowIdx >= 0 && highIdx >= 0) {
                long low = address(forms[lowIdx], nums[lowIdx]);
                int hf = forms[highIdx];
                long high = isAddressForm(hf) ? address(hf, nums[highIdx]) : low + nums[highIdx];
                if (Long.compareUnsigned(low, high) < 0) {
                    out.add(new AddressRange(low, high));
                }
            } else if (rangesIdx >= 0) {
                readRanges(forms[rangesIdx], nums[rangesIdx], out);
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

        private long address(int form, long value) throws SymbolsException {
            if (form == DwarfForm.ADDR) {
                return value;
            }
            if (isIndexedAddress(form)) {
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

        private String string(Abbrev a, int attr, int[] forms, long[] nums, String[] strs) throws SymbolsException {
            int i = find(a, attr);
            if (i < 0) {
                return null;
            }
            int form = forms[i];
            switch (form) {
                case DwarfForm.STRING: return strs[i];
                case DwarfForm.STRP: return strings.strp(nums[i]);
                case DwarfForm.LINE_STRP: return strings.lineStrp(nums[i]);
                case DwarfForm.STRX: case DwarfForm.STRX1: case DwarfForm.STRX2: case DwarfForm.STRX3:
                case DwarfForm.STRX4: case DwarfForm.GNU_STR_INDEX: {
                    if (strOffsets == null) {
                        throw new SymbolsException("indexed string used but the file has no .debug_str_offsets");
                    }
                    long base = strOffsetsBase >= 0 ? strOffsetsBase : (enc.dwarf64() ? 16 : 8);
                    strOffsets.seek(base + nums[i] * enc.offsetSize());
                    return strings.strp(strOffsets.unsigned(enc.offsetSize()));
                }
                default: return null; // a supplementary-file string or a non-string form: not available
            }
        }

        private long reference(int form, long value) {
            return form == DwarfForm.REF_ADDR ? value : unitOffset + value;
        }
    }

    private static int find(Abbrev a, int attr) {
        for (int i = 0; i < a.attrs.length; i++) {
            if (a.attrs[i] == attr) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isReference(int form) {
        switch (form) {
            case DwarfForm.REF1: case DwarfForm.REF2: case DwarfForm.REF4: case DwarfForm.REF8:
            case DwarfForm.REF_UDATA: case DwarfForm.REF_ADDR:
                return true;
            default:
                return false;
        }
    }

    private static boolean isIndexedAddress(int form) {
        return form == DwarfForm.ADDRX || form == DwarfForm.ADDRX1 || form == DwarfForm.ADDRX2
                || form == DwarfForm.ADDRX3 || form == DwarfForm.ADDRX4 || form == DwarfForm.GNU_ADDR_INDEX;
    }

    private static boolean isAddressForm(int form) {
        return form == DwarfForm.ADDR || isIndexedAddress(form);
    }

    private static boolean isNumber(int form) {
        switch (form) {
            case DwarfForm.BLOCK: case DwarfForm.BLOCK1: case DwarfForm.BLOCK2: case DwarfForm.BLOCK4:
            case DwarfForm.EXPRLOC: case DwarfForm.DATA16: case DwarfForm.STRING:
                return false;
            default:
                return true;
        }
    }

    /** Names functions that borrow theirs from an abstract origin or a declaration. */
    private void resolveNames() {
        for (int i = 0; i < unresolvedNames.size(); i++) {
            long target = unresolvedNames.get(i)[0];
            String name = null;
            for (int hop = 0; hop < 16 && name == null; hop++) {
                name = namesByOffset.get(target);
                if (name == null) {
                    Long next = originByOffset.get(target);
                    if (next == null) {
                        break;
                    }
                    target = next;
                }
            }
            if (name != null) {
                FunctionInfo old = unresolvedTargets.get(i)[0];
                old.rename(name);
            }
        }
    }

    private Map<Long, Abbrev> abbrevTable(long offset) throws SymbolsException {
        Map<Long, Abbrev> table = abbrevTables.get(offset);
        if (table != null) {
            return table;
        }
        if (abbrev == null) {
            throw new SymbolsException(".debug_info present but the file has no .debug_abbrev section");
        }
        table = new HashMap<>();
        abbrev.seek(offset);
        while (true) {
            long code = abbrev.uleb();
            if (code == 0) {
                break;
            }
            int tag = abbrev.ulebInt();
            boolean children = abbrev.u8() != 0;
            List<int[]> specs = new ArrayList<>();
            List<Long> consts = new ArrayList<>();
            while (true) {
                int at = abbrev.ulebInt();
                int form = abbrev.ulebInt();
                if (at == 0 && form == 0) {
                    break;
                }
                consts.add(form == DwarfForm.IMPLICIT_CONST ? abbrev.sleb() : 0L);
                specs.add(new int[] {at, form});
            }
            int n = specs.size();
            int[] attrs = new int[n];
            int[] forms = new int[n];
            long[] cs = new long[n];
            for (int i = 0; i < n; i++) {
                attrs[i] = specs.get(i)[0];
                forms[i] = specs.get(i)[1];
                cs[i] = consts.get(i);
            }
            table.put(code, new Abbrev(code, tag, children, attrs, forms, cs));
        }
        abbrevTables.put(offset, table);
        return table;
    }
}
