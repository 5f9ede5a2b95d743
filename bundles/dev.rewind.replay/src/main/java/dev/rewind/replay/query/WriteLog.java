package dev.rewind.replay.query;

import java.util.Arrays;
import java.util.Set;

import dev.rewind.emulator.RamWriteObserver;
import dev.rewind.emulator.VirtMachine;

/**
 * Every change of RAM the indexing replay could afford to log, change by change: position, hart,
 * pc, privilege, RAM offset and length, the bytes before and after, and whether a store
 * instruction made it (else DMA, a page-table A/D update, HTIF). With it a query for writes to a
 * RAM range takes the answers of most snapshot intervals from the log and replays only the
 * intervals the log does not cover for the range's pages.
 *
 * <p>Logging a page makes every store to it take the emulator's slow path, so hot pages are
 * dropped: a page that changes more than {@link Budget#perPage} times in an interval is not
 * logged for the rest of it and sits out 1, 2, 4, ... up to {@link Budget#maxBackoff} intervals
 * before it is logged again; once an interval has logged {@link Budget#perInterval} changes,
 * every further logged page that changes is dropped the same way; a full log
 * ({@link Budget#capacity} changes) stops logging altogether. An interval is covered for a page
 * if the page was logged all through it. Changes only reach pages that were written in the
 * interval (the snapshot's dirty pages), so an interval that did not write a range's pages is
 * skipped by queries as before.
 *
 * <p>The bytes after a change are read when the next change is reported (or at the interval's
 * end): until then no logged byte can change without the log hearing of it first. A few
 * primitive arrays, no allocation per change.
 */
final class WriteLog implements RamWriteObserver {

    /**
     * How much logging an indexing replay affords: changes per 64-byte line and per page (stores
     * to a page's unlogged lines included) in an interval, per interval, the longest rest, the
     * log's capacity.
     */
    record Budget(int perLine, int perPage, int perInterval, int maxBackoff, int capacity) {
        /**
         * A line changed more than 64 times in an interval of 1M instructions is hot; a page
         * stored to more than 384 times (cleared, copied) is dropped whole, before it spends the
         * interval's 16,384 changes, which other pages' lines (the page tables') need; capacity:
         * 16M changes, 700 MB at most (44 bytes each), and as much in the saved index.
         */
        static final Budget DEFAULT = new Budget(64, 384, 16384, 1024, 1 << 24);

        String key() {
            return perLine + "/" + perPage + "/" + perInterval + "/" + maxBackoff + "/" + capacity;
        }
    }

    /** Bytes per line: the unit the log covers or not (a page holds 64, one bit each in a long). */
    static final int LINE = 64;
    static final long ALL_LINES = -1L;
    private static final int NONE = Integer.MAX_VALUE;

    private final VirtMachine machine;
    private final Budget budget;
    private final int pages;

    // the changes, in the order they happened
    private long[] icount = new long[1024];
    private long[] pc = new long[1024];
    private long[] before = new long[1024];
    private long[] after = new long[1024];
    private int[] offset = new int[1024];
    /** length (bits 0-3), hart store (bit 4), privilege (bits 5-6), hart (bits 8-15). */
    private int[] meta = new int[1024];
    private int size;
    private int pending = -1;
    /** The machine's RAM, as the first change handed it over. */
    private byte[] ram;

