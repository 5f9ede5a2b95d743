package dev.rewind.debug.core.commands;

import org.eclipse.debug.core.commands.IDebugCommandHandler;

/** Runs backwards to the previous breakpoint hit, or to the beginning of the recorded history. */
public interface IReverseResumeHandler extends IDebugCommandHandler {
}
