package dev.rewind.emulator.reference;

import java.io.IOException;
import java.io.InputStream;

/**
 * Parses QEMU 7.2's {@code -d exec,cpu,nochain} output with {@code -singlestep}: one
 * "Trace ..." line per executed instruction followed by the CPU dump (" pc  ..." and four
 * "xN/name value" pairs per line). An entry followed by "Stopped execution of TB chain" was
 * not executed (an interrupt was taken first) and is dropped. Works on raw bytes, one line
 * buffer, no per-line objects.
 */
final class TraceParser {
    private static final int ALL_REGS = -1;   // 32 bits set

    private final InputStream in;
    private final QemuTrace trace;
    private final int limit;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int end;
    private final byte[] line = new byte[512];
    private int len;
    private final long[] x = new long[32];
    private long pc;
    private boolean pcSeen;
    private int regsSeen;
    private boolean inRecord;

    TraceParser(InputStream in, QemuTrace trace, int limit) {
        this.in = in;
        this.trace = trace;
        this.limit = limit;
    }

    /** Parses until the limit (returns false) or the end of the log, i.e. QEMU exited (returns true). */
    boolean parse() throws IOException {
        while (readLine()) {
            if (startsWith("Trace ")) {
                if (commit()) {
                    return false;
                }
                inRecord = true;
                pcSeen = false;
                regsSeen = 0;
            } else if (startsWith("Stopped execution of TB chain")) {
                // QEMU logged the TB, then found an interrupt pending and never ran it:
                // the instruction runs later, after the handler, and is logged again then.
                inRecord = false;
            } else if (inRecord) {
                if (startsWith(" pc ")) {
                    int i = skipSpaces(4);
                    pc = hex(i);
                    pcSeen = true;
                } else if (len > 3 && line[0] == ' ' && line[1] == 'x' && digit(line[2])) {
                    parseRegisters();
                }
            }
        }
        return !commit();
    }

    /** Stores a complete record; true when the limit has been reached. */
    private boolean commit() {
        if (inRecord && pcSeen && regsSeen == ALL_REGS) {
            x[0] = 0;
            trace.append(pc, x);
            inRecord = false;
        }
        return trace.size() >= limit;
    }

    private void parseRegisters() {
        int i = 0;
        while (i < len) {
            while (i < len && line[i] != 'x') {
                i++;
            }
            if (i + 1 >= len || !digit(line[i + 1])) {
                i++;
                continue;
            }
            int r = 0;
            i++;
            while (i < len && digit(line[i])) {
                r = r * 10 + (line[i++] - '0');
            }
            if (i >= len || line[i] != '/' || r > 31) {
                continue;
            }
            while (i < len && line[i] != ' ') {
                i++;
            }
            i = skipSpaces(i);
            x[r] = hex(i);
            regsSeen |= 1 << r;
            i += 16;
        }
    }

    private long hex(int i) {
        long v = 0;
        for (int n = 0; n < 16 && i < len; n++, i++) {
            int c = line[i];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0) {
                break;
            }
            v = v << 4 | d;
        }
        return v;
    }

    private int skipSpaces(int i) {
        while (i < len && line[i] == ' ') {
            i++;
        }
        return i;
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }

    private boolean startsWith(String s) {
        if (len < s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (line[i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Next line into {@link #line} (truncated to its capacity); false at end of stream. */
    private boolean readLine() throws IOException {
        len = 0;
        boolean any = false;
        for (;;) {
            if (pos == end) {
                end = in.read(buf);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    return any;
                }
            }
            any = true;
            byte b = buf[pos++];
            if (b == '\n') {
                return true;
            }
            if (len < line.length) {
                line[len++] = b;
            }
        }
    }
}
