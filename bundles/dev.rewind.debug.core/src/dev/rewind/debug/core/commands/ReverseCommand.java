package dev.rewind.debug.core.commands;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IAdaptable;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.debug.core.IRequest;
import org.eclipse.debug.core.commands.AbstractDebugCommand;
import org.eclipse.debug.core.commands.IEnabledStateRequest;
import org.eclipse.debug.core.model.IDebugElement;
import org.eclipse.debug.core.model.IStackFrame;

import dev.rewind.debug.core.model.HartThread;
import dev.rewind.debug.core.model.ReplayTarget;

/**
 * One reverse movement, as a debug command: enabled when every selected element belongs to a
 * suspended Rewind replay; executing it starts the movement on the target's engine thread.
 */
public abstract class ReverseCommand extends AbstractDebugCommand {

    public enum Movement {
        RESUME, STEP_INTO, STEP_OVER, STEP_RETURN
    }

    private final Movement movement;

    ReverseCommand(Movement movement) {
        this.movement = movement;
    }

    public static ReverseCommand of(Movement m) {
        return switch (m) {
            case RESUME -> new Resume();
            case STEP_INTO -> new StepInto();
            case STEP_OVER -> new StepOver();
            case STEP_RETURN -> new StepReturn();
        };
    }

    /** A hart's thread (or one of its frames) is the command's target, so it moves that hart; else the replay. */
    @Override
    protected Object getTarget(Object element) {
        if (element instanceof HartThread h) {
            return h;
        }
        if (element instanceof IStackFrame f && f.getThread() instanceof HartThread h) {
            return h;
        }
        if (element instanceof IDebugElement e && e.getDebugTarget() instanceof ReplayTarget t) {
            return t;
        }
        if (element instanceof IAdaptable a) {
            return a.getAdapter(ReplayTarget.class);
        }
        return null;
    }

    @Override
    protected boolean isExecutable(Object[] targets, IProgressMonitor monitor, IEnabledStateRequest request) {
        for (Object t : targets) {
            if (!(t instanceof HartThread h ? h.canStepInto() : ((ReplayTarget) t).canMove())) {
                return false;
            }
        }
        return targets.length > 0;
    }

    @Override
    protected void doExecute(Object[] targets, IProgressMonitor monitor, IRequest request) throws CoreException {
        for (Object t : targets) {
            if (t instanceof HartThread h) {
                h.reverse(movement);
                continue;
            }
            ReplayTarget target = (ReplayTarget) t;
            switch (movement) {
                case RESUME -> target.reverseResume();
                case STEP_INTO -> target.reverseStepInto();
                case STEP_OVER -> target.reverseStepOver();
                case STEP_RETURN -> target.reverseStepReturn();
            }
        }
    }

    static final class Resume extends ReverseCommand implements IReverseResumeHandler {
        Resume() {
            super(Movement.RESUME);
        }
    }

    static final class StepInto extends ReverseCommand implements IReverseStepIntoHandler {
        StepInto() {
            super(Movement.STEP_INTO);
        }
    }

    static final class StepOver extends ReverseCommand implements IReverseStepOverHandler {
        StepOver() {
            super(Movement.STEP_OVER);
        }
    }

    static final class StepReturn extends ReverseCommand implements IReverseStepReturnHandler {
        StepReturn() {
            super(Movement.STEP_RETURN);
        }
    }
}
