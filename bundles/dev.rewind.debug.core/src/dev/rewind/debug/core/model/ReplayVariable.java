package dev.rewind.debug.core.model;

import org.eclipse.debug.core.model.IVariable;

import dev.rewind.symbols.VariableValue;

/**
 * A C variable as it was at a stop, formatted as gdb prints it; or a group of variables (the
 * program's globals) whose value has them as children. Read-only, as the whole replay is.
 */
public final class ReplayVariable extends ReadOnlyValue {

    private final String name;
    private final String type;
    private final String value;
    private final IVariable[] children;

    ReplayVariable(ReplayTarget target, VariableValue v) {
        this(target, v.name(), v.type(), v.value(), new IVariable[0]);
    }

    ReplayVariable(ReplayTarget target, String name, String type, String value, IVariable[] children) {
        super(target, "variables");
        this.name = name;
        this.type = type;
        this.value = value;
        this.children = children;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public String getReferenceTypeName() {
        return type;
    }

    @Override
    public String getValueString() {
        return value;
    }

    @Override
    public IVariable[] getVariables() {
        return children.clone();
    }

    @Override
    public boolean hasVariables() {
        return children.length > 0;
    }
}
