package dev.rewind.symbols;

import java.util.List;

/**
 * A parameter or local variable of a function (or a global), with its type and how to find
 * its location at a pc. {@code scope} holds the ranges of the lexical block that declares a
 * local, or is empty when the variable is visible throughout its function.
 */
public final class VariableInfo {
    private String name;
    private final boolean parameter;
    private TypeInfo type;
    private final List<AddressRange> scope;
    final LocationSource location;
    final long originOffset;

    VariableInfo(String name, boolean parameter, TypeInfo type, List<AddressRange> scope, LocationSource location,
            long originOffset) {
        this.name = name;
        this.parameter = parameter;
        this.type = type;
        this.scope = List.copyOf(scope);
        this.location = location;
        this.originOffset = originOffset;
    }

    public String name() {
        return name;
    }

    public boolean isParameter() {
        return parameter;
    }

    /** The declared type, or null when the DWARF gives none. */
    public TypeInfo type() {
        return type;
    }

    public List<AddressRange> scope() {
        return scope;
    }

    /** True when the variable is in scope at {@code pc}. */
    public boolean visibleAt(long pc) {
        if (scope.isEmpty()) {
            return true;
        }
        for (AddressRange r : scope) {
            if (r.contains(pc)) {
                return true;
            }
        }
        return false;
    }

    void inherit(String originName, TypeInfo originType) {
        if (name == null) {
            name = originName;
        }
        if (type == null) {
            type = originType;
        }
    }

    @Override
    public String toString() {
        return (type == null ? "?" : type.displayName()) + " " + name;
    }
}
