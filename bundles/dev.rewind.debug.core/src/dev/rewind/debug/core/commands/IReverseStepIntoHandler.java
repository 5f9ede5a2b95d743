package dev.rewind.debug.core.commands;

import org.eclipse.debug.core.commands.IDebugCommandHandler;

/** Goes back to the start of the previous source line, entering functions that returned on the way. */
public interface IReverseStepIntoHandler extends IDebugCommandHandler {
}
