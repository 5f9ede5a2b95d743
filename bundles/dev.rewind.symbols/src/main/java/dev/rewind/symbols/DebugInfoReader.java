package dev.rewind.symbols;

import static dev.rewind.symbols.DieCodes.UT_COMPILE;
import static dev.rewind.symbols.DieCodes.UT_PARTIAL;
import static dev.rewind.symbols.DieCodes.UT_SKELETON;
import static dev.rewind.symbols.DieCodes.UT_SPLIT_COMPILE;
import static dev.rewind.symbols.DieCodes.UT_SPLIT_TYPE;
import static dev.rewind.symbols.DieCodes.UT_TYPE;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks the DIE trees of {@code .debug_info} (DWARF 2-5) for what a debugger's stack and
 * variables views need: compilation units, functions with their address ranges, inlined copies
 * with their call sites, variables with their locations and types, and call-site parameters.
 * This class reads unit headers and abbreviation tables; {@link UnitReader} walks each unit and
 * hands DIEs to {@link FunctionDies}, {@link VariableDies} and {@link TypeDies}.
 */
final class DebugInfoReader {

    private final ByteCursor info;
    private final ByteCursor abbrev;
    final DwarfStrings strings;
    final ByteCursor strOffsets;
    final ByteCursor addr;
    final ByteCursor rnglists;
    final ByteCursor ranges;
    final ByteCursor loclists;
    final ByteCursor loc;

    final TypeDies types = new TypeDies();
    final VariableDies variables = new VariableDies();
    final FunctionDies functionDies = new FunctionDies();
    private final Map<Long, Map<Long, Abbrev>> abbrevTables = new HashMap<>();

    /** A compilation unit plus what is needed later to decode its line program. */
    record Unit(CompileUnit unit, long stmtList) {
    }

    /** One abbreviation: a DIE's tag, whether it has children, and its attributes with their forms. */
    record Abbrev(long code, int tag, boolean children, int[] attrs, int[] forms, long[] consts) {
    }

    final List<Unit> units = new ArrayList<>();
    final List<FunctionInfo> functions = functionDies.functions;
    final List<FunctionDies.Pending> pendingCallSites = functionDies.pendingCallSites;
    final List<VariableInfo> globals = variables.globals;
    /** Call sites by return address: the register parameters each call passed. */
    final Map<Long, List<CallSiteParameter>> callSites = variables.callSites;

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
        functionDies.resolveNames();
        types.resolve();
        variables.resolve(types);
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
        new UnitReader(this, unit, unitOffset, enc, table).walk();
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
