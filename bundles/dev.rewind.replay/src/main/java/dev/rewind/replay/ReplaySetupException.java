package dev.rewind.replay;

/** A recording or replay cannot start as asked; the message names what to change. */
public class ReplaySetupException extends Exception {
    private static final long serialVersionUID = 1L;

    public ReplaySetupException(String message) {
        super(message);
    }

    public ReplaySetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