    // per page
    /** Lines logged now (bit l: bytes [64l, 64l+64)); since the interval's start, as lines re-arm only there. */
    private final long[] loggedLines;
    /** Changes seen this interval (of logged and unlogged lines alike: each one took the slow path). */
    private final int[] pageNow;
    private final byte[] pageBackoff;
    /** The interval a dropped page is logged again from (its lines' own rests end no earlier). */
    private final int[] pageRestUntil;
    private final int[][] pageChanges;
    private final int[] pageChangeCount;
    /** Length of the page's list when its first change of the current interval came. */
    private final int[] pageMark;
    /** Intervals in which the page was written while some lines were not logged all through, and those lines. */
    private final int[][] uncovered;
    private final long[][] uncoveredLines;
    private final int[] uncoveredCount;
    /**
     * Lines' bytes when they are logged again after a rest (the interval that starts then, the
     * lines, 64 bytes each): a line's content after the intervals it was not logged in, so that
     * its bytes at a later position come from the log without a replay.
     */
    private final int[][] imageInterval;
    private final long[][] imageLines;
    private final byte[][] imageBytes;
    private final int[] imageCount;
    private final int[] imageSize;
    private long imagesTotal;
    // per line (page * 64 + line)
    private final byte[] lineNow;
    /** log2 of the rest the line's next drop costs it. */
    private final byte[] lineBackoff;

    private int[] touched = new int[256];
    private int touchedCount;
    /** Dropped lines (id >= 0: page * 64 + line) and pages (id < 0: -1 - page), and the interval each is logged again from. */
    private int[] restingId = new int[256];
    private int[] restingAt = new int[256];
    private int restingCount;
    private int interval = 1;
    private int changesThisInterval;
    /** First interval not covered at all (the log filled up), or NONE. */
    private int fullFrom = NONE;
    private final int maxBackoffLog;

    WriteLog(VirtMachine machine, Budget budget) {
        this.machine = machine;
        this.budget = budget;
        this.pages = (int) (machine.config().ramSize() >>> 12);
        loggedLines = new long[pages];
        pageNow = new int[pages];
        pageBackoff = new byte[pages];
        pageRestUntil = new int[pages];
        pageChanges = new int[pages][];
        pageChangeCount = new int[pages];
        pageMark = new int[pages];
        uncovered = new int[pages][];
        uncoveredLines = new long[pages][];
        uncoveredCount = new int[pages];
        imageInterval = new int[pages][];
        imageLines = new long[pages][];
        imageBytes = new byte[pages][];
        imageCount = new int[pages];
        imageSize = new int[pages];
        lineNow = new byte[pages * (4096 / LINE)];
        lineBackoff = new byte[pages * (4096 / LINE)];
        maxBackoffLog = 31 - Integer.numberOfLeadingZeros(Math.max(1, budget.maxBackoff()));
    }

    /** Starts logging every line; interval 1 begins now. */
    void start() {
        for (int p = 0; p < pages; p++) {
            loggedLines[p] = ALL_LINES;
            machine.logRamWrites(p, true);
        }
        machine.observeRamWrites(this);
    }

    /** Stops logging; the log keeps what it has. */
    void stop() {
        finishPending();
        machine.observeRamWrites(null);
    }

    /** The lines of page {@code p} that RAM offsets [off, off+len) touch, as a mask. */
    static long lines(int p, long off, long len) {
        long lo = Math.max(off, (long) p << 12) - ((long) p << 12);
        long hi = Math.min(off + len, (long) (p + 1) << 12) - ((long) p << 12); // exclusive
        if (lo >= hi) {
            return 0;
        }
        int a = (int) (lo / LINE);
        int b = (int) ((hi - 1) / LINE);
        return (b == 63 ? ALL_LINES : (1L << (b + 1)) - 1) & (ALL_LINES << a);
    }

    @Override
    public void writing(byte[] ram, int off, int len, boolean hartStore) {
        this.ram = ram;
        finishPending(ram);
        int first = off >>> 12;
        int last = Math.min(pages - 1, (off + len - 1) >>> 12);
        if (len > 8 || size == budget.capacity()) {
            for (int p = first; p <= last; p++) {
                dropPage(p);
            }
            if (size == budget.capacity()) {
                fillUp();
            }
            return;
        }
        boolean any = false;
        for (int p = first; p <= last; p++) {
            if (loggedLines[p] == 0) {
                continue;
            }
            if (pageNow[p]++ == 0) {
                noteTouched(p);
                pageMark[p] = pageChangeCount[p];
            }
            if (pageNow[p] > budget.perPage()) {
                dropPage(p);
                continue;
            }
            for (long m = lines(p, off, len) & loggedLines[p]; m != 0; m &= m - 1) {
                int line = p * (4096 / LINE) + Long.numberOfTrailingZeros(m);
                if (lineNow[line] <= budget.perLine()) {
                    lineNow[line]++;
                }
                if (lineNow[line] > budget.perLine() || changesThisInterval >= budget.perInterval()) {
                    dropLine(line);
                } else {
                    any = true;
                }
            }
        }
        if (!any) {
            return;
        }
        int i = append(off, len, hartStore, readBytes(ram, off, len));
        for (int p = first; p <= last; p++) {
            if ((loggedLines[p] & lines(p, off, len)) != 0) {
                add(pageChanges, pageChangeCount, p, i);
            }
        }
        changesThisInterval++;
        pending = i;
    }

