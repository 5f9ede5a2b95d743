package dev.rewind.debug.core.model;

import org.eclipse.debug.core.model.IRegister;
import org.eclipse.debug.core.model.IRegisterGroup;
import org.eclipse.debug.core.model.IVariable;

/** A register as it was at a stop (read-only, as the whole replay is). */
public final class ReplayRegister extends ReadOnlyValue implements IRegister {

    private final ReplayStackFrame frame;
    private final String name;
    private final long value;
    private final String note;
    private final IVariable[] fields;
    /** An f register: shown as its double and its NaN-boxed single. */
    private final boolean floating;

    ReplayRegister(ReplayStackFrame frame, String name, long value, String note) {
        this(frame, name, value, note, new IVariable[0]);
    }

    /** A register whose bit fields show as its children (the CSRs a developer reads field by field). */
    ReplayRegister(ReplayStackFrame frame, String name, long value, String note, IVariable[] fields) {
        this(frame, name, value, note, fields, false);
    }

    private ReplayRegister(ReplayStackFrame frame, String name, long value, String note, IVariable[] fields,
            boolean floating) {
        super(frame.getDebugTarget(), "registers");
        this.frame = frame;
        this.name = name;
        this.value = value;
        this.note = note;
        this.fields = fields;
        this.floating = floating;
    }

    /** An f register (64 bits; a single precision value NaN-boxed in the upper half). */
    static ReplayRegister floating(ReplayStackFrame frame, String name, long bits) {
        return new ReplayRegister(frame, name, bits, null, new IVariable[0], true);
    }

    public long longValue() {
        return value;
    }

    @Override
    public IRegisterGroup getRegisterGroup() {
        for (IRegisterGroup g : frame.getRegisterGroups()) {
            for (var r : ((ReplayRegisterGroup) g).getRegisters()) {
                if (r == this) {
                    return g;
                }
            }
        }
        return null;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public String getReferenceTypeName() {
        return floating ? "float64" : "uint64";
    }

    // ---- the value ----

    @Override
    public String getValueString() {
        String hex = String.format("0x%016x", value);
        if (floating) {
            // As gdb's riscv_double union: the double, and the single when NaN-boxed.
            String single = (value >>> 32) == 0xffffffffL ? ", float " + Float.intBitsToFloat((int) value) : "";
            return hex + " (double " + Double.longBitsToDouble(value) + single + ")";
        }
        return note == null ? hex + " (" + value + ")" : hex + " (" + value + ", " + note + ")";
    }

    @Override
    public IVariable[] getVariables() {
        return fields.clone();
    }

    @Override
    public boolean hasVariables() {
        return fields.length > 0;
    }
}
