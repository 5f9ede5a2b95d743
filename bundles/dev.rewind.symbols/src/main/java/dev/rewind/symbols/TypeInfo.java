package dev.rewind.symbols;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A C type from {@code .debug_info}, enough to show a variable's value: base types with
 * their encoding, pointers, structs and unions with member offsets, arrays, enums, and the
 * typedef/const/volatile wrappers around them.
 */
public final class TypeInfo {
    public enum Kind { BASE, POINTER, STRUCT, UNION, ARRAY, ENUM, TYPEDEF, CONST, VOLATILE, FUNCTION, VOID, OTHER }

    /** DW_ATE_* encodings of base types. */
    public static final int ATE_BOOLEAN = 0x02;
    public static final int ATE_FLOAT = 0x04;
    public static final int ATE_SIGNED = 0x05;
    public static final int ATE_SIGNED_CHAR = 0x06;
    public static final int ATE_UNSIGNED = 0x07;
    public static final int ATE_UNSIGNED_CHAR = 0x08;

    /**
     * A struct or union member at byte {@code offset}; a bit field has {@code bitSize} > 0 and
     * starts {@code bitOffset} bits from the start of the struct (little-endian bit order).
     */
    public record Member(String name, long offset, TypeInfo type, int bitSize, long bitOffset) {
    }

    /** An enumeration constant. */
    public record Enumerator(String name, long value) {
    }

    static final TypeInfo VOID_TYPE = new TypeInfo(Kind.VOID);

    private final Kind kind;
    String name;
    long byteSize = -1;
    int encoding;
    TypeInfo target;
    final List<Member> members = new ArrayList<>();
    final List<Enumerator> enumerators = new ArrayList<>();
    /** Element counts per array dimension, -1 where unknown. */
    final List<Long> dimensions = new ArrayList<>();

    TypeInfo(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** The type's own name ("int", "node" for struct node), or null if anonymous. */
    public String name() {
        return name;
    }

    /** The size in bytes, computed through typedefs, qualifiers and arrays; -1 when unknown. */
    public long byteSize() {
        return byteSize(0);
    }

    // Depth-bounded: corrupt DWARF can make a typedef or array its own target.
    private long byteSize(int depth) {
        if (byteSize >= 0) {
            return byteSize;
        }
        if (depth > 64) {
            return -1;
        }
        switch (kind) {
            case POINTER: return 8;
            case TYPEDEF: case CONST: case VOLATILE: return target == null ? -1 : target.byteSize(depth + 1);
            case ARRAY: {
                long n = target == null ? -1 : target.byteSize(depth + 1);
                for (long d : dimensions) {
                    if (d < 0 || n < 0) {
                        return -1;
                    }
                    n *= d;
                }
                return n;
            }
            default: return -1;
        }
    }

    public int encoding() {
        return encoding;
    }

    /** The pointed-to, element, underlying or aliased type; null for void. */
    public TypeInfo target() {
        return target;
    }

    public List<Member> members() {
        return Collections.unmodifiableList(members);
    }

    public List<Enumerator> enumerators() {
        return Collections.unmodifiableList(enumerators);
    }

    public List<Long> dimensions() {
        return Collections.unmodifiableList(dimensions);
    }

    /** This type without typedefs, const and volatile. */
    public TypeInfo resolved() {
        TypeInfo t = this;
        for (int i = 0; i < 64 && t != null
                && (t.kind == Kind.TYPEDEF || t.kind == Kind.CONST || t.kind == Kind.VOLATILE); i++) {
            t = t.target;
        }
        return t == null ? VOID_TYPE : t;
    }

    /** The C spelling, e.g. {@code "const struct node *"} or {@code "long [4]"}. */
    public String displayName() {
        return spell(this, 0);
    }

    private static String spell(TypeInfo t, int depth) {
        if (t == null) {
            return "void";
        }
        if (depth > 16) {
            return "...";
        }
        switch (t.kind) {
            case POINTER: return spell(t.target, depth + 1) + " *";
            case CONST: return "const " + spell(t.target, depth + 1);
            case VOLATILE: return "volatile " + spell(t.target, depth + 1);
            case STRUCT: return "struct " + (t.name == null ? "{...}" : t.name);
            case UNION: return "union " + (t.name == null ? "{...}" : t.name);
            case ENUM: return "enum " + (t.name == null ? "{...}" : t.name);
            case ARRAY: {
                StringBuilder b = new StringBuilder(spell(t.target, depth + 1)).append(' ');
                for (long d : t.dimensions) {
                    b.append('[').append(d >= 0 ? Long.toString(d) : "").append(']');
                }
                return b.toString();
            }
            case FUNCTION: return spell(t.target, depth + 1) + " (...)";
            case VOID: return "void";
            default: return t.name == null ? "?" : t.name;
        }
    }

    @Override
    public String toString() {
        return displayName();
    }
}
