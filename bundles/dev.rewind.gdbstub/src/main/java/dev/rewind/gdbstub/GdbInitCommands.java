package dev.rewind.gdbstub;

/**
 * gdb commands a client should run after {@code target remote} (CLI users via {@code source}, CDT
 * via its launch's initialization commands).
 *
 * <p>gdb keeps its register cache across {@code monitor} commands, so a monitor command that
 * moves the target (e.g. {@code replay_seek}) would leave gdb showing the old registers; the hook
 * flushes the cache after every monitor command.
 */
public final class GdbInitCommands {

    private GdbInitCommands() {
    }

    /** The script text, newline-terminated. */
    public static String text() {
        return "define hookpost-monitor\n"
                + "maintenance flush register-cache\n"
                + "end\n";
    }
}
