package dev.rewind.symbols;

import java.util.OptionalLong;

/** Renders a variable's value from its type and location, in gdb's notation. */
final class ValueFormatter {
    /** Members and elements beyond these limits are elided, as gdb's print elements limit does. */
    private static final int MAX_ELEMENTS = 200;
    private static final int MAX_DEPTH = 4;

    /** Values rendered per variable at most, so nested arrays of structs stay bounded. */
    private static final int MAX_VALUES = 2000;

    private final MemoryReader memory;
    private final DwarfExpression.Frame frame;
    private int budget;

    ValueFormatter(MemoryReader memory, DwarfExpression.Frame frame) {
        this.memory = memory;
        this.frame = frame;
    }

    String format(TypeInfo type, Location location) {
        budget = MAX_VALUES;
        switch (location.kind()) {
            case VALUE:
                return scalar(type, location.value());
            case REGISTER: {
                Long r = location.value() < 64 ? frame.register((int) location.value()) : null;
                return r == null ? "<optimized out>" : scalar(type, r);
            }
            case MEMORY:
                return memory(type, location.value(), 0, memory);
            case COMPOSITE:
                return composite(type, location);
            default:
                return "<optimized out>";
        }
    }

    /**
     * A value assembled from pieces: its bytes are gathered into a buffer, which is then read
     * as the variable's storage; bytes no piece supplies print as {@code <optimized out>}.
     */
    private String composite(TypeInfo type, Location location) {
        long total = 0;
        for (Location.Piece p : location.pieces()) {
            total += p.size();
        }
        if (total > 4096) {
            return "<optimized out>";
        }
        byte[] bytes = new byte[(int) total];
        boolean[] known = new boolean[(int) total];
        int at = 0;
        for (Location.Piece p : location.pieces()) {
            Location w = p.where();
            for (int i = 0; i < p.size(); i++, at++) {
                Long b = null;
                switch (w.kind()) {
                    case REGISTER: {
                        Long r = w.value() < 64 ? frame.register((int) w.value()) : null;
                        b = r == null || i >= 8 ? null : (r >>> (8 * i)) & 0xff;
                        break;
                    }
                    case VALUE:
                        b = i >= 8 ? 0L : (w.value() >>> (8 * i)) & 0xff;
                        break;
                    case MEMORY: {
                        OptionalLong v = memory.read(w.value() + i, 1);
                        b = v.isPresent() ? v.getAsLong() : null;
                        break;
                    }
                    default:
                        break;
                }
                if (b != null) {
                    bytes[at] = (byte) (long) b;
                    known[at] = true;
                }
            }
        }
        MemoryReader buffer = new MemoryReader() {
            @Override
            public OptionalLong read64(long address) {
                return read(address, 8);
            }

            @Override
            public OptionalLong read(long address, int size) {
                if (address < 0 || address + size > bytes.length) {
                    return OptionalLong.empty();
                }
                long v = 0;
                for (int i = 0; i < size; i++) {
                    if (!known[(int) address + i]) {
                        return OptionalLong.empty();
                    }
                    v |= (bytes[(int) address + i] & 0xffL) << (8 * i);
                }
                return OptionalLong.of(v);
            }
        };
        return memory(type, 0, 0, buffer);
    }

    /** What an unreadable value prints as: missing pieces are optimized out, memory is an error. */
    private String unreadable(MemoryReader source, long address) {
        return source != memory ? "<optimized out>"
                : "<error: Cannot access memory at address 0x" + Long.toHexString(address) + ">";
    }

    private String memory(TypeInfo declared, long address, int depth, MemoryReader source) {
        if (--budget < 0) {
            return "...";
        }
        TypeInfo t = declared == null ? TypeInfo.VOID_TYPE : declared.resolved();
        switch (t.kind()) {
            case STRUCT:
            case UNION: {
                if (depth >= MAX_DEPTH) {
                    return "{...}";
                }
                StringBuilder b = new StringBuilder("{");
                int n = 0;
                for (TypeInfo.Member m : t.members()) {
                    if (n++ > 0) {
                        b.append(", ");
                    }
                    if (n > MAX_ELEMENTS) {
                        b.append("...");
                        break;
                    }
                    b.append(m.name() == null ? "" : m.name() + " = ")
                            .append(m.bitSize() > 0 ? bitField(m, address, source)
                                    : memory(m.type(), address + m.offset(), depth + 1, source));
                }
                return b.append('}').toString();
            }
            case ARRAY: {
                if (depth >= MAX_DEPTH || t.dimensions().size() != 1 || t.target() == null) {
                    return "{...}";
                }
                long count = t.dimensions().get(0);
                long size = t.target().byteSize();
                if (count < 0 || size <= 0) {
                    return "{...}";
                }
                if (isChar(t.target())) {
                    return charArray(address, count, source);
                }
                StringBuilder b = new StringBuilder("{");
                for (long i = 0; i < count; i++) {
                    if (i > 0) {
                        b.append(", ");
                    }
                    if (i >= MAX_ELEMENTS) {
                        b.append("...");
                        break;
                    }
                    b.append(memory(t.target(), address + i * size, depth + 1, source));
                }
                return b.append('}').toString();
            }
            case BASE:
            case POINTER:
            case ENUM: {
                long size = t.byteSize();
                if (size != 1 && size != 2 && size != 4 && size != 8) {
                    return "<unsupported size " + size + ">";
                }
                OptionalLong v = source.read(address, (int) size);
                if (v.isEmpty()) {
                    return unreadable(source, address);
                }
                return scalar(t, v.getAsLong());
            }
            default:
                return "<no value>";
        }
    }

