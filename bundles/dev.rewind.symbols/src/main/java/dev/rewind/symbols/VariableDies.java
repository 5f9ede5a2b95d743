package dev.rewind.symbols;

import static dev.rewind.symbols.DieCodes.AT_ABSTRACT_ORIGIN;
import static dev.rewind.symbols.DieCodes.AT_CALL_VALUE;
import static dev.rewind.symbols.DieCodes.AT_CONST_VALUE;
import static dev.rewind.symbols.DieCodes.AT_GNU_CALL_SITE_VALUE;
import static dev.rewind.symbols.DieCodes.AT_LOCATION;
import static dev.rewind.symbols.DieCodes.AT_NAME;
import static dev.rewind.symbols.DieCodes.AT_SPECIFICATION;
import static dev.rewind.symbols.DieCodes.AT_TYPE;
import static dev.rewind.symbols.DieCodes.TAG_FORMAL_PARAMETER;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Variable and formal-parameter DIEs (globals, and locals of functions with code, scoped by
 * lexical blocks), and call-site parameter DIEs (the register values a call passed, for entry
 * values). A variable may take its name and type from an abstract origin read later, so both
 * are settled by {@link #resolve(TypeDies)}.
 */
final class VariableDies {

    /** A lexical block's code ranges, scoping the variables declared in it. */
    record Block(List<AddressRange> ranges) {
    }

    /** An open call-site DIE whose parameter children are being read. */
    record CallSite(long returnPc) {
    }

    /** What a variable DIE says itself, for the variables that name it as their origin. */
    private record Origin(String name, long typeRef, long origin) {
    }

    /** A variable whose type (and maybe name) is known only by DIE offset. */
    private record Untyped(VariableInfo variable, long typeRef) {
    }

    final List<VariableInfo> globals = new ArrayList<>();
    /** Call sites by return address: the register parameters each call passed. */
    final Map<Long, List<CallSiteParameter>> callSites = new HashMap<>();
    private final Map<Long, Origin> origins = new HashMap<>();
    private final List<Untyped> untyped = new ArrayList<>();

    /**
     * A variable DIE; {@code scopes[0..depth)} are the DIEs enclosing it (what
     * {@link UnitReader} made of each: a FunctionInfo, a Block, a TypeInfo, NO_CODE or null).
     */
    void variable(Die d, Object[] scopes, int depth, UnitReader u) throws SymbolsException {
        String name = u.string(d, AT_NAME);
        long typeRef = u.reference(d, AT_TYPE);
        long origin = u.reference(d, AT_ABSTRACT_ORIGIN);
        if (d.find(AT_ABSTRACT_ORIGIN) < 0) {
            origin = u.reference(d, AT_SPECIFICATION);
        }
        origins.put(d.offset(), new Origin(name, typeRef, origin));
        // The owner is the nearest enclosing function; a lexical block on the way scopes it.
        List<AddressRange> scope = List.of();
        Object owner = null;
        for (int i = Math.min(depth, scopes.length) - 1; i >= 0; i--) {
            Object o = scopes[i];
            if (o instanceof Block && scope.isEmpty()) {
                scope = ((Block) o).ranges();
            } else if (o instanceof FunctionInfo || o == FunctionDies.NO_CODE || o instanceof TypeInfo) {
                owner = o;
                break;
            }
        }
        boolean global = depth == 1 && owner == null;
        if (!(owner instanceof FunctionInfo) && !global) {
            return;
        }
        LocationSource where = locationOf(d, u);
        if (where == null) {
            return; // no location and no constant: nothing to show
        }
        VariableInfo v = new VariableInfo(name, d.tag() == TAG_FORMAL_PARAMETER, null, scope, where, origin);
        untyped.add(new Untyped(v, typeRef));
        if (global) {
            globals.add(v);
        } else {
            ((FunctionInfo) owner).addVariable(v);
        }
    }

    /** A call-site parameter DIE inside the call site DIE {@code context}. */
    void callSiteParameter(Object context, Die d, UnitReader u) {
        if (!(context instanceof CallSite)) {
            return;
        }
        int location = d.find(AT_LOCATION);
        int value = d.find(AT_CALL_VALUE);
        if (value < 0) {
            value = d.find(AT_GNU_CALL_SITE_VALUE);
        }
        if (location < 0 || value < 0 || d.block(location) == null || d.block(value) == null) {
            return;
        }
        byte[] where = d.block(location);
        int register;
        if (where.length == 1 && (where[0] & 0xff) >= 0x50 && (where[0] & 0xff) <= 0x6f) {
            register = (where[0] & 0xff) - 0x50; // DW_OP_regN
        } else {
            return; // parameters passed in memory are not needed for entry values here
        }
        callSites.computeIfAbsent(((CallSite) context).returnPc(), k -> new ArrayList<>())
                .add(new CallSiteParameter(register, d.block(value), u.context()));
    }

    private static LocationSource locationOf(Die d, UnitReader u) {
        int location = d.find(AT_LOCATION);
        if (location >= 0) {
            if (d.block(location) != null) {
                return LocationSource.expression(d.block(location), u.context());
            }
            int form = d.form(location);
            if (form == DwarfForm.SEC_OFFSET || form == DwarfForm.DATA4 || form == DwarfForm.DATA8) {
                u.context().usesLocationLists();
                return LocationSource.list(d.num(location), false, u.context());
            }
            if (form == DwarfForm.LOCLISTX) {
                u.context().usesLocationLists();
                return LocationSource.list(d.num(location), true, u.context());
            }
        }
        int constant = d.find(AT_CONST_VALUE);
        if (constant >= 0 && DwarfForm.isConstant(d.form(constant))) {
            return LocationSource.constant(d.num(constant));
        }
        return null;
    }

    /** Gives each variable its type, and the name and type its origins carry where it has none. */
    void resolve(TypeDies types) {
        for (Untyped p : untyped) {
            VariableInfo v = p.variable();
            long typeRef = p.typeRef();
            String name = null;
            long origin = v.originOffset;
            for (int hop = 0; hop < 8 && origin >= 0 && (name == null || typeRef < 0); hop++) {
                Origin o = origins.get(origin);
                if (o == null) {
                    break;
                }
                if (name == null) {
                    name = o.name();
                }
                if (typeRef < 0) {
                    typeRef = o.typeRef();
                }
                origin = o.origin();
            }
            v.inherit(name == null ? "?" : name, types.at(typeRef));
        }
    }
}
