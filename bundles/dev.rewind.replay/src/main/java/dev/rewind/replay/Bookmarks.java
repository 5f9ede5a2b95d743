package dev.rewind.replay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Named positions of a recording, kept beside it in {@code RUN.rrlog.bookmarks} so that every
 * tool that opens the recording (gdb's {@code monitor bookmark}, the Eclipse Timeline) sees
 * them. One line per bookmark, {@code NAME ICOUNT}, sorted by name; written whole to a temporary
 * file and moved over the old one, so a crash never leaves half a file.
 */
public final class Bookmarks {

    private final Path file;
    private final TreeMap<String, Long> marks = new TreeMap<>();

    private Bookmarks(Path file) {
        this.file = file;
    }

    /** The file that holds a recording's bookmarks. */
    public static Path fileFor(Path logFile) {
        return logFile.resolveSibling(logFile.getFileName() + ".bookmarks");
    }

    /**
     * Reads the bookmarks of a recording (none if it has no file yet).
     *
     * @throws IOException if the file cannot be read or a line is not {@code NAME ICOUNT} (the
     *     message names file and line; the file is left as it is)
     */
    public static Bookmarks of(Path logFile) throws IOException {
        Bookmarks b = new Bookmarks(fileFor(logFile));
        if (!Files.exists(b.file)) {
            return b;
        }
        List<String> lines = Files.readAllLines(b.file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] w = line.split("\\s+");
            long icount;
            try {
                icount = w.length == 2 ? Long.parseLong(w[1]) : -1;
            } catch (NumberFormatException e) {
                icount = -1;
            }
            if (icount < 0) {
                throw new IOException(b.file + ":" + (i + 1) + ": expected 'NAME ICOUNT', found '" + line + "'");
            }
            b.marks.put(w[0], icount);
        }
        return b;
    }

    /** Checks a name: one word (no white space, as gdb's monitor passes it) not starting with a digit (that is an icount). */
    public static void checkName(String name) {
        if (name == null || name.isEmpty() || !name.chars().noneMatch(Character::isWhitespace)
                || Character.isDigit(name.charAt(0))) {
            throw new IllegalArgumentException("a bookmark name is one word without spaces that does not start with a digit: '"
                    + name + "'");
        }
    }

    /** Sets (or moves) bookmark {@code name} to {@code icount} and writes the file. */
    public void set(String name, long icount) throws IOException {
        checkName(name);
        if (icount < 0) {
            throw new IllegalArgumentException("icount must not be negative: " + icount);
        }
        Long old = marks.put(name, icount);
        try {
            save();
        } catch (IOException e) {
            if (old == null) {
                marks.remove(name);
            } else {
                marks.put(name, old);
            }
            throw e;
        }
    }

    /** Removes bookmark {@code name}; returns false if there was none. */
    public boolean remove(String name) throws IOException {
        Long old = marks.remove(name);
        if (old == null) {
            return false;
        }
        try {
            save();
        } catch (IOException e) {
            marks.put(name, old);
            throw e;
        }
        return true;
    }

    public OptionalLong get(String name) {
        Long v = marks.get(name);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /** All bookmarks, by name. */
    public SortedMap<String, Long> all() {
        return Collections.unmodifiableSortedMap(marks);
    }

    public Path file() {
        return file;
    }

    private void save() throws IOException {
        List<String> lines = new ArrayList<>();
        marks.forEach((n, i) -> lines.add(n + " " + i));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
