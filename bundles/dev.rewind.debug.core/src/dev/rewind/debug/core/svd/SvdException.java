package dev.rewind.debug.core.svd;

/** A problem in an SVD file, at a line of it. */
public final class SvdException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;

    public SvdException(String source, int line, String message) {
        super(source + ":" + line + ": " + message);
        this.source = source;
        this.line = line;
    }

    /** The file (as given to the reader). */
    public String source() {
        return source;
    }

    /** 1-based line of the element at fault. */
    public int line() {
        return line;
    }
}
