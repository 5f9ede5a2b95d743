package dev.rewind.gdbstub;

import java.nio.charset.StandardCharsets;

/** Hex text as the remote protocol spells it: lower-case digits, little-endian register images. */
final class Hex {

    private static final byte[] DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private Hex() {
    }

    /** Value of one hex digit, or -1. */
    static int digit(int c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** Parses 1..16 hex digits as an unsigned 64-bit number. */
    static long parseUnsigned(String s) throws MalformedPacketException {
        if (s.isEmpty() || s.length() > 16) {
            throw new MalformedPacketException("bad hex number '" + s + "'");
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            int d = digit(s.charAt(i));
            if (d < 0) {
                throw new MalformedPacketException("bad hex number '" + s + "'");
            }
            v = (v << 4) | d;
        }
        return v;
    }

    /** Parses a hex number that must fit in a non-negative int. */
    static int parseInt(String s) throws MalformedPacketException {
        long v = parseUnsigned(s);
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new MalformedPacketException("number out of range '" + s + "'");
        }
        return (int) v;
    }

    /** Decodes an even-length hex string into bytes. */
    static byte[] decode(String s) throws MalformedPacketException {
        if ((s.length() & 1) != 0) {
            throw new MalformedPacketException("odd-length hex data");
        }
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = digit(s.charAt(2 * i));
            int lo = digit(s.charAt(2 * i + 1));
            if (hi < 0 || lo < 0) {
                throw new MalformedPacketException("bad hex data");
            }
            out[i] = (byte) ((hi << 4) | lo);
        }
        return out;
    }

    static void appendByte(StringBuilder sb, int b) {
        sb.append((char) DIGITS[(b >> 4) & 0xf]).append((char) DIGITS[b & 0xf]);
    }

    static String encode(byte[] data, int offset, int length) {
        StringBuilder sb = new StringBuilder(length * 2);
        for (int i = 0; i < length; i++) {
            appendByte(sb, data[offset + i]);
        }
        return sb.toString();
    }

    static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return encode(bytes, 0, bytes.length);
    }

    /** Appends a 64-bit value as 16 hex digits in target (little-endian) byte order. */
    static void appendLittleEndian64(StringBuilder sb, long value) {
        for (int i = 0; i < 8; i++) {
            appendByte(sb, (int) (value >>> (8 * i)));
        }
    }

    /** Reads a little-endian value of 1..8 bytes. */
    static long littleEndian(byte[] data) {
        long v = 0;
        for (int i = Math.min(8, data.length) - 1; i >= 0; i--) {
            v = (v << 8) | (data[i] & 0xff);
        }
        return v;
    }

    /** Unsigned number as minimal lower-case hex (no leading zeros), as gdb writes addresses. */
    static String number(long v) {
        return Long.toHexString(v);
    }
}
