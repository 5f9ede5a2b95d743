package dev.rewind.symbols;

/** A variable's DW_AT_location (one expression or a pc-dependent list) or DW_AT_const_value. */
final class LocationSource {
    private final byte[] expression;
    private final long list;
    private final boolean listIsIndex;
    private final UnitContext unit;
    private final Long constant;

    private LocationSource(byte[] expression, long list, boolean listIsIndex, UnitContext unit, Long constant) {
        this.expression = expression;
        this.list = list;
        this.listIsIndex = listIsIndex;
        this.unit = unit;
        this.constant = constant;
    }

    static LocationSource expression(byte[] expr, UnitContext unit) {
        return new LocationSource(expr, -1, false, unit, null);
    }

    static LocationSource list(long offset, boolean isIndex, UnitContext unit) {
        return new LocationSource(null, offset, isIndex, unit, null);
    }

    static LocationSource constant(long value) {
        return new LocationSource(null, -1, false, null, value);
    }

    /** Where the variable is at {@code pc} in {@code frame}. */
    Location at(long pc, byte[] frameBase, DwarfExpression.Frame frame) {
        if (constant != null) {
            return Location.value(constant);
        }
        byte[] expr = expression;
        if (expr == null) {
            try {
                expr = unit.listEntryAt(list, listIsIndex, pc);
            } catch (SymbolsException e) {
                return Location.UNAVAILABLE;
            }
        }
        return expr == null ? Location.UNAVAILABLE : DwarfExpression.evaluate(expr, frameBase, frame, unit);
    }
}
