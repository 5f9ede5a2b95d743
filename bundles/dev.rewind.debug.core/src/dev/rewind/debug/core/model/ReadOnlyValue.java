package dev.rewind.debug.core.model;

import org.eclipse.debug.core.DebugException;
import org.eclipse.debug.core.model.IDebugTarget;
import org.eclipse.debug.core.model.IValue;
import org.eclipse.debug.core.model.IVariable;

/**
 * A variable that is its own value, as it was at a stop. Read-only: a replay cannot change what
 * happened (the recording would no longer match). The views still offer to edit it, so that a
 * user who tries is told why not: the Variables and Registers views call verifyValue and then
 * setValue, and show setValue's refusal in a dialog; a variable that does not support
 * modification would merely ignore the edit, and a false verifyValue would call the value invalid.
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
        throw ReplayEngine.readOnly(kind);
    }

    @Override
    public final void setValue(IValue v) throws DebugException {
        throw ReplayEngine.readOnly(kind);
    }

    @Override
    public final boolean supportsValueModification() {
        return true;
    }

    @Override
    public final boolean verifyValue(String expression) {
        return true; // the text is not the problem: setValue says what is
    }

    @Override
    public final boolean verifyValue(IValue v) {
        return true;
    }

    @Override
    public final boolean isAllocated() {
        return true;
    }
}
