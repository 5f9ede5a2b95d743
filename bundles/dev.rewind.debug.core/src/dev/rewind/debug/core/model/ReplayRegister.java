package dev.rewind.debug.core.model;

import org.eclipse.debug.core.DebugException;
import org.eclipse.debug.core.model.IRegister;
import org.eclipse.debug.core.model.IRegisterGroup;
import org.eclipse.debug.core.model.IValue;
import org.eclipse.debug.core.model.IVariable;

/**
 * A register as it was at a stop. Read-only: a replay cannot change what happened (the
 * recording would no longer match).
 */
public final class ReplayRegister extends RewindDebugElement implements IRegister, IValue {

    private final ReplayStackFrame frame;
    private final String name;
    private final long value;
    private final String note;

    ReplayRegister(ReplayStackFrame frame, String name, long value, String note) {
        super(frame.getDebugTarget());
        this.frame = frame;
        this.name = name;
        this.value = value;
        this.note = note;
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
    public IValue getValue() {
        return this;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public String getReferenceTypeName() {
        return "uint64";
    }

    @Override
    public boolean hasValueChanged() {
        return false;
    }

    @Override
    public void setValue(String expression) throws DebugException {
        throw ReplayEngine.error("registers of a replay are read-only", null);
    }

    @Override
    public void setValue(IValue v) throws DebugException {
        throw ReplayEngine.error("registers of a replay are read-only", null);
    }

    @Override
    public boolean supportsValueModification() {
        return false;
    }

    @Override
    public boolean verifyValue(String expression) {
        return false;
    }

    @Override
    public boolean verifyValue(IValue v) {
        return false;
    }

    // ---- IValue ----

    @Override
    public String getValueString() {
        String hex = String.format("0x%016x", value);
        return note == null ? hex + " (" + value + ")" : hex + " (" + value + ", " + note + ")";
    }

    @Override
    public boolean isAllocated() {
        return true;
    }

    @Override
    public IVariable[] getVariables() {
        return new IVariable[0];
    }

    @Override
    public boolean hasVariables() {
        return false;
    }
}
