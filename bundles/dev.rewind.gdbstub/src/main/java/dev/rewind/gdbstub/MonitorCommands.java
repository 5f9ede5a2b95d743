package dev.rewind.gdbstub;

/**
 * Handler for gdb's {@code monitor CMD} (the {@code qRcmd} packet). Called on the session thread
 * while the target is stopped.
 */
@FunctionalInterface
public interface MonitorCommands {

    /**
     * Executes one command line (already hex-decoded, without the word {@code monitor}).
     *
     * @return text to show to the user (may be empty); newlines are passed through
     * @throws TargetException with a user-readable message if the command is unknown or failed;
     *     gdb shows the message and reports the command as failed
     */
    String execute(String commandLine) throws TargetException;
}