    private int append(int off, int len, boolean hartStore, long old) {
        if (size == icount.length) {
            int n = Math.min(budget.capacity(), size * 2);
            icount = Arrays.copyOf(icount, n);
            pc = Arrays.copyOf(pc, n);
            before = Arrays.copyOf(before, n);
            after = Arrays.copyOf(after, n);
            offset = Arrays.copyOf(offset, n);
            meta = Arrays.copyOf(meta, n);
        }
        int i = size++;
        if (hartStore) {
            // the storing instruction's own pc and position: the slow path set them on its hart
            icount[i] = machine.icount();
            pc[i] = machine.pc();
            meta[i] = len | 16 | (machine.privilege() & 3) << 5 | (machine.currentHart() & 0xff) << 8;
        } else {
            icount[i] = machine.icount();
            pc[i] = -1;
            meta[i] = len;
        }
        offset[i] = off;
        before[i] = old;
        return i;
    }

    /** Appends {@code v} to per-page list {@code lists[p]} of length {@code counts[p]}. */
    private static void add(int[][] lists, int[] counts, int p, int v) {
        int[] list = lists[p];
        if (list == null) {
            list = lists[p] = new int[4];
        } else if (counts[p] == list.length) {
            list = lists[p] = Arrays.copyOf(list, list.length * 2);
        }
        list[counts[p]++] = v;
    }

    /** Stops logging a line for the rest of this interval and the next {@code 2^backoff} ones. */
    private void dropLine(int line) {
        int p = line / (4096 / LINE);
        long bit = 1L << (line % (4096 / LINE));
        if ((loggedLines[p] & bit) == 0) {
            return;
        }
        loggedLines[p] &= ~bit;
        if (loggedLines[p] == 0) {
            machine.logRamWrites(p, false);
        }
        rest(line, fullFrom == NONE ? interval + (1 << lineBackoff[line]) : NONE);
        lineBackoff[line] = (byte) Math.min(maxBackoffLog, lineBackoff[line] + 1);
    }

    /**
     * Stops logging a whole page (its stores cost the slow path, logged or not) for the rest of
     * this interval and the next {@code 2^backoff} ones; its changes of this interval are of no
     * use now.
     */
    private void dropPage(int p) {
        if (loggedLines[p] == 0) {
            return;
        }
        loggedLines[p] = 0;
        machine.logRamWrites(p, false);
        if (pageNow[p] > 0) {
            // the interval's budget counts kept changes: a dropped page's give theirs back
            changesThisInterval = Math.max(0, changesThisInterval - (pageChangeCount[p] - pageMark[p]));
            pageChangeCount[p] = pageMark[p];
        }
        int at = fullFrom == NONE ? interval + (1 << pageBackoff[p]) : NONE;
        pageRestUntil[p] = at;
        pageBackoff[p] = (byte) Math.min(maxBackoffLog, pageBackoff[p] + 1);
        rest(-1 - p, at);
    }

    private void rest(int id, int at) {
        if (at == NONE) {
            return;
        }
        if (restingCount == restingId.length) {
            restingId = Arrays.copyOf(restingId, restingCount * 2);
            restingAt = Arrays.copyOf(restingAt, restingCount * 2);
        }
        restingId[restingCount] = id;
        restingAt[restingCount++] = at;
    }

