package dev.rewind.debug.core.model;

import org.eclipse.debug.core.model.DebugElement;
import org.eclipse.debug.core.model.IDebugTarget;

import dev.rewind.debug.core.RewindDebugCore;
import dev.rewind.debug.core.commands.IReverseResumeHandler;
import dev.rewind.debug.core.commands.IReverseStepIntoHandler;
import dev.rewind.debug.core.commands.IReverseStepOverHandler;
import dev.rewind.debug.core.commands.IReverseStepReturnHandler;
import dev.rewind.debug.core.commands.ReverseCommand;

/** Common base of Rewind's debug elements: the model id, and the reverse command handlers as adapters. */
abstract class RewindDebugElement extends DebugElement {

    private static final ReverseCommand REVERSE_RESUME = ReverseCommand.of(ReverseCommand.Movement.RESUME);
    private static final ReverseCommand REVERSE_STEP_INTO = ReverseCommand.of(ReverseCommand.Movement.STEP_INTO);
    private static final ReverseCommand REVERSE_STEP_OVER = ReverseCommand.of(ReverseCommand.Movement.STEP_OVER);
    private static final ReverseCommand REVERSE_STEP_RETURN = ReverseCommand.of(ReverseCommand.Movement.STEP_RETURN);

    RewindDebugElement(IDebugTarget target) {
        super(target);
    }

    @Override
    public String getModelIdentifier() {
        return RewindDebugCore.MODEL_ID;
    }

    ReplayTarget replay() {
        return (ReplayTarget) getDebugTarget();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getAdapter(Class<T> adapter) {
        if (adapter == IReverseResumeHandler.class) {
            return (T) REVERSE_RESUME;
        }
        if (adapter == IReverseStepIntoHandler.class) {
            return (T) REVERSE_STEP_INTO;
        }
        if (adapter == IReverseStepOverHandler.class) {
            return (T) REVERSE_STEP_OVER;
        }
        if (adapter == IReverseStepReturnHandler.class) {
            return (T) REVERSE_STEP_RETURN;
        }
        if (adapter == ReplayTarget.class) {
            return (T) getDebugTarget();
        }
        return super.getAdapter(adapter);
    }
}
