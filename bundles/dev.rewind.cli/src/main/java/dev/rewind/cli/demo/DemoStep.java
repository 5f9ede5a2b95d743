package dev.rewind.cli.demo;

/**
 * One stop of the scripted time-travel session, as the transcript prints it.
 *
 * @param command  what the user would type (gdb syntax)
 * @param reason   why it stopped ("breakpoint", "watchpoint total: 1 -> 0", "start of history" ...)
 * @param function function at the stop, or "?"
 * @param file     source file name, or null
 * @param line     source line, or 0
 * @param icount   position in the recording
 */
public record DemoStep(String command, String reason, String function, String file, int line, long icount) {

    String format() {
        String where = function + (file != null ? " at " + file + ":" + line : "");
        return String.format("  %-26s -> %-34s icount %,d%s", command, where, icount,
                reason == null || reason.isEmpty() ? "" : "   [" + reason + "]");
    }
}
