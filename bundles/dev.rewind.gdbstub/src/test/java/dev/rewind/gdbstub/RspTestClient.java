package dev.rewind.gdbstub;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Minimal raw-socket RSP client for tests: sends frames, reads acks and reply packets. */
final class RspTestClient implements Closeable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    boolean ackMode = true;

    RspTestClient(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(5000);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void sendRaw(String s) throws IOException {
        sendRaw(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    static String frame(String payload) {
        return new String(FrameEncoder.frame(payload, false), StandardCharsets.ISO_8859_1);
    }

    /** Sends a packet and returns the reply payload (acks handled, RLE expanded). */
    String request(String payload) throws IOException {
        sendRaw(frame(payload));
        if (ackMode) {
            int a = readByte();
            if (a != '+') {
                throw new IOException("expected '+', got " + (char) a);
            }
        }
        return readPacket();
    }

    int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new IOException("connection closed");
        }
        return b;
    }

    /** Reads bytes until a complete $...#cs packet; verifies the checksum; acks it in ack mode. */
    String readPacket() throws IOException {
        int b;
        do {
            b = readByte();
        } while (b != '$');
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int sum = 0;
        while ((b = readByte()) != '#') {
            body.write(b);
            sum += b;
        }
        int cs = Integer.parseInt("" + (char) readByte() + (char) readByte(), 16);
        if (cs != (sum & 0xff)) {
            throw new IOException("bad checksum from server");
        }
        if (ackMode) {
            sendRaw("+");
        }
        return expandRunLength(body.toByteArray());
    }

    static String expandRunLength(byte[] raw) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < raw.length; i++) {
            char c = (char) (raw[i] & 0xff);
            if (c == '*') {
                char prev = sb.charAt(sb.length() - 1);
                int n = (raw[++i] & 0xff) - 29;
                for (int k = 0; k < n; k++) {
                    sb.append(prev);
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** True if nothing arrives within {@code millis}. */
    boolean silentFor(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            int b = in.read();
            return false & b == b;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(5000);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
