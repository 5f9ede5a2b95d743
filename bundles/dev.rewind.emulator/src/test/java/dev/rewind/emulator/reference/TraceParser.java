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
    private final Process qemu;
    private final long deadlineNanos;
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

    /**
     * qemu (may be null) and deadlineNanos (System.nanoTime based) bound the wait for output: a
     * guest idling in WFI without a timer prints nothing and would otherwise block us forever.
     */
    TraceParser(InputStream in, QemuTrace trace, int limit, Process qemu, long deadlineNanos) {
        this.in = in;
        this.trace = trace;
        this.limit = limit;
        this.qemu = qemu;
        this.deadlineNanos = deadlineNanos;
    }

    /**
     * Parses until the limit or the deadline (returns false) or the end of the log, i.e. QEMU
     * exited (returns true).
     */
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
        boolean limitReached = commit();
        return !limitReached && !timedOut;
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

    private boolean timedOut;

    /** True when parsing stopped at the deadline rather than at the end of the log. */
    boolean timedOut() {
        return timedOut;
    }

    /** Waits until a read will not block (data or end of stream); false at the deadline. */
    private boolean awaitData() throws IOException {
        if (qemu == null) {
            return true;
        }
        while (in.available() == 0 && qemu.isAlive()) {
            if (System.nanoTime() - deadlineNanos > 0) {
                return false;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
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

    /** Next line into {@link #line} (truncated to its capacity); false at end of stream or deadline. */
    private boolean readLine() throws IOException {
        len = 0;
        boolean any = false;
        for (;;) {
            if (pos == end) {
                if (!awaitData()) {
                    timedOut = true;
                    end = 0;
                    pos = 0;
                    return false;
                }
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
