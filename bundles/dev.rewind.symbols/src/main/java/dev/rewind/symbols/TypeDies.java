package dev.rewind.symbols;

import static dev.rewind.symbols.DieCodes.AT_BIT_OFFSET;
import static dev.rewind.symbols.DieCodes.AT_BIT_SIZE;
import static dev.rewind.symbols.DieCodes.AT_BYTE_SIZE;
import static dev.rewind.symbols.DieCodes.AT_CONST_VALUE;
import static dev.rewind.symbols.DieCodes.AT_COUNT;
import static dev.rewind.symbols.DieCodes.AT_DATA_BIT_OFFSET;
import static dev.rewind.symbols.DieCodes.AT_DATA_MEMBER_LOCATION;
import static dev.rewind.symbols.DieCodes.AT_ENCODING;
import static dev.rewind.symbols.DieCodes.AT_NAME;
import static dev.rewind.symbols.DieCodes.AT_TYPE;
import static dev.rewind.symbols.DieCodes.AT_UPPER_BOUND;
import static dev.rewind.symbols.DieCodes.TAG_ARRAY;
import static dev.rewind.symbols.DieCodes.TAG_ATOMIC;
import static dev.rewind.symbols.DieCodes.TAG_BASE_TYPE;
import static dev.rewind.symbols.DieCodes.TAG_CONST;
import static dev.rewind.symbols.DieCodes.TAG_ENUMERATION;
import static dev.rewind.symbols.DieCodes.TAG_ENUMERATOR;
import static dev.rewind.symbols.DieCodes.TAG_MEMBER;
import static dev.rewind.symbols.DieCodes.TAG_POINTER;
import static dev.rewind.symbols.DieCodes.TAG_RESTRICT;
import static dev.rewind.symbols.DieCodes.TAG_STRUCTURE;
import static dev.rewind.symbols.DieCodes.TAG_SUBRANGE;
import static dev.rewind.symbols.DieCodes.TAG_SUBROUTINE_TYPE;
import static dev.rewind.symbols.DieCodes.TAG_TYPEDEF;
import static dev.rewind.symbols.DieCodes.TAG_UNION;
import static dev.rewind.symbols.DieCodes.TAG_VOLATILE;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Type DIEs (base, pointer, struct, union, array, enum, qualifiers, typedefs) and their parts
 * (members, subranges, enumerators). References between types may point forwards, so they are
 * kept by DIE offset and linked by {@link #resolve()} once every unit is read.
 */
final class TypeDies {

    /** A type that names another by DIE offset (pointer target, typedef'd type, ...). */
    private record Target(TypeInfo type, long targetRef) {
    }

    /** A struct/union member whose type is known only by DIE offset. */
    private record Member(TypeInfo owner, String name, long offset, long typeRef, long bitSize, long bitOffset) {
    }

    private final Map<Long, TypeInfo> types = new HashMap<>();
    private final List<Target> targets = new ArrayList<>();
    private final List<Member> members = new ArrayList<>();

    static boolean isType(int tag) {
        switch (tag) {
            case TAG_BASE_TYPE: case TAG_POINTER: case TAG_STRUCTURE: case TAG_UNION: case TAG_ARRAY:
            case TAG_ENUMERATION: case TAG_CONST: case TAG_VOLATILE: case TAG_SUBROUTINE_TYPE: case TAG_TYPEDEF:
            case TAG_RESTRICT: case TAG_ATOMIC:
                return true;
            default:
                return false;
        }
    }

    static boolean isTypePart(int tag) {
        return tag == TAG_MEMBER || tag == TAG_SUBRANGE || tag == TAG_ENUMERATOR;
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

    /** The type at a DIE offset, or null. */
    TypeInfo at(long dieOffset) {
        return types.get(dieOffset);
    }

    TypeInfo type(Die d, UnitReader u) throws SymbolsException {
        TypeInfo t = new TypeInfo(kindOf(d.tag()));
        t.name = u.string(d, AT_NAME);
        t.byteSize = d.constant(AT_BYTE_SIZE, t.byteSize);
        int encoding = d.find(AT_ENCODING);
        if (encoding >= 0) {
            t.encoding = (int) d.num(encoding);
        }
        long target = u.reference(d, AT_TYPE);
        if (target >= 0) {
            targets.add(new Target(t, target));
        }
        types.put(d.offset(), t);
        return t;
    }

    /** A member, subrange or enumerator of the type DIE that encloses it ({@code context}). */
    void part(Object context, Die d, UnitReader u) throws SymbolsException {
        if (!(context instanceof TypeInfo)) {
            return;
        }
        TypeInfo owner = (TypeInfo) context;
        if (d.tag() == TAG_SUBRANGE) {
            int count = d.find(AT_COUNT);
            int upper = d.find(AT_UPPER_BOUND);
            long n = -1;
            if (count >= 0 && DwarfForm.isConstant(d.form(count))) {
                n = d.num(count);
            } else if (upper >= 0 && DwarfForm.isConstant(d.form(upper))) {
                n = d.num(upper) + 1;
            }
            owner.dimensions.add(n);
        } else if (d.tag() == TAG_ENUMERATOR) {
            int value = d.find(AT_CONST_VALUE);
            String name = u.string(d, AT_NAME);
            if (value >= 0 && name != null && DwarfForm.isConstant(d.form(value))) {
                owner.enumerators.add(new TypeInfo.Enumerator(name, d.num(value)));
            }
        } else {
            member(owner, d, u);
        }
    }

    private void member(TypeInfo owner, Die d, UnitReader u) throws SymbolsException {
        String name = u.string(d, AT_NAME);
        int location = d.find(AT_DATA_MEMBER_LOCATION);
        long offset = 0;
        if (location >= 0 && DwarfForm.isConstant(d.form(location))) {
            offset = d.num(location);
        } else if (location >= 0 && d.block(location) != null) {
            offset = memberOffset(d.block(location));
        }
        long typeRef = u.reference(d, AT_TYPE);
        long bitSize = d.constant(AT_BIT_SIZE, 0);
        long bitOffset = offset * 8;
        int dataBit = d.find(AT_DATA_BIT_OFFSET);
        int oldBit = d.find(AT_BIT_OFFSET);
        int byteSize = d.find(AT_BYTE_SIZE);
        if (bitSize > 0 && dataBit >= 0 && DwarfForm.isConstant(d.form(dataBit))) {
            bitOffset = d.num(dataBit); // DWARF 4+: from the start of the struct
        } else if (bitSize > 0 && oldBit >= 0 && byteSize >= 0 && DwarfForm.isConstant(d.form(oldBit))) {
            // DWARF 2/3 count from the most significant bit of a byte_size storage unit.
            bitOffset = offset * 8 + d.num(byteSize) * 8 - d.num(oldBit) - bitSize;
        }
        members.add(new Member(owner, name, offset, typeRef, bitSize, bitOffset));
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

    /** Links types and members to the type DIEs they name. */
    void resolve() {
        for (Target t : targets) {
            t.type().target = types.get(t.targetRef());
        }
        for (Member m : members) {
            m.owner().members.add(new TypeInfo.Member(m.name(), m.offset(), types.get(m.typeRef()),
                    (int) Math.max(0, Math.min(64, m.bitSize())), m.bitOffset()));
        }
    }
}