    /** A bit-field member of the struct at {@code address}. */
    private String bitField(TypeInfo.Member m, long address, MemoryReader source) {
        long first = address + (m.bitOffset() >> 3);
        int shift = (int) (m.bitOffset() & 7);
        int bytes = (shift + m.bitSize() + 7) / 8;
        if (bytes > 8) {
            return "<unsupported bit field>";
        }
        long raw = 0;
        for (int i = 0; i < bytes; i++) {
            OptionalLong b = source.read(first + i, 1);
            if (b.isEmpty()) {
                return unreadable(source, first + i);
            }
            raw |= b.getAsLong() << (8 * i);
        }
        long v = raw >>> shift;
        if (m.bitSize() < 64) {
            v &= (1L << m.bitSize()) - 1;
            TypeInfo t = m.type() == null ? TypeInfo.VOID_TYPE : m.type().resolved();
            boolean signed = t.kind() == TypeInfo.Kind.BASE && (t.encoding() == TypeInfo.ATE_SIGNED
                    || t.encoding() == TypeInfo.ATE_SIGNED_CHAR);
            if (signed && (v >>> (m.bitSize() - 1)) != 0) {
                v |= -1L << m.bitSize(); // sign-extend from the field's width
            }
        }
        return plain(m.type(), v);
    }

    /** Formats a value held in a register, as a constant or in memory, truncated to the type's size. */
    private String scalar(TypeInfo declared, long raw) {
        TypeInfo t = declared == null ? TypeInfo.VOID_TYPE : declared.resolved();
        if (t.kind() == TypeInfo.Kind.POINTER && t.target() != null && isChar(t.target()) && raw != 0) {
            return "0x" + Long.toHexString(raw) + " " + charPointer(raw);
        }
        return plain(declared, raw);
    }

    private static boolean isChar(TypeInfo type) {
        TypeInfo t = type.resolved();
        return t.kind() == TypeInfo.Kind.BASE && t.byteSize() == 1
                && (t.encoding() == TypeInfo.ATE_SIGNED_CHAR || t.encoding() == TypeInfo.ATE_UNSIGNED_CHAR);
    }

