package dev.rewind.debug.core.commands;

import org.eclipse.debug.core.commands.IDebugCommandHandler;

/** Goes back to the start of the previous source line of the same function, over calls made since. */
public interface IReverseStepOverHandler extends IDebugCommandHandler {
}
