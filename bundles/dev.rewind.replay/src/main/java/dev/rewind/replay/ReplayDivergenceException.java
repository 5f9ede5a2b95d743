package dev.rewind.replay;

/**
 * The replayed machine no longer does what the recorded one did: its input requests, or its
 * state digest, differ from the log at {@link #icount()}.
 */
public class ReplayDivergenceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long icount;

    public ReplayDivergenceException(long icount, String detail) {
        super("replay diverged at icount " + icount + ": " + detail);
        this.icount = icount;
    }

    public long icount() {
        return icount;
    }
}
