package dev.rewind.symbols;

/** A place in a source file: the resolved path (directory joined as the line table says) and a 1-based line. */
public record SourceLocation(String path, int line) {

    /** The last path component, e.g. {@code "main.c"}. */
    public String fileName() {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return path.substring(slash + 1);
    }

    @Override
    public String toString() {
        return path + ":" + line;
    }
}
