package dev.rewind.debug.core.model;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.rewind.replay.ConsoleHistory;

/**
 * The guest's whole known output, each byte with the icount it was written at, gathered from
 * the session's {@link ConsoleHistory} at every stop. The session's own history can miss bytes
 * after a forward jump to a later snapshot (it only truncates on restore), but every byte it
 * holds carries its true icount, and every skipped stretch was seen by the earlier pass that
 * made the snapshot; so appending the bytes newer than the last known one keeps this a complete
 * prefix of the output, and the console at any position is the bytes written before it.
 * Engine thread only.
 */
final class ConsoleTimeline {

    private byte[] bytes = new byte[1024];
    private long[] icounts = new long[1024];
    private int length;

    /** Takes in what the session's console holds beyond what is known. */
    void update(ConsoleHistory console) {
        int n = console.length();
        if (n == 0) {
            return;
        }
        long last = length == 0 ? Long.MIN_VALUE : icounts[length - 1];
        int from = n;
        while (from > 0 && console.icountOf(from - 1) > last) {
            from--;
        }
        if (from == n) {
            return;
        }
        byte[] all = console.toByteArray();
        for (int i = from; i < n; i++) {
            if (length == bytes.length) {
                bytes = Arrays.copyOf(bytes, length * 2);
                icounts = Arrays.copyOf(icounts, length * 2);
            }
            bytes[length] = all[i];
            icounts[length] = console.icountOf(i);
            length++;
        }
    }

    /** The output written before position {@code icount}. */
    String textAt(long icount) {
        int lo = 0;
        int hi = length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (icounts[mid] < icount) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return new String(bytes, 0, lo, StandardCharsets.UTF_8);
    }
}
