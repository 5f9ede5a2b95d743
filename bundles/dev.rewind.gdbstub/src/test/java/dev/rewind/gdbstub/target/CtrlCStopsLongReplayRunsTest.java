package dev.rewind.gdbstub.target;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

import dev.rewind.gdbstub.RspServer;
import dev.rewind.replay.RecordSession;
import dev.rewind.replay.Timeline;

/**
 * gdb's Ctrl-C (a raw 0x03) during a long forward or reverse replay run stops it with SIGINT
 * inside the history, and the session goes on. Raw RSP over loopback: batch gdb cannot send it.
 */
public class CtrlCStopsLongReplayRunsTest {

    private static final long LENGTH = 30_000_000L;

    /** Minimal RSP client with acks. */
    private static final class Client implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;

        Client(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(20_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void send(String payload, boolean thenInterrupt) throws IOException {
            int sum = 0;
            for (byte b : payload.getBytes(StandardCharsets.ISO_8859_1)) {
                sum += b & 0xff;
            }
            String frame = "$" + payload + "#" + String.format("%02x", sum & 0xff);
            out.write(frame.getBytes(StandardCharsets.ISO_8859_1));
            if (thenInterrupt) {
                out.write(0x03); // as gdb does on Ctrl-C while the target runs
            }
            out.flush();
        }

        /** The next packet's payload (acks skipped, run-length expanded), acknowledged. */
        String read() throws IOException {
            int b;
            while ((b = in.read()) != '$') {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while ((b = in.read()) != '#') {
                if (b == '*') {
                    byte[] sofar = body.toByteArray();
                    int n = in.read() - 29;
                    for (int i = 0; i < n; i++) {
                        body.write(sofar[sofar.length - 1]);
                    }
                } else {
                    body.write(b);
                }
            }
            in.read();
            in.read();
            out.write('+');
            out.flush();
            return body.toString(StandardCharsets.ISO_8859_1);
        }

        long icount() throws IOException {
            send("qRcmd," + HexFormat.of().formatHex("info replay".getBytes(StandardCharsets.US_ASCII)), false);
            StringBuilder text = new StringBuilder();
            while (true) {
                String r = read();
                if (r.equals("OK")) {
                    break;
                }
                String hex = r.startsWith("O") ? r.substring(1) : r;
                text.append(new String(HexFormat.of().parseHex(hex), StandardCharsets.US_ASCII));
                if (!r.startsWith("O")) {
                    break;
                }
            }
            Matcher m = Pattern.compile("instruction count = (\\d+)").matcher(text);
            assertTrue(text.toString(), m.find());
            return Long.parseLong(m.group(1));
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    public void interruptStopsForwardAndReverseRunsInsideTheHistory() throws Exception {
        Path elf = RecordedGuest.elf("ticktock");
        Path dir = Files.createTempDirectory("rewind-ctrlc");
        Path copy = Files.copy(elf, dir.resolve("ticktock.elf"));
        Path log = dir.resolve("ticktock.rrlog");
        try {
            try (RecordSession rec = RecordSession.start(RecordSession.Options.of(copy, log).withInput(null,
                    OutputStream.nullOutputStream()))) {
                assertEquals(LENGTH, rec.run(LENGTH).icount());
            }
            try (Timeline session = Timeline.open(log, Timeline.Options.defaults());
                    RspServer server = new RspServer(new ReplayTarget(session))) {
                server.start();
                try (Client c = new Client(server.port())) {
                    c.send("qSupported:swbreak+;hwbreak+", false);
                    assertTrue(c.read().contains("ReverseContinue+"));
                    // forward: continue to the end of history would take 30M instructions
                    c.send("c", true);
                    String stop = c.read();
                    assertTrue(stop, stop.startsWith("T02"));
                    long at = c.icount();
                    assertTrue("stopped at " + at, at >= 0 && at < LENGTH); // before the end: the 0x03 came at once
                    // let a continue reach the end, then interrupt a reverse-continue scanning back
                    c.send("c", false);
                    assertTrue(c.read().contains("replaylog:end"));
                    assertEquals(LENGTH, c.icount());
                    c.send("bc", true);
                    stop = c.read();
                    assertTrue(stop, stop.startsWith("T02"));
                    at = c.icount();
                    assertTrue("stopped at " + at, at >= 0 && at <= LENGTH);
                    // the session still serves: a step back from there, and registers
                    c.send("g", false);
                    assertEquals(33 * 16, c.read().length());
                    c.send("bs", false);
                    assertTrue(c.read().startsWith("T05"));
                }
            }
        } finally {
            try (var files = Files.list(dir)) {
                files.forEach(f -> f.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
    }
}
