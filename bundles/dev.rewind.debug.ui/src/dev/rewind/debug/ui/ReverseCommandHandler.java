package dev.rewind.debug.ui;

import org.eclipse.debug.ui.actions.DebugCommandHandler;

import dev.rewind.debug.core.commands.IReverseResumeHandler;
import dev.rewind.debug.core.commands.IReverseStepIntoHandler;
import dev.rewind.debug.core.commands.IReverseStepOverHandler;
import dev.rewind.debug.core.commands.IReverseStepReturnHandler;

/**
 * Handlers of the reverse commands: the Platform's debug command machinery finds the model's
 * handler for the selected debug context and keeps the button enabled only while it can run.
 */
public abstract class ReverseCommandHandler extends DebugCommandHandler {

    public static final class Resume extends ReverseCommandHandler {
        @Override
        protected Class<?> getCommandType() {
            return IReverseResumeHandler.class;
        }
    }

    public static final class StepInto extends ReverseCommandHandler {
        @Override
        protected Class<?> getCommandType() {
            return IReverseStepIntoHandler.class;
        }
    }

    public static final class StepOver extends ReverseCommandHandler {
        @Override
        protected Class<?> getCommandType() {
            return IReverseStepOverHandler.class;
        }
    }

    public static final class StepReturn extends ReverseCommandHandler {
        @Override
        protected Class<?> getCommandType() {
            return IReverseStepReturnHandler.class;
        }
    }
}
