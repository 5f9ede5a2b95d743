package dev.rewind.debug.core.model;

import org.eclipse.debug.core.DebugException;
import org.eclipse.debug.core.model.IDebugTarget;
import org.eclipse.debug.core.model.IValue;
import org.eclipse.debug.core.model.IVariable;

/**
 * A variable that is its own value, as it was at a stop. Read-only: a replay cannot change what
 * happened (the recording would no longer match).
 */
abstract class ReadOnlyValue extends RewindDebugElement implements IVariable, IValue {

    /** What the user tried to change, for the error: "registers", "variables". */
    private final String kind;

    ReadOnlyValue(IDebugTarget target, String kind) {
        super(target);
        this.kind = kind;
    }

    @Override
    public final IValue getValue() {
        return this;
    }

    @Override
    public final boolean hasValueChanged() {
        return false;
    }

    @Override
    public final void setValue(String expression) throws DebugException {
        throw ReplayEngine.error(kind + " of a replay are read-only", null);
    }

    @Override
    public final void setValue(IValue v) throws DebugException {
        throw ReplayEngine.error(kind + " of a replay are read-only", null);
    }

    @Override
    public final boolean supportsValueModification() {
        return false;
    }

    @Override
    public final boolean verifyValue(String expression) {
        return false;
    }

    @Override
    public final boolean verifyValue(IValue v) {
        return false;
    }

    @Override
    public final boolean isAllocated() {
        return true;
    }
}
