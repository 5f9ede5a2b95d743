package dev.rewind.gdbstub;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One gdb client's socket. A reader thread decodes incoming bytes into {@link Frame}s, so that a
 * Ctrl-C can be noticed while the session thread is inside a long target run; everything else
 * (all writes and all target calls) stays on the session thread.
 */
final class RspConnection implements Closeable {

    private static final Frame END = new Frame(Frame.Kind.ACK, new byte[0]);

    private final Socket socket;
    private final OutputStream out;
    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private final FrameDecoder decoder;
    private final Thread reader;
    /** Packets queued so far; packet n (1-based) is the n-th one the session takes. */
    private volatile long packetsReceived;
    /** Value of packetsReceived when the last Ctrl-C arrived: it interrupts that packet's run. */
    private volatile long interruptAfterPacket;
    private volatile boolean closed;

    RspConnection(Socket socket, int maxPayload) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        this.decoder = new FrameDecoder(maxPayload);
        InputStream in = socket.getInputStream();
        this.reader = new Thread(() -> readLoop(in), "rsp-reader-" + socket.getPort());
        reader.setDaemon(true);
        reader.start();
    }

    private void readLoop(InputStream in) {
        byte[] chunk = new byte[8192];
        try {
            int n;
            while ((n = in.read(chunk)) > 0) {
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
        } catch (IOException e) {
            // A reset connection is an ordinary way for gdb to leave.
        } finally {
            closed = true;
            frames.add(END);
        }
    }

    /** Next frame from gdb, or null once the client has gone. */
    Frame next() throws InterruptedException {
        Frame f = frames.take();
        if (f == END) {
            frames.add(END);
            return null;
        }
        return f;
    }

    /** True if a Ctrl-C arrived after packet number {@code packet} had been received. */
    boolean interruptedSince(long packet) {
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

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing useful to do: the peer is gone either way.
        }
    }
}
