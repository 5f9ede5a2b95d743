package dev.rewind.replay;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * The guest's UART output along the timeline: each byte with the icount it was written at, so
 * that after a reverse jump the console shows exactly the output up to the new position
 * (QEMU prints old output again after every reverse jump). Optionally echoes new bytes.
 */
public final class ConsoleHistory extends OutputStream {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private long[] icounts = new long[1024];
    private LongSupplier clock = () -> 0;
    private final OutputStream echo;
    /** Bytes below this length have already been echoed; rewinding never echoes twice. */
    private int echoed;

    public ConsoleHistory(OutputStream echo) {
        this.echo = echo;
    }

    /** Where the icount of each written byte comes from (the machine, once built). */
    public void clock(LongSupplier icount) {
        this.clock = icount;
    }

    @Override
    public void write(int b) {
        int n = bytes.size();
        if (n == icounts.length) {
            icounts = Arrays.copyOf(icounts, n * 2);
        }
        icounts[n] = clock.getAsLong();
        bytes.write(b);
        if (echo != null && n >= echoed) {
            try {
                echo.write(b);
                echo.flush();
            } catch (java.io.IOException e) {
                // the echo is a convenience; losing it must not stop the machine
            }
            echoed = n + 1;
        }
    }

    /** Number of bytes written so far on the current timeline. */
    public int length() {
        return bytes.size();
    }

    /** Forgets output past {@code length} (after a reverse jump). */
    public void truncate(int length) {
        if (length < bytes.size()) {
            byte[] keep = Arrays.copyOf(bytes.toByteArray(), length);
            bytes.reset();
            bytes.write(keep, 0, keep.length);
        }
    }

    /** All output on the current timeline. */
    public byte[] toByteArray() {
        return bytes.toByteArray();
    }

    /** Icount at which byte {@code i} was written. */
    public long icountOf(int i) {
        return icounts[i];
    }
}
