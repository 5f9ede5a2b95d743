package dev.rewind.gdbstub;

import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * GDB remote serial protocol server for one {@link DebugTarget}: TCP, one client at a time (a
 * second client is disconnected at once while a session is active), 127.0.0.1 unless another
 * address is given. All target calls happen on one session thread.
 *
 * <pre>
 *   RspServer server = new RspServer(target);      // or new RspServer(target, ListenAddress.parse("0.0.0.0:1234"))
 *   server.start();                                // background accept loop
 *   System.out.println("gdb: target remote 127.0.0.1:" + server.port());
 *   ...
 *   server.close();
 * </pre>
 * or {@link #serveOne()} to serve a single session on the calling thread.
 */
public final class RspServer implements Closeable {

    /** Largest packet we accept (advertised as PacketSize). */
    public static final int MAX_PACKET = 0x4000;

    private final DebugTarget target;
    private final InetSocketAddress listen;
    private final AtomicBoolean sessionActive = new AtomicBoolean();
    private volatile ServerSocket serverSocket;
    private volatile boolean closed;
    private volatile RspConnection activeConnection;
    private volatile GdbSession activeSession;
    private ExecutorService sessionThread;
    private Thread acceptThread;
    private boolean runLength = true;
    private PrintStream trace;

    /** Serves {@code target} on 127.0.0.1 on a free port. */
    public RspServer(DebugTarget target) {
        this(target, ListenAddress.loopback(0));
    }

    public RspServer(DebugTarget target, InetSocketAddress listen) {
        if (target == null || listen == null) {
            throw new IllegalArgumentException("target and listen address are required");
        }
        this.target = target;
        this.listen = listen;
    }

    /** Run-length encode replies (gdb always decodes it); on by default. Call before start. */
    public RspServer runLengthEncoding(boolean enabled) {
        this.runLength = enabled;
        return this;
    }

    /** Logs every packet to {@code out} (null = off). Call before start. */
    public RspServer trace(PrintStream out) {
        this.trace = out;
        return this;
    }

    /** Binds the listening socket if not yet bound; afterwards {@link #port()} is valid. */
    public synchronized void bind() throws IOException {
        if (closed) {
            throw new IOException("server is closed");
        }
        if (serverSocket == null) {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(listen, 1);
            serverSocket = s;
        }
    }

    /** Binds and starts accepting clients in the background; sessions run one after another. */
    public synchronized void start() throws IOException {
        bind();
        if (acceptThread != null) {
            return;
        }
        sessionThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "rsp-session");
            t.setDaemon(true);
            return t;
        });
        acceptThread = new Thread(this::acceptLoop, "rsp-accept");
        acceptThread.setDaemon(true);
        acceptThread.start();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = serverSocket.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                log("accept failed: " + e.getMessage());
                continue;
            }
            if (!claimSession()) {
                log("refusing second client " + client.getRemoteSocketAddress());
                closeQuietly(client);
                continue;
            }
            sessionThread.execute(() -> {
                try {
                    serve(client);
                } finally {
                    sessionActive.set(false);
                }
            });
        }
    }

    /**
     * Takes the session slot, giving a session that is just ending (gdb detached and reconnects at
     * once) a moment to finish before the newcomer is turned away.
     */
    private boolean claimSession() {
        for (int i = 0; i < 50; i++) {
            if (sessionActive.compareAndSet(false, true)) {
                return true;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /**
     * Binds if needed, accepts one client and serves it on the calling thread until it detaches or
     * disconnects. Do not mix with {@link #start()}.
     */
    public void serveOne() throws IOException {
        bind();
        Socket client = serverSocket.accept();
        sessionActive.set(true);
        try {
            serve(client);
        } finally {
            sessionActive.set(false);
        }
    }

    private void serve(Socket client) {
        log("client " + client.getRemoteSocketAddress());
        try (RspConnection connection = new RspConnection(client, MAX_PACKET)) {
            GdbSession session = new GdbSession(target, connection, MAX_PACKET, runLength, trace);
            activeConnection = connection;
            activeSession = session;
            if (closed) {
                return;
            }
            session.run();
        } catch (IOException e) {
            log("session failed: " + e.getMessage());
        } finally {
            activeSession = null;
            activeConnection = null;
        }
        log("client gone");
    }

    /**
     * State of the current gdb session: STOPPED, RUNNING or INTERRUPTED while a client is served,
     * DETACHED when there is none.
     */
    public SessionState state() {
        GdbSession s = activeSession;
        return s == null ? SessionState.DETACHED : s.state();
    }

    /** The bound port; call after {@link #bind()} or {@link #start()}. */
    public int port() {
        ServerSocket s = serverSocket;
        if (s == null) {
            throw new IllegalStateException("server is not bound");
        }
        return s.getLocalPort();
    }

    /** The bound address (host and port). */
    public InetSocketAddress localAddress() {
        ServerSocket s = serverSocket;
        if (s == null) {
            throw new IllegalStateException("server is not bound");
        }
        return (InetSocketAddress) s.getLocalSocketAddress();
    }

    /** True while a gdb client is being served. */
    public boolean hasClient() {
        return sessionActive.get();
    }

    /**
     * Stops accepting, drops the current client (a running target sees an interruption) and waits
     * briefly for the session to end.
     */
    @Override
    public synchronized void close() {
        closed = true;
        RspConnection c = activeConnection;
        if (c != null) {
            c.close();
        }
        ServerSocket s = serverSocket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // Closing a listening socket can only fail if it is already gone.
            }
        }
        if (sessionThread != null) {
            sessionThread.shutdownNow();
            try {
                sessionThread.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void log(String line) {
        if (trace != null) {
            trace.println(line);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (SocketException e) {
            // already closed
        } catch (IOException e) {
            // the refused client is gone either way
        }
    }
}
