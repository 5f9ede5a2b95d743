package dev.rewind.replay;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * Keys typed by a test's typist thread, read by a live input port on the machine's thread:
 * {@link #available()} shows what has been typed so far, {@link #read()} blocks for the next key
 * (as a terminal does) until {@link #close()}.
 */
final class Keyboard extends InputStream {

    private final ArrayDeque<Byte> typed = new ArrayDeque<>();
    private boolean closed;

    synchronized void type(String keys) {
        for (byte b : keys.getBytes(StandardCharsets.ISO_8859_1)) {
            typed.addLast(b);
        }
        notifyAll();
    }

    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }

    @Override
    public synchronized int available() {
        return typed.size();
    }

    @Override
    public synchronized int read() {
        while (typed.isEmpty()) {
            if (closed) {
                return -1;
            }
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        return typed.removeFirst() & 0xff;
    }
}
