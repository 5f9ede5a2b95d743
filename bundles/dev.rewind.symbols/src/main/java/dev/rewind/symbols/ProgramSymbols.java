package dev.rewind.symbols;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a debugger needs from a RISC-V ELF program: symbols, address to function and
 * file:line, line to addresses, and call-stack unwinding. Loading fails only when the file
 * is not a readable RISC-V ELF64; damaged debug sections are reported by {@link #problems()}
 * and leave the corresponding queries empty, so a program with bad DWARF still debugs at the
 * symbol level.
 */
public final class ProgramSymbols {
    private final ElfFile elf;
    private final List<ElfSymbol> symbols;
    private final ElfSymbol[] codeAndData;
    // Code labels for naming assembly without DWARF: FUNC and untyped symbols, sorted by value;
    // stable, so equal values keep table order.
    private final ElfSymbol[] labels;
    private final DebugInfo info;
    private final LineTable lines;
    private final CallFrameInfo cfi;
    private final Unwinder unwinder;
    private final List<String> problems;
    private final List<VariableInfo> globals;
    private final Map<Long, List<CallSiteParameter>> callSites;

    private ProgramSymbols(ElfFile elf, List<ElfSymbol> symbols, DebugInfo info, LineTable lines, CallFrameInfo cfi,
            List<String> problems, List<VariableInfo> globals, Map<Long, List<CallSiteParameter>> callSites) {
        this.elf = elf;
        this.callSites = callSites;
        this.globals = Collections.unmodifiableList(globals);
        this.symbols = symbols;
        List<ElfSymbol> sized = new ArrayList<>();
        for (ElfSymbol s : symbols) {
            if ((s.type() == ElfSymbol.Type.FUNC || s.type() == ElfSymbol.Type.OBJECT)
                    && s.sectionIndex() != ElfSymbol.SHN_UNDEF) {
                sized.add(s);
            }
        }
        sized.sort((a, b) -> Long.compareUnsigned(a.value(), b.value()));
        this.codeAndData = sized.toArray(new ElfSymbol[0]);
        List<ElfSymbol> code = new ArrayList<>();
        for (ElfSymbol s : symbols) {
            boolean label = s.type() == ElfSymbol.Type.FUNC || s.type() == ElfSymbol.Type.NOTYPE;
            // "$x..." are RISC-V mapping symbols and ".L..." assembler temporaries, not names.
            if (label && !s.name().isEmpty() && !s.name().startsWith("$") && !s.name().startsWith(".L")
                    && s.sectionIndex() != ElfSymbol.SHN_UNDEF && s.sectionIndex() < 0xff00) {
                code.add(s);
            }
        }
        code.sort((a, b) -> Long.compareUnsigned(a.value(), b.value()));
        this.labels = code.toArray(new ElfSymbol[0]);
        this.info = info;
        this.lines = lines;
        this.cfi = cfi;
        this.problems = Collections.unmodifiableList(problems);
        this.unwinder = new Unwinder(cfi, this::functionAt, lines);
    }

    /** Loads the program at {@code elf}. */
    public static ProgramSymbols load(Path elf) throws SymbolsException {
        ElfFile file = ElfFile.load(elf);
        try {
            return of(file);
        } catch (SymbolsException e) {
            throw new SymbolsException(elf + ": " + e.getMessage(), e);
        }
    }

    /** Builds the symbols of an already parsed ELF file. */
    public static ProgramSymbols of(ElfFile elf) throws SymbolsException {
        if (!elf.isRiscV()) {
            throw new SymbolsException("not a RISC-V program (ELF machine " + elf.machine() + ", expected "
                    + ElfFile.EM_RISCV + ")");
        }
        List<String> problems = new ArrayList<>();
        List<ElfSymbol> symbols = elf.symbols();
        ByteCursor str = optional(elf, ".debug_str", problems);
        ByteCursor lineStr = optional(elf, ".debug_line_str", problems);
        DwarfStrings strings = new DwarfStrings(str, lineStr);

        DebugInfoReader reader = null;
        DebugInfo info = DebugInfo.empty();
        ByteCursor infoSection = optional(elf, ".debug_info", problems);
        if (infoSection != null) {
            try {
                reader = new DebugInfoReader(infoSection, optional(elf, ".debug_abbrev", problems), strings,
                        optional(elf, ".debug_str_offsets", problems), optional(elf, ".debug_addr", problems),
                        optional(elf, ".debug_rnglists", problems), optional(elf, ".debug_ranges", problems),
                        optional(elf, ".debug_loclists", problems), optional(elf, ".debug_loc", problems));
                reader.read();
            } catch (SymbolsException e) {
                problems.add(".debug_info: " + e.getMessage());
                reader = null;
            }
        }

        List<LineRow> rows = new ArrayList<>();
        Map<Long, List<String>> filesByProgram = new HashMap<>();
        ByteCursor lineSection = optional(elf, ".debug_line", problems);
        if (lineSection != null) {
            Map<Long, String> compDirs = new HashMap<>();
            if (reader != null) {
                for (DebugInfoReader.Unit u : reader.units) {
                    if (u.stmtList() >= 0) {
                        compDirs.put(u.stmtList(), u.unit().compDir());
                    }
                }
            }
            LineProgramReader lineReader = new LineProgramReader(strings);
            long offset = 0;
            try {
                while (offset < lineSection.length()) {
                    List<LineRow> unitRows = new ArrayList<>();
                    LineProgramReader.Program p = lineReader.read(lineSection, offset, compDirs.get(offset), unitRows);
                    rows.addAll(unitRows);
                    filesByProgram.put(offset, p.files());
                    offset = p.next();
                }
            } catch (SymbolsException e) {
                problems.add(".debug_line at 0x" + Long.toHexString(offset) + ": " + e.getMessage());
            }
        }
        LineTable lines = new LineTable(rows);

        if (reader != null) {
            for (FunctionDies.Pending p : reader.pendingCallSites) {
                List<String> files = filesByProgram.get(p.ownerStmtList());
                if (files != null && p.callFile() >= 0 && p.callFile() < files.size()
                        && files.get((int) p.callFile()) != null) {
                    p.function().callSite(new SourceLocation(files.get((int) p.callFile()),
                            (int) Math.min(Integer.MAX_VALUE, p.callLine())));
                }
            }
            List<CompileUnit> units = new ArrayList<>();
            for (DebugInfoReader.Unit u : reader.units) {
                units.add(u.unit());
            }
            info = new DebugInfo(units, reader.functions);
        }

        // gcc emits .debug_frame by default and .eh_frame instead when unwind tables are on.
        CallFrameInfo cfi = CallFrameInfo.empty();
        ByteCursor frame = optional(elf, ".debug_frame", problems);
        ElfSection eh = elf.section(".eh_frame");
        if (frame != null) {
            try {
                cfi = CallFrameInfo.parse(frame, 8);
            } catch (SymbolsException e) {
                problems.add(".debug_frame: " + e.getMessage());
            }
        } else if (eh != null) {
            try {
                cfi = CallFrameInfo.parseEh(elf.cursor(eh), 8, eh.address());
            } catch (SymbolsException e) {
                problems.add(".eh_frame: " + e.getMessage());
            }
        }
        return new ProgramSymbols(elf, symbols, info, lines, cfi, problems,
                reader == null ? List.of() : reader.globals, reader == null ? Map.of() : reader.callSites);
    }

    private static ByteCursor optional(ElfFile elf, String name, List<String> problems) {
        try {
            return elf.cursor(name);
        } catch (SymbolsException e) {
            problems.add(e.getMessage());
            return null;
        }
    }

    public ElfFile elf() {
        return elf;
    }

    /** The {@code .symtab} symbols in table order. */
    public List<ElfSymbol> symbols() {
        return symbols;
    }

    /** The defined symbol called {@code name} (a global one if several), or null. */
    public ElfSymbol symbol(String name) {
        ElfSymbol found = null;
        for (ElfSymbol s : symbols) {
            if (s.name().equals(name) && s.sectionIndex() != ElfSymbol.SHN_UNDEF) {
                if (found == null || s.binding() == ElfSymbol.Binding.GLOBAL) {
                    found = s;
                }
            }
        }
        return found;
    }

    /** The function or object symbol whose extent covers {@code address}, or null. */
    public ElfSymbol symbolAt(long address) {
        int lo = 0;
        int hi = codeAndData.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(codeAndData[mid].value(), address) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        for (int i = found; i >= 0 && i > found - 16; i--) {
            if (codeAndData[i].contains(address)) {
                return codeAndData[i];
            }
        }
        return null;
    }

    public DebugInfo debugInfo() {
        return info;
    }

    public LineTable lineTable() {
        return lines;
    }

    public CallFrameInfo callFrameInfo() {
        return cfi;
    }

    /**
     * The innermost function covering {@code pc} (an inlined copy when pc is in inlined code).
     * For code without DWARF functions (assembly), a function made from the ELF symbol table
     * as addr2line does: the nearest FUNC or untyped label at or below pc in the same section.
     * Null if there is none.
     */
    public FunctionInfo functionAt(long pc) {
        FunctionInfo f = info.functionAt(pc);
        if (f != null) {
            return f;
        }
        ElfSymbol s = labelAt(pc);
        if (s == null) {
            return null;
        }
        long high = s.size() > 0 ? s.value() + s.size() : pc + 1;
        return new FunctionInfo(s.name(), List.of(new AddressRange(s.value(), high)), false, null, "");
    }

    private ElfSymbol labelAt(long pc) {
        int lo = 0;
        int hi = labels.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(labels[mid].value(), pc) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0) {
            return null;
        }
        // Of several labels at one address, the largest wins, then the first in table order.
        long value = labels[found].value();
        ElfSymbol s = labels[found];
        for (int i = found - 1; i >= 0 && labels[i].value() == value; i--) {
            if (Long.compareUnsigned(labels[i].size(), s.size()) >= 0) {
                s = labels[i];
            }
        }
        List<ElfSection> sections = elf.sections();
        if (s.sectionIndex() <= 0 || s.sectionIndex() >= sections.size()
                || !sections.get(s.sectionIndex()).containsAddress(pc)) {
            return null;
        }
        return s;
    }

    /**
     * Where a breakpoint on function {@code f} goes, as gdb places it: an inlined copy's entry;
     * for optimized GCC code (whose variable locations are exact from the first instruction)
     * the entry; otherwise past the prologue, at the end of the line entry covering the entry.
     */
    public long breakpointAddress(FunctionInfo f) {
        if (f.inlined()) {
            return f.entryPc();
        }
        long entry = f.lowPc();
        if (f.unit() != null && f.unit().locationsValid()) {
            return entry;
        }
        AddressRange first = lines.rangeAt(entry);
        if (first == null || !f.contains(first.high())) {
            return entry;
        }
        return first.high();
    }

    /**
     * The addresses a breakpoint on the function called {@code name} covers: every
     * out-of-line definition (statics may repeat across files) and every inlined copy, ascending.
     */
    public List<Long> breakpointAddresses(String name) {
        java.util.TreeSet<Long> out = new java.util.TreeSet<>(Long::compareUnsigned);
        for (FunctionInfo f : info.functions()) {
            if (f.name().equals(name)) {
                out.add(breakpointAddress(f));
            }
        }
        return new ArrayList<>(out);
    }

    /** The source position of {@code pc}, or null. */
    public SourceLocation lineFor(long pc) {
        return lines.lineFor(pc);
    }

    /** Statement addresses where execution enters {@code line} of {@code file}; see {@link LineTable#addressesFor}. */
    public List<Long> addressesFor(String file, int line) {
        return lines.addressesFor(file, line);
    }

    public Unwinder unwinder() {
        return unwinder;
    }

    /** Shorthand for {@code unwinder().unwind(pc, registers, memory)}. */
    public List<StackFrame> unwind(long pc, long[] registers, MemoryReader memory) {
        return unwinder.unwind(pc, registers, memory);
    }

    /**
     * The parameters and locals visible in {@code frame} with their current values, parameters
     * first, in declaration order. Registers unknown in the frame and locations this reader
     * cannot evaluate show as {@code <optimized out>}. Without the rest of the stack, values
     * that only the caller can supply (DW_OP_entry_value) are unavailable; see
     * {@link #variables(List, int, MemoryReader)}.
     */
    public List<VariableValue> variables(StackFrame frame, MemoryReader memory) {
        return variables(List.of(frame), 0, memory);
    }

    /**
     * The parameters and locals of {@code frames.get(index)}, where {@code frames} is a whole
     * {@link #unwind} result: callers' frames let optimized code's parameters be recovered from
     * what each call passed (DW_OP_entry_value), as gdb does.
     */
    public List<VariableValue> variables(List<StackFrame> frames, int index, MemoryReader memory) {
        return variables(frames, index, memory, null);
    }

    /**
     * {@link #variables(List, int, MemoryReader)} with the hart's f registers f0-f31 (DWARF
     * registers 32-63, RISC-V psABI), for locations in FP registers: a {@code double} in fa0 is
     * DW_OP_regx 42. They are known in the innermost frame (and frames inlined into it); this
     * unwinder does not recover callee-saved f registers for outer frames. Null: none known.
     */
    public List<VariableValue> variables(List<StackFrame> frames, int index, MemoryReader memory, long[] floatRegisters) {
        StackFrame frame = frames.get(index);
        FunctionInfo f = frame.functionInfo();
        List<VariableValue> params = new ArrayList<>();
        List<VariableValue> locals = new ArrayList<>();
        if (f == null) {
            return params;
        }
        byte[] frameBase = f.outermost().frameBase();
        DwarfExpression.Frame context = context(frames, index, memory, 0, floatRegisters);
        ValueFormatter formatter = new ValueFormatter(memory, context);
        for (VariableInfo v : f.variables()) {
            if (!v.visibleAt(frame.symbolPc())) {
                continue;
            }
            Location where = v.location.at(frame.symbolPc(), frameBase, context);
            VariableValue value = new VariableValue(v.name(), v.type() == null ? "?" : v.type().displayName(),
                    formatter.format(v.type(), where), where, v.isParameter());
            (v.isParameter() ? params : locals).add(value);
        }
        params.addAll(locals);
        return params;
    }

    /** How expressions see frame {@code index}: its registers, CFA, memory and entry values. */
    private DwarfExpression.Frame context(List<StackFrame> frames, int index, MemoryReader memory, int depth,
            long[] floatRegisters) {
        StackFrame frame = frames.get(index);
        StackFrame innermost = frames.get(0);
        boolean fKnown = floatRegisters != null && frame.pc() == innermost.pc() && frame.cfa() == innermost.cfa();
        return new DwarfExpression.Frame() {
            @Override
            public Long register(int number) {
                if (number >= 32 && number < 64) {
                    return fKnown ? floatRegisters[number - 32] : null;
                }
                return frame.isKnown(number) ? frame.registers()[number] : null;
            }

            @Override
            public Long cfa() {
                return frame.cfa() == 0 ? null : frame.cfa();
            }

            @Override
            public MemoryReader memory() {
                return memory;
            }

            @Override
            public Long entryValue(int register) {
                // Chains of entry values (a caller's value that is itself an entry value) are
                // followed a few calls up, no further.
                if (depth >= 8) {
                    return null;
                }
                int caller = index + 1;
                while (caller < frames.size() && frames.get(caller).pc() == frame.pc()
                        && frames.get(caller).cfa() == frame.cfa()) {
                    caller++; // frames of inlined calls share the physical frame
                }
                if (caller >= frames.size()) {
                    return null;
                }
                StackFrame callerFrame = frames.get(caller);
                for (CallSiteParameter p : callSites.getOrDefault(callerFrame.pc(), List.of())) {
                    if (p.register() != register) {
                        continue;
                    }
                    FunctionInfo owner = callerFrame.functionInfo();
                    byte[] base = owner == null ? null : owner.outermost().frameBase();
                    DwarfExpression.Frame callerContext = context(frames, caller, memory, depth + 1, floatRegisters);
                    Location value = DwarfExpression.evaluate(p.value(), base, callerContext, p.unit());
                    switch (value.kind()) {
                        case VALUE: case MEMORY: return value.value(); // a call value is a value
                        case REGISTER: return callerContext.register((int) value.value());
                        default: return null;
                    }
                }
                return null;
            }
        };
    }

    /** Global and file-static variables with a fixed location. */
    public List<VariableInfo> globals() {
        return globals;
    }

    /** The current value of a global from {@link #globals()}. */
    public VariableValue globalValue(VariableInfo global, MemoryReader memory) {
        DwarfExpression.Frame none = new DwarfExpression.Frame() {
            @Override
            public Long register(int number) {
                return null;
            }

            @Override
            public Long cfa() {
                return null;
            }

            @Override
            public MemoryReader memory() {
                return memory;
            }
        };
        Location where = global.location.at(0, null, none);
        return new VariableValue(global.name(), global.type() == null ? "?" : global.type().displayName(),
                new ValueFormatter(memory, none).format(global.type(), where), where, false);
    }

    /** Debug sections that could not be read, one message each; empty when all was well. */
    public List<String> problems() {
        return problems;
    }
}
