package dev.rewind.cli.demo;

import java.util.List;

/**
 * The time-travel walk of {@code rewind demo} on the sample program, in gdb syntax. Both
 * drivers (real gdb, or the in-process engine) play exactly these commands.
 */
public final class DemoScript {

    private DemoScript() {
    }

    /** Commands; those without a stop (setting breakpoints) are prefixed with "!". */
    public static List<String> commands() {
        return List.of(
                "!break add_square",
                "continue",
                "continue",
                "reverse-stepi",
                "reverse-continue",
                "!delete",
                "!break report",
                "continue",
                "next",
                "next",
                "reverse-next",
                "!delete",
                "reverse-finish",
                "!watch total",
                "reverse-continue",
                "!delete",
                "continue");
    }
}
