package dev.rewind.symbols;

import java.nio.charset.StandardCharsets;

/**
 * Little-endian reader over a window {@code [start, end)} of a byte array. Every read is
 * bounds-checked and fails with a {@link SymbolsException} naming the section, so corrupt
 * input can never surface as an index exception.
 */
final class ByteCursor {
    private final byte[] data;
    private final int start;
    private final int end;
    private final String what;
    private int pos;

    ByteCursor(byte[] data, int start, int end, String what) {
        if (start < 0 || end > data.length || start > end) {
            throw new IllegalArgumentException("bad window " + start + ".." + end);
        }
        this.data = data;
        this.start = start;
        this.end = end;
        this.what = what;
        this.pos = start;
    }

    ByteCursor(byte[] data, String what) {
        this(data, 0, data.length, what);
    }

    /** Offset relative to the start of the window. */
    int offset() {
        return pos - start;
    }

    int length() {
        return end - start;
    }

    int remaining() {
        return end - pos;
    }

    boolean atEnd() {
        return pos >= end;
    }

    String what() {
        return what;
    }

    void seek(long offset) throws SymbolsException {
        if (offset < 0 || offset > end - start) {
            throw error("offset 0x" + Long.toHexString(offset) + " outside " + length() + " bytes");
        }
        pos = start + (int) offset;
    }

    void skip(long count) throws SymbolsException {
        if (count < 0 || count > end - pos) {
            throw error("skip of " + count + " bytes runs past the end");
        }
        pos += (int) count;
    }

    /** A copy of the next {@code count} bytes. */
    byte[] bytes(long count) throws SymbolsException {
        if (count < 0 || count > end - pos) {
            throw error("block of " + count + " bytes at offset 0x" + Integer.toHexString(offset())
                    + " runs past the end");
        }
        byte[] out = new byte[(int) count];
        System.arraycopy(data, pos, out, 0, out.length);
        pos += out.length;
        return out;
    }

    /** A new cursor over the same window, positioned at its start. */
    ByteCursor fresh() {
        return new ByteCursor(data, start, end, what);
    }

    /** A sub-cursor over the next {@code count} bytes; this cursor moves past them. */
    ByteCursor slice(long count) throws SymbolsException {
        if (count < 0 || count > end - pos) {
            throw error("length " + count + " at offset 0x" + Integer.toHexString(offset())
                    + " runs past the end (" + remaining() + " bytes left)");
        }
        ByteCursor sub = new ByteCursor(data, pos, pos + (int) count, what);
        pos += (int) count;
        return sub;
    }

    private void need(int n) throws SymbolsException {
        if (end - pos < n) {
            throw error("truncated: need " + n + " bytes at offset 0x" + Integer.toHexString(offset())
                    + ", " + remaining() + " left");
        }
    }

    int u8() throws SymbolsException {
        need(1);
        return data[pos++] & 0xff;
    }

    int s8() throws SymbolsException {
        need(1);
        return data[pos++];
    }

    int u16() throws SymbolsException {
        need(2);
        int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8;
        pos += 2;
        return v;
    }

    long u32() throws SymbolsException {
        need(4);
        long v = (data[pos] & 0xffL) | (data[pos + 1] & 0xffL) << 8 | (data[pos + 2] & 0xffL) << 16
                | (data[pos + 3] & 0xffL) << 24;
        pos += 4;
        return v;
    }

    long u64() throws SymbolsException {
        long lo = u32();
        long hi = u32();
        return lo | hi << 32;
    }

    /** An unsigned value of 1, 2, 4 or 8 bytes. */
    long unsigned(int size) throws SymbolsException {
        switch (size) {
            case 1: return u8();
            case 2: return u16();
            case 4: return u32();
            case 8: return u64();
            default: throw error("unsupported field size " + size);
        }
    }

    long uleb() throws SymbolsException {
        long result = 0;
        int shift = 0;
        while (true) {
            int b = u8();
            if (shift < 64) {
                result |= (long) (b & 0x7f) << shift;
            }
            shift += 7;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
    }

    long sleb() throws SymbolsException {
        long result = 0;
        int shift = 0;
        int b;
        do {
            b = u8();
            if (shift < 64) {
                result |= (long) (b & 0x7f) << shift;
            }
            shift += 7;
        } while ((b & 0x80) != 0);
        if (shift < 64 && (b & 0x40) != 0) {
            result |= -1L << shift;
        }
        return result;
    }

    /** A ULEB128 that must fit a non-negative int (counts, indices). */
    int ulebInt() throws SymbolsException {
        long v = uleb();
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw error("value " + Long.toUnsignedString(v) + " too large");
        }
        return (int) v;
    }

    /** Skips {@code skip} bytes from the current position, then reads a ULEB128 int. */
    int ulebIntAfter(int skip) throws SymbolsException {
        skip(skip);
        return ulebInt();
    }

    /** A NUL-terminated UTF-8 string. */
    String cstring() throws SymbolsException {
        int p = pos;
        while (p < end && data[p] != 0) {
            p++;
        }
        if (p >= end) {
            throw error("unterminated string at offset 0x" + Integer.toHexString(offset()));
        }
        String s = new String(data, pos, p - pos, StandardCharsets.UTF_8);
        pos = p + 1;
        return s;
    }

    /** The NUL-terminated string at {@code offset} in this window, without moving. */
    String cstringAt(long offset) throws SymbolsException {
        if (offset < 0 || offset >= end - start) {
            throw error("string offset 0x" + Long.toHexString(offset) + " outside " + length() + " bytes");
        }
        int p0 = start + (int) offset;
        int p = p0;
        while (p < end && data[p] != 0) {
            p++;
        }
        if (p >= end) {
            throw error("unterminated string at offset 0x" + Long.toHexString(offset));
        }
        return new String(data, p0, p - p0, StandardCharsets.UTF_8);
    }

    SymbolsException error(String message) {
        return new SymbolsException(what + ": " + message);
    }
}
