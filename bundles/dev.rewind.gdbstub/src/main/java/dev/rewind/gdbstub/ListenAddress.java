package dev.rewind.gdbstub;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The {@code --listen host:port} option. The default is the loopback address, so a debugging
 * session is never reachable from the network unless the user asks for it.
 */
public final class ListenAddress {

    private ListenAddress() {
    }

    /** 127.0.0.1 on the given port (0 = any free port). */
    public static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /**
     * Parses {@code port}, {@code host:port} or {@code [ipv6]:port}; a bare port means loopback.
     *
     * @throws IllegalArgumentException with a user-readable message for anything else
     */
    public static InetSocketAddress parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("--listen needs host:port or port");
        }
        String s = text.trim();
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("bad --listen address '" + text + "': expected [ipv6]:port");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                return loopback(parsePort(s, text));
            }
            if (s.indexOf(':') != colon) {
                throw new IllegalArgumentException("bad --listen address '" + text + "': write IPv6 hosts as [addr]:port");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        int p = parsePort(port, text);
        if (host.isEmpty()) {
            return loopback(p);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), p);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad --listen address '" + text + "': unknown host '" + host + "'");
        }
    }

    private static int parsePort(String port, String text) {
        try {
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad --listen address '" + text + "': port must be 0..65535");
        }
    }
}
