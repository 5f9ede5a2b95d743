package dev.rewind.gdbstub;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.Test;

/**
 * Sends more than 10,000 seeded malformed or random packets over a real socket. After each one the
 * client sends a sentinel {@code qC}; everything the server said before the sentinel's answer must
 * be exactly the right answer to the fuzz input (resend request, error reply, empty reply or
 * nothing). Afterwards the same connection and a fresh gdb-multiarch session must still work.
 */
public class ProtocolFuzzTest {

    private static final long SEED = 0x5eed_6db5L;
    private static final int ITERATIONS = 11_500;
    private static final String SENTINEL = "qC";
    private static final String SENTINEL_REPLY = "QC1";
    private static final String NON_HEX = "ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ!%&()_=.<>/|~@";

    private enum Kind { BAD_CHECKSUM, TRUNCATED, TRUNCATED_CHECKSUM, OVERSIZED, BAD_HEX, BAD_RUN_LENGTH, UNKNOWN, RANDOM_BYTES, VALID }

    private static final String[] VALID = {
        "?", "g", "m80000000,10", "m80000100,4", "p20", "p1041", "p341", "qfThreadInfo", "qsThreadInfo", "qAttached",
        "Hg0", "Hc-1", "vCont?", "qXfer:features:read:target.xml:0,100", "s", "bs", "vCont;s:1", "Z0,80000010,4",
        "z0,80000010,4", "Z2,80000200,8", "z2,80000200,8", "qSupported:swbreak+", "T1",
    };

    private final Random random = new Random(SEED);

    @Test(timeout = 60_000)
    public void serverAnswersEveryMalformedPacketAndStillServesASession() throws Exception {
        TinyRv64Fixture target = new TinyRv64Fixture(TinyRv64Fixture.countingProgram(), true);
        Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
        try (RspServer server = new RspServer(target)) {
            server.start();
            try (RspTestClient client = new RspTestClient(server.port())) {
                for (int i = 0; i < ITERATIONS; i++) {
                    if (i == ITERATIONS / 2) {
                        assertEquals("OK", client.request("QStartNoAckMode"));
                        client.ackMode = false;
                    }
                    Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
                    counts.merge(kind, 1, Integer::sum);
                    String input = generate(kind);
                    client.sendRaw(input + RspTestClient.frame(SENTINEL));
                    List<String> said = readUntilSentinel(client);
                    check(kind, input, said, client.ackMode, i);
                }
                int malformed = 0;
                for (Map.Entry<Kind, Integer> e : counts.entrySet()) {
                    if (e.getKey() != Kind.VALID) {
                        malformed += e.getValue();
                    }
                }
                assertTrue("only " + malformed + " malformed packets: " + counts, malformed >= 10_000);

                // a well-formed session on the same connection
                assertTrue(client.request("?").startsWith("T05"));
                assertEquals(33 * 16, client.request("g").length());
                assertEquals("9702000093820220", client.request("m80000000,8"));
                assertEquals("OK", client.request("Z0,80000014,4"));
                // the fuzz may have left these inserted
                assertEquals("OK", client.request("z2,80000200,8"));
                assertEquals("OK", client.request("z0,80000010,4"));
                int back = 0;
                while (!client.request("bs").contains("replaylog:begin")) {
                    assertTrue("history is at most 24 instructions long", ++back <= 24);
                }
                String stop = client.request("c");
                assertTrue(stop, stop.startsWith("T05") && stop.contains("20:1400008000000000;"));
                assertEquals("l", client.request("qsThreadInfo"));
            }
            if (GdbBatch.available()) {
                waitForSessionEnd(server);
                String out = GdbBatch.run(server.port(), "printf \"PC=%lx\\n\", $pc", "x/2xw 0x80000000");
                assertEquals(out, List.of(0x80000014L), GdbBatch.values(out, "PC"));
                assertTrue(out, out.contains("0x80000000:\t0x00000297\t0x20028293"));
            }
        }
    }

    private static void waitForSessionEnd(RspServer server) throws InterruptedException {
        for (int i = 0; i < 200 && server.hasClient(); i++) {
            Thread.sleep(10);
        }
    }

    private void check(Kind kind, String input, List<String> said, boolean ackMode, int iteration) {
        String where = "iteration " + iteration + " " + kind + " input '" + printable(input) + "' -> " + said;
        if (ackMode) {
            assertTrue(where, !said.isEmpty() && said.get(said.size() - 1).equals("+"));
            said = said.subList(0, said.size() - 1);
        }
        String ack = ackMode ? "+" : null;
        switch (kind) {
            case BAD_CHECKSUM:
            case TRUNCATED_CHECKSUM:
                assertEquals(where, ackMode ? List.of("-") : List.of(), said);
                break;
            case TRUNCATED:
                assertEquals(where, List.of(), said);
                break;
            case OVERSIZED:
            case BAD_HEX:
            case BAD_RUN_LENGTH:
                assertEquals(where, ackMode ? 2 : 1, said.size());
                if (ackMode) {
                    assertEquals(where, ack, said.get(0));
                }
                assertTrue(where, said.get(said.size() - 1).matches("\\$E[0-9a-f]{2}"));
                break;
            case UNKNOWN:
                assertEquals(where, ackMode ? List.of("+", "$") : List.of("$"), said);
                break;
            case VALID:
                assertEquals(where, ackMode ? 2 : 1, said.size());
                String reply = said.get(said.size() - 1);
                assertTrue(where, reply.length() > 1 && !reply.matches("\\$E[0-9a-f]{2}"));
                break;
            case RANDOM_BYTES:
                for (String s : said) {
                    // acks, resend requests, and answers to whatever packet the noise happened to form
                    assertTrue(where, s.equals("+") || s.equals("-") || s.startsWith("$"));
                }
                break;
            default:
                fail(kind.toString());
        }
    }

