package dev.rewind.replay;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What the files kept beside a recording's log share (the query index, the code-page index): a
 * key that ties them to the log's exact bytes, and replacing one whole, so that a reader never
 * sees half of it.
 */
public final class SidecarFile {

    private SidecarFile() {
    }

    /** A log's size and SHA-256 (hex). */
    public record Digest(long size, String sha256) {
    }

    public static Digest digest(Path log) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long size = 0;
        try (InputStream in = Files.newInputStream(log)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0;) {
                sha.update(buf, 0, n);
                size += n;
            }
        }
        return new Digest(size, HexFormat.of().formatHex(sha.digest()));
    }

    /** Where this process writes {@code file} before {@link #replace}: a name of its own beside it. */
    public static Path temporary(Path file) {
        return file.resolveSibling(file.getFileName() + ".tmp" + ProcessHandle.current().pid());
    }

    /** Moves the written {@code tmp} over {@code file} in one step where the file system can. */
    public static void replace(Path tmp, Path file) throws IOException {
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
