package dev.rewind.cli;

import java.io.InputStream;
import java.io.PrintStream;

/** The streams a command talks to; tests pass in-memory ones. */
public record Console(InputStream in, PrintStream out, PrintStream err) {

    public static Console system() {
        return new Console(System.in, System.out, System.err);
    }
}
