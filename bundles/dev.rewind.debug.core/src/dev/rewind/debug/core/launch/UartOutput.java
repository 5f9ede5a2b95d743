package dev.rewind.debug.core.launch;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The guest's UART transmitter as seen by a console: bytes are decoded as UTF-8 line by line
 * (or when a small buffer fills) so that listeners see whole characters, not single bytes.
 */
final class UartOutput extends OutputStream {

    private final TextStreamMonitor monitor;
    private final byte[] pending = new byte[256];
    private int n;

    UartOutput(TextStreamMonitor monitor) {
        this.monitor = monitor;
    }

    @Override
    public synchronized void write(int b) {
        pending[n++] = (byte) b;
        if (b == '\n' || n == pending.length) {
            flush();
        }
    }

    @Override
    public synchronized void flush() {
        if (n > 0) {
            monitor.append(new String(pending, 0, n, StandardCharsets.UTF_8));
            n = 0;
        }
    }
}
