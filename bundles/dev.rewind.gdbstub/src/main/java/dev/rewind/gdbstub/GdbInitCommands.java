package dev.rewind.gdbstub;

/**
 * gdb commands a client should run after {@code target remote} (CLI users via {@code source}, CDT
 * via its launch's initialization commands).
 *
 * <p>gdb keeps its register cache across {@code monitor} commands, so a monitor command that
 * moves the target (e.g. {@code replay_seek}) would leave gdb showing the old registers; the hook
 * flushes the cache after every monitor command.
 *
 * <p>With several harts (threads), a reverse step ({@code bs}) names no thread: gdb says which one
 * only through {@code Hc}, and only when it resumes that thread alone. {@code scheduler-locking
 * step} makes it do so for stepi/step/next in both directions (the other harts still run their
 * turns: the interleaving is fixed), while continue resumes them all.
 */
public final class GdbInitCommands {

    private GdbInitCommands() {
    }

    /** The script text, newline-terminated. */
    public static String text() {
        return "define hookpost-monitor\n"
                + "maintenance flush register-cache\n"
                + "end\n"
                + "set scheduler-locking step\n";
    }
}
