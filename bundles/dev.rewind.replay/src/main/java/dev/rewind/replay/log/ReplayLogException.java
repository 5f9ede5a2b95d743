package dev.rewind.replay.log;

import java.io.IOException;

/** A replay log that cannot be used: the message says what is wrong and where (byte offset). */
public class ReplayLogException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long offset;

    public ReplayLogException(String message, long offset) {
        super(offset >= 0 ? message + " (at byte " + offset + ")" : message);
        this.offset = offset;
    }

    /** File offset of the problem, or -1 when it has none. */
    public long offset() {
        return offset;
    }
}
