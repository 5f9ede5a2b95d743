package dev.rewind.emulator;

import java.util.Arrays;

/**
 * The virtual pages code ran from since the last {@link #drain}, for an index of a recording that
 * lets reverse continue skip the stretches a breakpoint cannot hit. A hart reports the page of pc
 * wherever it enters code (each block start, each move to another page: a translated block never
 * leaves its page, and each block entered through a link from another block's exit) and the page of the pc a trap interrupts (an interrupt taken in front of a
 * breakpoint, or a fault fetching it): so a stretch in which a hart was about to execute an
 * instruction has that instruction's page here, a superset of the pages that actually ran.
 *
 * <p>An open-addressing set of primitive page numbers, one compare when the page is the last one
 * reported: no allocation while it fills.
 */
public final class CodePages {

    /** Page number + 1 (0 = free slot). */
    private long[] table = new long[1024];
    private int size;
    private long last = -1;

    /** Notes the page of {@code pc}. */
    public void note(long pc) {
        long page = pc >>> 12;
        if (page != last) {
            last = page;
            add(page);
        }
    }

    private void add(long page) {
        long key = page + 1;
        int mask = table.length - 1;
        for (int i = mix(key) & mask;; i = (i + 1) & mask) {
            long k = table[i];
            if (k == key) {
                return;
            }
            if (k == 0) {
                table[i] = key;
                if (++size * 2 > table.length) {
                    grow();
                }
                return;
            }
        }
    }

    private static int mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        size = 0;
        for (long k : old) {
            if (k != 0) {
                add(k - 1);
            }
        }
    }

    /** The pages noted since the last drain, ascending; empties the set. */
    public long[] drain() {
        long[] pages = new long[size];
        int n = 0;
        for (int i = 0; i < table.length; i++) {
            if (table[i] != 0) {
                pages[n++] = table[i] - 1;
                table[i] = 0;
            }
        }
        size = 0;
        last = -1;
        Arrays.sort(pages); // unsigned order does not matter to readers; ascending signed is deterministic
        return pages;
    }
}
