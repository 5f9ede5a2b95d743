package dev.rewind.replay.query;

/**
 * How a long query reports how far it got and learns that it should stop. Work is counted in
 * instructions replayed; {@link #cancelled()} is polled between replay chunks.
 */
public interface Progress {

    /** Reports nothing and never cancels. */
    Progress NONE = new Progress() {
        @Override
        public void worked(long done, long total) {
        }

        @Override
        public boolean cancelled() {
            return false;
        }
    };

    void worked(long done, long total);

    boolean cancelled();
}
