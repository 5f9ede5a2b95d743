package dev.rewind.debug.core.commands;

import org.eclipse.debug.core.commands.IDebugCommandHandler;

/** Goes back to the call of the current function, in its caller (CDT calls this "uncall"). */
public interface IReverseStepReturnHandler extends IDebugCommandHandler {
}
