package dev.rewind.replay.query;

/** A query stopped because its {@link Progress} said so; it has no partial answer. */
public final class QueryCancelledException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public QueryCancelledException() {
        super("query cancelled");
    }
}
