package dev.rewind.replay;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A guest's console output as it arrives (from a QEMU process or a Rewind machine), which a
 * typist thread can wait on. Test code: waits with the wall clock.
 */
final class GuestConsole {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private boolean closed;

    /** The stream the producer writes the guest's output to. */
    OutputStream sink() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                append(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                append(b, off, len);
            }
        };
    }

    synchronized void append(byte[] b, int off, int len) {
        bytes.write(b, off, len);
        notifyAll();
    }

    /** No more output will come (the producer ended): waits fail at once. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    synchronized byte[] bytes() {
        return bytes.toByteArray();
    }

    synchronized String text() {
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Waits until {@code awaited} appears at or after character {@code from}; returns the index
     * just past it.
     *
     * @throws AssertionError naming the awaited text and the output so far, on timeout or end of output
     */
    synchronized int waitFor(String awaited, int from, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int at = text().indexOf(awaited, from);
            if (at >= 0) {
                return at + awaited.length();
            }
            long left = deadline - System.nanoTime();
            if (closed || left <= 0) {
                throw new AssertionError((closed ? "the console ended" : "no '" + printable(awaited) + "' within " + timeout)
                        + " while waiting for '" + printable(awaited) + "'; output so far:\n" + text());
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    static String printable(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n").replace("\b", "\\b").replace("\u001b", "\\e");
    }

    /** The text with control characters spelled out, one console line per line (for failure messages). */
    static String visible(String s) {
        return printable(s).replace("\\n", "\\n\n");
    }
}
