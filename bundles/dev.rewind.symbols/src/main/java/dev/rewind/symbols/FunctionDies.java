package dev.rewind.symbols;

import static dev.rewind.symbols.DieCodes.AT_ABSTRACT_ORIGIN;
import static dev.rewind.symbols.DieCodes.AT_CALL_FILE;
import static dev.rewind.symbols.DieCodes.AT_CALL_LINE;
import static dev.rewind.symbols.DieCodes.AT_ENTRY_PC;
import static dev.rewind.symbols.DieCodes.AT_FRAME_BASE;
import static dev.rewind.symbols.DieCodes.AT_LOW_PC;
import static dev.rewind.symbols.DieCodes.AT_NAME;
import static dev.rewind.symbols.DieCodes.AT_SPECIFICATION;
import static dev.rewind.symbols.DieCodes.TAG_INLINED_SUBROUTINE;
import static dev.rewind.symbols.DieCodes.TAG_SUBPROGRAM;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Function DIEs (subprograms and inlined copies with their call sites) and the names of every
 * other scope DIE, since a function may borrow its name from an abstract origin or a
 * declaration anywhere in the file; those are settled by {@link #resolveNames()}.
 */
final class FunctionDies {

    /** Marks a function DIE without code, whose variables are abstract origins only. */
    static final Object NO_CODE = new Object();

    /** A function found in the DIEs with its call site still as a file number of its unit. */
    record Pending(FunctionInfo function, long ownerStmtList, long callFile, long callLine) {
    }

    /** A function without a name of its own, and the DIE it takes one from. */
    private record Unnamed(FunctionInfo function, long origin) {
    }

    final List<FunctionInfo> functions = new ArrayList<>();
    final List<Pending> pendingCallSites = new ArrayList<>();
    private final Map<Long, String> namesByOffset = new HashMap<>();
    private final Map<Long, Long> originByOffset = new HashMap<>();
    private final List<Unnamed> unnamed = new ArrayList<>();

    /**
     * Any other DIE that may open a scope: records its name (or origin); for a subprogram or
     * inlined subroutine with code returns its FunctionInfo, NO_CODE for one without, else null.
     */
    Object scope(Die d, FunctionInfo parent, UnitReader u) throws SymbolsException {
        String name = u.string(d, AT_NAME);
        long origin = -1;
        for (int i = 0; i < d.attrs().length; i++) {
            int at = d.attrs()[i];
            if ((at == AT_ABSTRACT_ORIGIN || at == AT_SPECIFICATION) && DwarfForm.isReference(d.form(i))) {
                origin = u.reference(d.form(i), d.num(i));
            }
        }
        if (name != null) {
            namesByOffset.put(d.offset(), name);
        } else if (origin >= 0) {
            originByOffset.put(d.offset(), origin);
        }
        if (d.tag() != TAG_SUBPROGRAM && d.tag() != TAG_INLINED_SUBROUTINE) {
            return null;
        }
        List<AddressRange> r = u.rangesOf(d);
        if (r.isEmpty()) {
            return NO_CODE; // a declaration or an abstract instance: its variables are only origins
        }
        boolean inlined = d.tag() == TAG_INLINED_SUBROUTINE;
        FunctionInfo f = new FunctionInfo(name == null ? "??" : name, r, inlined, inlined ? parent : null,
                u.unitName());
        int fb = d.find(AT_FRAME_BASE);
        f.frame(fb >= 0 ? d.block(fb) : null, u.context());
        int entry = d.find(AT_ENTRY_PC);
        if (entry >= 0) {
            // DWARF 5 allows a constant: an offset from the start of the DIE's code.
            int low = d.find(AT_LOW_PC);
            long base = low >= 0 ? u.address(d.form(low), d.num(low)) : r.get(0).low();
            f.entryPc(DwarfForm.isAddress(d.form(entry)) ? u.address(d.form(entry), d.num(entry)) : base + d.num(entry));
        }
        functions.add(f);
        if (name == null && origin >= 0) {
            unnamed.add(new Unnamed(f, origin));
        }
        if (inlined) {
            int fileIdx = d.find(AT_CALL_FILE);
            int lineIdx = d.find(AT_CALL_LINE);
            if (fileIdx >= 0 && lineIdx >= 0) {
                pendingCallSites.add(new Pending(f, u.stmtList(), d.num(fileIdx), d.num(lineIdx)));
            }
        }
        return f;
    }

    /** Names functions that borrow theirs from an abstract origin or a declaration. */
    void resolveNames() {
        for (Unnamed u : unnamed) {
            long target = u.origin();
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
                u.function().rename(name);
            }
        }
    }
}
