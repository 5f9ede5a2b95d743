package dev.rewind.symbols;

/**
 * One row of the call frame table: how to compute the CFA and where the caller's registers
 * are, at a particular pc. Register numbers are DWARF numbers (RISC-V: x0-x31 = 0-31).
 */
public final class UnwindRules {
    public static final byte SAME_VALUE = 0;
    public static final byte UNDEFINED = 1;
    /** Saved at CFA + value. */
    public static final byte OFFSET = 2;
    /** The caller's value is CFA + value itself. */
    public static final byte VAL_OFFSET = 3;
    /** The caller's value is in register number value. */
    public static final byte REGISTER = 4;
    /** Described by a DWARF expression, which this unwinder does not evaluate. */
    public static final byte UNSUPPORTED = 5;

    private final int cfaRegister;
    private final long cfaOffset;
    private final byte[] kinds;
    private final long[] values;
    private final int returnAddressRegister;

    UnwindRules(int cfaRegister, long cfaOffset, byte[] kinds, long[] values, int returnAddressRegister) {
        this.cfaRegister = cfaRegister;
        this.cfaOffset = cfaOffset;
        this.kinds = kinds.clone();
        this.values = values.clone();
        this.returnAddressRegister = returnAddressRegister;
    }

    public int cfaRegister() {
        return cfaRegister;
    }

    public long cfaOffset() {
        return cfaOffset;
    }

    /** The column holding the return address (1, ra, for RISC-V). */
    public int returnAddressRegister() {
        return returnAddressRegister;
    }

    /** The rule kind for {@code register}; SAME_VALUE for registers beyond the tracked columns. */
    public byte kind(int register) {
        return register >= 0 && register < kinds.length ? kinds[register] : SAME_VALUE;
    }

    /** The rule's operand (offset or register number). */
    public long value(int register) {
        return register >= 0 && register < values.length ? values[register] : 0;
    }
}
