package dev.rewind.gdbstub;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds {@code $payload#cs} frames for gdb, optionally run-length encoding the payload ({@code c*N}
 * repeats {@code c} N−29 more times), and escapes binary data.
 */
final class FrameEncoder {

    /** Runs shorter than this are cheaper written out. */
    private static final int MIN_RUN = 4;
    /** N is at most '~' (126), so one run covers at most 97 extra repeats. */
    private static final int MAX_EXTRA = '~' - 29;

    private FrameEncoder() {
    }

    static byte[] frame(String payload, boolean runLength) {
        return frame(payload.getBytes(StandardCharsets.ISO_8859_1), runLength);
    }

    static byte[] frame(byte[] payload, boolean runLength) {
        byte[] body = runLength ? runLengthEncode(payload) : payload;
        int sum = 0;
        for (byte b : body) {
            sum += b & 0xff;
        }
        byte[] out = new byte[body.length + 4];
        out[0] = '$';
        System.arraycopy(body, 0, out, 1, body.length);
        out[body.length + 1] = '#';
        StringBuilder cs = new StringBuilder(2);
        Hex.appendByte(cs, sum);
        out[body.length + 2] = (byte) cs.charAt(0);
        out[body.length + 3] = (byte) cs.charAt(1);
        return out;
    }

    static byte[] runLengthEncode(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        int i = 0;
        while (i < in.length) {
            byte c = in[i];
            int run = 1;
            while (i + run < in.length && in[i + run] == c && run - 1 < MAX_EXTRA) {
                run++;
            }
            int extra = run - 1;
            // N = extra + 29 must be printable and neither '#' (35) nor '$' (36).
            if (extra == 6 || extra == 7) {
                extra = 5;
            }
            // gdb's reader treats '*' after '}' as data, and a count after an escaped byte would
            // repeat only the second half of the escape; keep such runs literal.
            boolean afterEscape = i > 0 && in[i - 1] == '}';
            if (extra + 1 >= MIN_RUN && c != '}' && c != '*' && !afterEscape) {
                out.write(c);
                out.write('*');
                out.write(extra + 29);
                i += extra + 1;
            } else {
                out.write(c);
                i++;
            }
        }
        return out.toByteArray();
    }

    /** Escapes {@code # $ } *} as {@code 0x7d, b ^ 0x20} for binary replies (qXfer). */
    static byte[] escapeBinary(byte[] data, int offset, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 16);
        for (int i = 0; i < length; i++) {
            int b = data[offset + i] & 0xff;
            if (b == '#' || b == '$' || b == '}' || b == '*') {
                out.write('}');
                out.write(b ^ 0x20);
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    /** Reverses {@link #escapeBinary} (for X packets). */
    static byte[] unescapeBinary(byte[] data, int offset, int length) throws MalformedPacketException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(length);
        for (int i = 0; i < length; i++) {
            int b = data[offset + i] & 0xff;
            if (b == '}') {
                if (++i >= length) {
                    throw new MalformedPacketException("escape at end of binary data");
                }
                out.write((data[offset + i] & 0xff) ^ 0x20);
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }
}
