package dev.rewind.replay;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * The guest's UART output along the timeline. A replay is deterministic, so the output is one
 * sequence; this keeps all of it produced so far and a cursor: the output up to the current
 * position. Reverse jumps move the cursor back, forward
 * jumps (a later snapshot) move it forward, and bytes the guest writes again while replaying a
 * known stretch only advance it. New bytes are appended, and echoed once (QEMU prints old
 * output again after every reverse jump).
 */
public final class ConsoleHistory extends OutputStream {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final OutputStream echo;
    private int cursor;

    public ConsoleHistory(OutputStream echo) {
        this.echo = echo;
    }

    @Override
    public void write(int b) {
        if (cursor < bytes.size()) {
            cursor++; // known output, written again by a replay of this stretch
            return;
        }
        bytes.write(b);
        cursor = bytes.size();
        if (echo != null) {
            try {
                echo.write(b);
                echo.flush();
            } catch (java.io.IOException e) {
                // the echo is a convenience; losing it must not stop the machine
            }
        }
    }

    /** Number of bytes written up to the current position. */
    public int length() {
        return cursor;
    }

    /** Moves the current position to just after byte {@code length} (a snapshot's console length). */
    public void moveTo(int length) {
        cursor = Math.max(0, Math.min(length, bytes.size()));
    }

    /**
     * Moves to the end of {@code output}, the guest's whole output up to a position this history
     * may not have replayed yet (a persisted snapshot's): bytes beyond what it knows are taken
     * from it, not echoed. Returns false, changing nothing, if {@code output} contradicts the
     * output already known.
     */
    public boolean adopt(byte[] output) {
        byte[] known = bytes.toByteArray();
        int common = Math.min(known.length, output.length);
        if (!Arrays.equals(known, 0, common, output, 0, common)) {
            return false;
        }
        if (output.length > known.length) {
            bytes.write(output, known.length, output.length - known.length);
        }
        cursor = output.length;
        return true;
    }

    /** The output up to the current position. */
    public byte[] toByteArray() {
        return Arrays.copyOf(bytes.toByteArray(), cursor);
    }
}
