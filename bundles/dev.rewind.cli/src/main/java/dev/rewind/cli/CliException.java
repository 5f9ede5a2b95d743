package dev.rewind.cli;

/** A problem the user can act on: printed as one line, exit code 2, no stack trace. */
public class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
