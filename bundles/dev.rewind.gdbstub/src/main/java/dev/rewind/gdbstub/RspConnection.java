package dev.rewind.gdbstub;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayDeque;

/**
 * One gdb client's socket, read on the session thread itself: a packet reaches the session
 * without a hand-over between threads (a thread wake-up per packet, which on a busy machine can
 * cost more than the work). While the target runs, {@link #interruptedSince} polls the socket for
 * a Ctrl-C without blocking; packets read early wait in a queue for {@link #next}.
 */
final class RspConnection implements Closeable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ArrayDeque<Frame> frames = new ArrayDeque<>();
    private final FrameDecoder decoder;
    private final byte[] chunk = new byte[8192];
    /** Packets decoded so far; packet n (1-based) is the n-th one the session takes. */
    private long packetsReceived;
    /** Value of packetsReceived when the last Ctrl-C arrived: it interrupts that packet's run. */
    private long interruptAfterPacket = -1;
    private volatile boolean closed;

    RspConnection(Socket socket, int maxPayload) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = socket.getInputStream();
        this.out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        this.decoder = new FrameDecoder(maxPayload);
    }

    /** Decodes {@code n} bytes of {@link #chunk} into the queue, noting Ctrl-Cs. */
    private void decode(int n) {
        for (int i = 0; i < n; i++) {
            Frame f = decoder.feed(chunk[i]);
            if (f == null) {
                continue;
            }
            if (f.kind() == Frame.Kind.INTERRUPT) {
                interruptAfterPacket = packetsReceived;
            } else {
                if (f.kind() == Frame.Kind.PACKET) {
                    packetsReceived++;
                }
                frames.add(f);
            }
        }
    }

    /** Next frame from gdb (blocking), or null once the client has gone. */
    Frame next() {
        while (frames.isEmpty() && !closed) {
            try {
                int n = in.read(chunk);
                if (n < 0) {
                    closed = true;
                } else {
                    decode(n);
                }
            } catch (IOException e) {
                // A reset connection is an ordinary way for gdb to leave.
                closed = true;
            }
        }
        return frames.poll();
    }

    /**
     * True if a Ctrl-C arrived after packet number {@code packet} had been received (or the
     * client has gone). Reads what the socket holds without blocking; called between slices of
     * a run, on the session thread.
     */
    boolean interruptedSince(long packet) {
        try {
            int n;
            while (!closed && in.available() > 0 && (n = in.read(chunk, 0, Math.min(chunk.length, in.available()))) > 0) {
                decode(n);
            }
        } catch (IOException e) {
            closed = true;
        }
        return closed || interruptAfterPacket >= packet;
    }

    boolean isClosed() {
        return closed;
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void write(int b) throws IOException {
        out.write(b);
        out.flush();
    }

    /** Safe from any thread; a run in progress then sees an interruption, after the socket is shut. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing useful to do: the peer is gone either way.
        }
        closed = true;
    }
}
