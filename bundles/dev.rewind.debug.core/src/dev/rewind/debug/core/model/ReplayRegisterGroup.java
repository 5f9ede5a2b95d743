package dev.rewind.debug.core.model;

import org.eclipse.debug.core.model.IRegister;
import org.eclipse.debug.core.model.IRegisterGroup;

/** A named group of registers of one frame. */
final class ReplayRegisterGroup extends RewindDebugElement implements IRegisterGroup {

    private final String name;
    private final IRegister[] registers;

    ReplayRegisterGroup(ReplayStackFrame frame, String name, IRegister[] registers) {
        super(frame.getDebugTarget());
        this.name = name;
        this.registers = registers;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public IRegister[] getRegisters() {
        return registers.clone();
    }

    @Override
    public boolean hasRegisters() {
        return registers.length > 0;
    }
}