    /** Reads acks and packets up to the sentinel's reply; packets are returned as "$payload". */
    private static List<String> readUntilSentinel(RspTestClient client) throws IOException {
        List<String> said = new ArrayList<>();
        while (true) {
            int b = client.readByte();
            if (b == '+' || b == '-') {
                said.add(String.valueOf((char) b));
            } else if (b == '$') {
                StringBuilder raw = new StringBuilder();
                int sum = 0;
                int c;
                while ((c = client.readByte()) != '#') {
                    raw.append((char) c);
                    sum += c;
                }
                int cs = Integer.parseInt("" + (char) client.readByte() + (char) client.readByte(), 16);
                assertEquals("server checksum", sum & 0xff, cs);
                if (client.ackMode) {
                    client.sendRaw("+");
                }
                String payload = RspTestClient.expandRunLength(raw.toString().getBytes(StandardCharsets.ISO_8859_1));
                if (payload.equals(SENTINEL_REPLY)) {
                    return said;
                }
                said.add("$" + payload);
            } else {
                fail("server sent a stray byte " + b + " after " + said);
            }
        }
    }

    private String generate(Kind kind) {
        switch (kind) {
            case BAD_CHECKSUM: {
                String f = RspTestClient.frame(pick(VALID));
                int cs = Integer.parseInt(f.substring(f.length() - 2), 16);
                return f.substring(0, f.length() - 2) + String.format("%02x", (cs + 1 + random.nextInt(255)) & 0xff);
            }
            case TRUNCATED: {
                String p = pick(VALID) + junk(0);
                return "$" + p.substring(0, random.nextInt(p.length() + 1));
            }
            case TRUNCATED_CHECKSUM: {
                String f = RspTestClient.frame(pick(VALID));
                return f.substring(0, f.length() - 1);
            }
            case OVERSIZED: {
                StringBuilder sb = new StringBuilder("M80000000,2000:");
                int n = RspServer.MAX_PACKET + 1 + random.nextInt(4000);
                while (sb.length() < n) {
                    sb.append((char) ('0' + random.nextInt(10)));
                }
                return RspTestClient.frame(sb.toString());
            }
            case BAD_HEX:
                return RspTestClient.frame(badHex());
            case BAD_RUN_LENGTH: {
                String[] bad = {"*" + (char) (37 + random.nextInt(60)), "g*" + (char) (1 + random.nextInt(30)), "m0*"};
                return RspTestClient.frame(pick(bad));
            }
            case UNKNOWN:
                return RspTestClient.frame(unknown());
            case RANDOM_BYTES: {
                byte[] noise = new byte[1 + random.nextInt(64)];
                random.nextBytes(noise);
                for (int i = 0; i < noise.length; i++) {
                    // '-' would legitimately repeat the previous sentinel answer; RspSessionTest covers it.
                    if (noise[i] == '-') {
                        noise[i] = '_';
                    }
                }
                return new String(noise, StandardCharsets.ISO_8859_1);
            }
            case VALID:
                return RspTestClient.frame(pick(VALID));
            default:
                throw new IllegalStateException(kind.toString());
        }
    }

    private String badHex() {
        String hex = Long.toHexString(random.nextLong() & 0xffff_ffffL);
        String j = junk(1);
        String[] templates = {
            "m" + j + ",4", "m" + hex + "," + j, "M" + hex + ",2:" + j, "p" + j, "P" + hex + "=" + j, "Z0," + j + ",4",
            "z1,80000000," + j, "G" + hex.substring(1) + "0", "X" + hex + ",5:ab", "X" + hex + ",1:}", "qRcmd," + j,
            "vCont;x" + j, "qXfer:features:read:target.xml:" + j, "Hgz" + j, "Tg" + j, "Cg" + j, "g" + j, "?" + j,
            "c" + j, "s" + j, "Z" + j, "D" + j, "m" + hex, "P" + hex + "=" + "0".repeat(18),
        };
        return pick(templates);
    }

    private String unknown() {
        String word = letters(1 + random.nextInt(10));
        String[] forms = {"qFuzz" + word, "QFuzz" + word, "vFuzz" + word, "Z5,80000000,4", "z9,0,0", "bx" + word,
            "!" + word, "A" + word, "i" + word, "R" + word, "t" + word, "Y" + word};
        return pick(forms);
    }

    /** Random text with at least {@code min} characters, always containing a non-hex character. */
    private String junk(int min) {
        StringBuilder sb = new StringBuilder();
        int n = min + random.nextInt(8);
        for (int i = 0; i < n; i++) {
            sb.append(random.nextBoolean() ? "0123456789abcdef,:;".charAt(random.nextInt(19))
                    : NON_HEX.charAt(random.nextInt(NON_HEX.length())));
        }
        if (min > 0) {
            sb.setCharAt(random.nextInt(sb.length()), NON_HEX.charAt(random.nextInt(NON_HEX.length())));
        }
        return sb.toString();
    }

    private String letters(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append((char) ('a' + random.nextInt(26)));
        }
        return sb.toString();
    }

    private String pick(String[] options) {
        return options[random.nextInt(options.length)];
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.substring(0, Math.min(s.length(), 120)).toCharArray()) {
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return sb.toString();
    }
}