    private void fillUp() {
        fullFrom = interval + 1;
        for (int p = 0; p < pages; p++) {
            dropPage(p);
        }
        restingCount = 0;
    }

    private void noteTouched(int p) {
        if (touchedCount == touched.length) {
            touched = Arrays.copyOf(touched, touchedCount * 2);
        }
        touched[touchedCount++] = p;
    }

    /**
     * Interval {@link #interval} ended with a capture that found {@code written} pages written:
     * notes the lines it does not cover, then starts the next interval, logging again the lines
     * and pages whose rest is over.
     */
    void intervalEnded(int k, Set<Long> written) {
        if (k != interval) {
            throw new IllegalStateException("interval " + k + " ended while logging interval " + interval);
        }
        finishPending();
        if (interval < fullFrom) {
            for (long w : written) {
                int p = (int) w;
                if (p < pages && loggedLines[p] != ALL_LINES) {
                    addUncovered(p, interval, ~loggedLines[p]);
                }
            }
        }
        for (int i = 0; i < touchedCount; i++) {
            int p = touched[i];
            if (loggedLines[p] != 0) {
                pageBackoff[p] = 0; // within its budget: no longer hot
            }
            int base = p * (4096 / LINE);
            for (int l = 0; l < 4096 / LINE; l++) {
                if (lineNow[base + l] != 0 && (loggedLines[p] & 1L << l) != 0) {
                    lineBackoff[base + l] = 0; // logged all through within its budget
                }
                lineNow[base + l] = 0;
            }
            pageNow[p] = 0;
        }
        touchedCount = 0;
        changesThisInterval = 0;
        interval++;
        int kept = 0;
        for (int i = 0; i < restingCount; i++) {
            int id = restingId[i];
            if (restingAt[i] > interval) {
                restingId[kept] = id;
                restingAt[kept++] = restingAt[i];
                continue;
            }
            int p = id < 0 ? -1 - id : id / (4096 / LINE);
            long was = loggedLines[p];
            if (id < 0) {
                loggedLines[p] = ALL_LINES;
            } else if (interval >= pageRestUntil[p]) {
                loggedLines[p] |= 1L << (id % (4096 / LINE));
            } // else the page rests longer and logs all its lines again when it returns
            if (loggedLines[p] != 0) {
                machine.logRamWrites(p, true);
            }
            if ((loggedLines[p] & ~was) != 0) {
                addImage(p, interval, loggedLines[p] & ~was);
            }
        }
        restingCount = kept;
    }

    /**
     * The last stretch of the recording, interval {@code k}, ended without a capture (so without
     * its list of written pages): returns the pages it may have written, those the log saw change
     * and every page with lines it did not log all through, which it notes as not covered; null
     * if the log is full (then any page may have been written).
     */
    int[] lastIntervalEnded(int k) {
        finishPending();
        if (k != interval || interval >= fullFrom) {
            return null;
        }
        boolean[] may = new boolean[pages];
        for (int i = 0; i < touchedCount; i++) {
            may[touched[i]] = true;
        }
        int n = 0;
        for (int p = 0; p < pages; p++) {
            if (loggedLines[p] != ALL_LINES) {
                may[p] = true;
                addUncovered(p, k, ~loggedLines[p]);
            }
            n += may[p] ? 1 : 0;
        }
        int[] out = new int[n];
        for (int p = 0, j = 0; p < pages; p++) {
            if (may[p]) {
                out[j++] = p;
            }
        }
        return out;
    }