    /** A NUL-terminated string at {@code address}, at most MAX_ELEMENTS characters, as gdb quotes it. */
    private String charPointer(long address) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < MAX_ELEMENTS; i++) {
            OptionalLong c = memory.read(address + i, 1);
            if (c.isEmpty()) {
                return i == 0 ? "<error: Cannot access memory at address 0x" + Long.toHexString(address) + ">"
                        : b.append("\"...").toString();
            }
            if (c.getAsLong() == 0) {
                return b.append('"').toString();
            }
            escape(b, (int) c.getAsLong(), '"');
        }
        return b.append("\"...").toString();
    }

    /**
     * A char array in gdb's notation: one trailing NUL dropped, runs of more than 10 equal
     * characters shown as {@code 'c' <repeats N times>}, at most MAX_ELEMENTS characters.
     */
    private String charArray(long address, long count, MemoryReader source) {
        int n = (int) Math.min(count, MAX_ELEMENTS);
        int[] chars = new int[n];
        for (int i = 0; i < n; i++) {
            OptionalLong c = source.read(address + i, 1);
            if (c.isEmpty()) {
                return unreadable(source, address + i);
            }
            chars[i] = (int) c.getAsLong();
        }
        boolean truncated = count > n;
        if (!truncated && n > 0 && chars[n - 1] == 0) {
            n--;
        }
        StringBuilder b = new StringBuilder();
        boolean inString = false;
        int i = 0;
        while (i < n) {
            int run = 1;
            while (i + run < n && chars[i + run] == chars[i]) {
                run++;
            }
            if (run > 10) {
                if (inString) {
                    b.append('"');
                    inString = false;
                }
                if (b.length() > 0) {
                    b.append(", ");
                }
                b.append('\'');
                escape(b, chars[i], '\'');
                b.append("' <repeats ").append(run).append(" times>");
                i += run;
                continue;
            }
            if (!inString) {
                if (b.length() > 0) {
                    b.append(", ");
                }
                b.append('"');
                inString = true;
            }
            escape(b, chars[i], '"');
            i++;
        }
        if (inString) {
            b.append('"');
        }
        if (b.length() == 0) {
            b.append("\"\"");
        }
        return truncated ? b.append("...").toString() : b.toString();
    }

    /** Appends a character as gdb writes it inside {@code quote}s. */
    private static void escape(StringBuilder b, int c, char quote) {
        switch (c) {
            case 7: b.append("\\a"); return;
            case 8: b.append("\\b"); return;
            case 9: b.append("\\t"); return;
            case 10: b.append("\\n"); return;
            case 11: b.append("\\v"); return;
            case 12: b.append("\\f"); return;
            case 13: b.append("\\r"); return;
            case 27: b.append("\\033"); return;
            default: break;
        }
        if (c == quote || c == '\\') {
            b.append('\\').append((char) c);
        } else if (c >= 0x20 && c < 0x7f) {
            b.append((char) c);
        } else {
            b.append(String.format("\\%03o", c & 0xff));
        }
    }

    /** Formats a scalar without following pointers. */
    static String plain(TypeInfo declared, long raw) {
        TypeInfo t = declared == null ? TypeInfo.VOID_TYPE : declared.resolved();
        long size = t.byteSize();
        long v = size > 0 && size < 8 ? raw & ((1L << (8 * size)) - 1) : raw;
        switch (t.kind()) {
            case POINTER:
                return "0x" + Long.toHexString(v);
            case ENUM:
                for (TypeInfo.Enumerator e : t.enumerators()) {
                    if (e.value() == v || e.value() == signExtend(v, size)) {
                        return e.name();
                    }
                }
                return Long.toString(signExtend(v, size));
            case BASE:
                switch (t.encoding()) {
                    case TypeInfo.ATE_BOOLEAN:
                        return v != 0 ? "true" : "false";
                    case TypeInfo.ATE_FLOAT:
                        if (size == 4) {
                            return floating(Float.intBitsToFloat((int) v), 9);
                        }
                        return size == 8 ? floating(Double.longBitsToDouble(v), 17) : "<unsupported float>";
                    case TypeInfo.ATE_SIGNED_CHAR:
                        return signExtend(v, size) + " " + character(v);
                    case TypeInfo.ATE_UNSIGNED_CHAR:
                        return v + " " + character(v);
                    case TypeInfo.ATE_UNSIGNED:
                        return Long.toUnsignedString(v);
                    default:
                        return Long.toString(signExtend(v, size));
                }
            default:
                return "0x" + Long.toHexString(v);
        }
    }

    /**
     * C's {@code %.<digits>g} of the exact binary value, which is how gdb prints floating
     * point (9 significant digits for float, 17 for double).
     */
    static String floating(double d, int digits) {
        if (Double.isNaN(d)) {
            return "nan(0x" + Long.toHexString(Double.doubleToRawLongBits(d) & 0xfffffffffffffL) + ")";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (Double.doubleToRawLongBits(d) < 0) ? "-0" : "0";
        }
        java.math.BigDecimal exact = new java.math.BigDecimal(d).round(
                new java.math.MathContext(digits, java.math.RoundingMode.HALF_EVEN));
        int exponent = exact.precision() - exact.scale() - 1;
        if (exponent < -4 || exponent >= digits) {
            String mantissa = exact.unscaledValue().abs().toString();
            StringBuilder b = new StringBuilder(d < 0 ? "-" : "").append(mantissa.charAt(0));
            String rest = stripZeros(mantissa.substring(1));
            if (!rest.isEmpty()) {
                b.append('.').append(rest);
            }
            return b.append('e').append(exponent < 0 ? '-' : '+')
                    .append(String.format("%02d", Math.abs(exponent))).toString();
        }
        String plain = exact.setScale(Math.max(digits - 1 - exponent, 0), java.math.RoundingMode.HALF_EVEN)
                .toPlainString();
        if (plain.indexOf('.') >= 0) {
            plain = stripZeros(plain);
            if (plain.endsWith(".")) {
                plain = plain.substring(0, plain.length() - 1);
            }
        }
        return plain;
    }

    private static String stripZeros(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '0') {
            end--;
        }
        return s.substring(0, end);
    }

    private static long signExtend(long v, long size) {
        if (size <= 0 || size >= 8) {
            return v;
        }
        int shift = 64 - (int) (8 * size);
        return (v << shift) >> shift;
    }

    private static String character(long v) {
        StringBuilder b = new StringBuilder("'");
        escape(b, (int) (v & 0xff), '\'');
        return b.append('\'').toString();
    }
}
