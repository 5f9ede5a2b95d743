package dev.rewind.debug.core.launch;

import java.io.InputStream;
import java.util.ArrayDeque;

/**
 * Bytes typed into the console on their way to the guest's UART. {@link #available()} tells the
 * emulator's non-blocking poll what is ready; {@link #read()} blocks only when the guest sleeps
 * waiting for input, until a byte arrives or the stream is closed (then end of input).
 */
final class TypedInput extends InputStream {

    private final ArrayDeque<Byte> queue = new ArrayDeque<>();
    private boolean closed;

    synchronized void type(byte[] bytes) {
        for (byte b : bytes) {
            queue.add(b);
        }
        notifyAll();
    }

    @Override
    public synchronized int available() {
        return queue.size();
    }

    @Override
    public synchronized int read() {
        while (queue.isEmpty() && !closed) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        return queue.isEmpty() ? -1 : queue.poll() & 0xff;
    }

    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