    /** Keeps the bytes of page {@code p}'s {@code lines} now, at the start of interval {@code k}. */
    private void addImage(int p, int k, long lines) {
        int bytes = Long.bitCount(lines) * LINE;
        if (ram == null || imagesTotal + bytes > (long) budget.capacity() * 32) {
            return; // no room: those lines' bytes after their rest take a replay
        }
        int c = imageCount[p];
        if (imageInterval[p] == null || c == imageInterval[p].length) {
            int n = c == 0 ? 2 : c * 2;
            imageInterval[p] = imageInterval[p] == null ? new int[n] : Arrays.copyOf(imageInterval[p], n);
            imageLines[p] = imageLines[p] == null ? new long[n] : Arrays.copyOf(imageLines[p], n);
        }
        if (imageBytes[p] == null || imageSize[p] + bytes > imageBytes[p].length) {
            int n = Math.max(imageSize[p] + bytes, imageBytes[p] == null ? 0 : imageBytes[p].length * 2);
            imageBytes[p] = imageBytes[p] == null ? new byte[n] : Arrays.copyOf(imageBytes[p], n);
        }
        imageInterval[p][c] = k;
        imageLines[p][c] = lines;
        for (long m = lines; m != 0; m &= m - 1) {
            System.arraycopy(ram, p * 4096 + Long.numberOfTrailingZeros(m) * LINE, imageBytes[p], imageSize[p], LINE);
            imageSize[p] += LINE;
        }
        imageCount[p] = c + 1;
        imagesTotal += bytes;
    }

    private void addUncovered(int p, int k, long lines) {
        int c = uncoveredCount[p];
        add(uncovered, uncoveredCount, p, k);
        long[] m = uncoveredLines[p];
        if (m == null || m.length < uncovered[p].length) {
            uncoveredLines[p] = m = m == null ? new long[uncovered[p].length] : Arrays.copyOf(m, uncovered[p].length);
        }
        m[c] = lines;
    }

    private void finishPending() {
        if (ram != null) {
            finishPending(ram);
        }
    }

    private void finishPending(byte[] ram) {
        if (pending >= 0) {
            after[pending] = readBytes(ram, offset[pending], meta[pending] & 15);
            pending = -1;
        }
    }

    static long readBytes(byte[] ram, int off, int len) {
        long v = 0;
        for (int i = len - 1; i >= 0; i--) {
            v = v << 8 | (ram[off + i] & 0xff);
        }
        return v;
    }

    // ------------------------------------------------------------------ saving

    int pages() {
        return pages;
    }

    /** Changes logged. */
    int size() {
        return size;
    }

    /** The first interval the log does not cover at all because it filled up, or -1. */
    int fullFrom() {
        return fullFrom == NONE ? -1 : fullFrom;
    }

    /** True if page {@code p} has logged changes or intervals it does not cover. */
    boolean hasPage(int p) {
        return pageChangeCount[p] > 0 || uncoveredCount[p] > 0 || imageCount[p] > 0;
    }

    /** Writes page {@code p}'s part of its block: the intervals and lines not covered, its changes, its line images. */
    void writePage(IndexFile.Out out, int p) throws java.io.IOException {
        finishPending();
        int u = uncoveredCount[p];
        out.writeInts(uncovered[p] == null ? new int[0] : uncovered[p], u);
        out.writeLongs(uncoveredLines[p] == null ? new long[0] : uncoveredLines[p], u);
        int n = pageChangeCount[p];
        int[] list = pageChanges[p];
        long[] l = new long[n];
        int[] in = new int[n];
        out.writeInts(list == null ? new int[0] : list, n);
        for (long[] a : new long[][] {icount, pc, before, after}) {
            for (int i = 0; i < n; i++) {
                l[i] = a[list[i]];
            }
            out.writeLongs(l, n);
        }
        for (int[] a : new int[][] {offset, meta}) {
            for (int i = 0; i < n; i++) {
                in[i] = a[list[i]];
            }
            out.writeInts(in, n);
        }
        int c = imageCount[p];
        out.writeInts(c == 0 ? new int[0] : imageInterval[p], c);
        out.writeLongs(c == 0 ? new long[0] : imageLines[p], c);
        out.writeInt(imageSize[p]);
        if (c > 0) {
            out.write(imageBytes[p], 0, imageSize[p]);
        }
    }

    /** Bytes of line images kept. */
    long imageBytes() {
        return imagesTotal;
    }
}
