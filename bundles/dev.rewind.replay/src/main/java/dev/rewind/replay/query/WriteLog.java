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

    /** How much logging an indexing replay affords. */
    record Budget(int perPage, int perInterval, int maxBackoff, int capacity) {
        /** capacity: 8M changes, 320 MB at most (40 bytes each), and as much in the saved index. */
        static final Budget DEFAULT = new Budget(64, 4096, 1024, 1 << 23);
    }

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
    private final boolean[] logged;
    /** Logged since the start of the current interval. */
    private final boolean[] whole;
    private final int[] changesNow;
    private final int[] backoff;
    private final int[] rearmAt;
    private final int[][] pageChanges;
    private final int[] pageChangeCount;
    /** Length of the page's list when its first change of the current interval came. */
    private final int[] pageMark;
    /** Intervals in which the page was written while not logged all through. */
    private final int[][] uncovered;
    private final int[] uncoveredCount;

    private int[] touched = new int[256];
    private int touchedCount;
    private int[] resting = new int[256];
    private int restingCount;
    private int interval = 1;
    private int changesThisInterval;
    /** First interval not covered at all (the log filled up), or NONE. */
    private int fullFrom = NONE;

    WriteLog(VirtMachine machine, Budget budget) {
        this.machine = machine;
        this.budget = budget;
        this.pages = (int) (machine.config().ramSize() >>> 12);
        logged = new boolean[pages];
        whole = new boolean[pages];
        changesNow = new int[pages];
        backoff = new int[pages];
        rearmAt = new int[pages];
        pageChanges = new int[pages][];
        pageChangeCount = new int[pages];
        pageMark = new int[pages];
        uncovered = new int[pages][];
        uncoveredCount = new int[pages];
    }

    /** Starts logging every page; interval 1 begins now. */
    void start() {
        for (int p = 0; p < pages; p++) {
            logged[p] = true;
            whole[p] = true;
            backoff[p] = 1;
            machine.logRamWrites(p, true);
        }
        machine.observeRamWrites(this);
    }

    /** Stops logging (also the pages' flags); the log keeps what it has. */
    void stop() {
        finishPending();
        machine.observeRamWrites(null);
        Arrays.fill(logged, false);
    }

    @Override
    public void writing(byte[] ram, int off, int len, boolean hartStore) {
        this.ram = ram;
        finishPending(ram);
        int first = off >>> 12;
        int last = Math.min(pages - 1, (off + len - 1) >>> 12);
        if (len > 8 || size == budget.capacity()) {
            for (int p = first; p <= last; p++) {
                drop(p);
            }
            if (size == budget.capacity()) {
                fillUp();
            }
            return;
        }
        boolean any = false;
        for (int p = first; p <= last; p++) {
            if (!logged[p]) {
                continue;
            }
            if (changesNow[p]++ == 0) {
                noteTouched(p);
                pageMark[p] = pageChangeCount[p];
            }
            if (changesNow[p] > budget.perPage() || changesThisInterval >= budget.perInterval()) {
                drop(p);
            } else {
                any = true;
            }
        }
        if (!any) {
            return;
        }
        int i = append(off, len, hartStore, readBytes(ram, off, len));
        for (int p = first; p <= last; p++) {
            if (logged[p]) {
                addToPage(p, i);
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

    private void addToPage(int p, int i) {
        add(pageChanges, pageChangeCount, p, i);
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

    /** Stops logging page {@code p} for the rest of this interval and the next {@code backoff} ones. */
    private void drop(int p) {
        if (!logged[p]) {
            return;
        }
        logged[p] = false;
        whole[p] = false;
        machine.logRamWrites(p, false);
        if (changesNow[p] > 0) {
            pageChangeCount[p] = pageMark[p]; // this interval's changes of the page are of no use now
        }
        rearmAt[p] = fullFrom == NONE ? interval + backoff[p] : NONE;
        backoff[p] = Math.min(budget.maxBackoff(), backoff[p] * 2);
        if (restingCount == resting.length) {
            resting = Arrays.copyOf(resting, restingCount * 2);
        }
        resting[restingCount++] = p;
    }

    private void fillUp() {
        fullFrom = interval + 1;
        for (int p = 0; p < pages; p++) {
            drop(p);
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
     * notes those it does not cover, then starts the next interval, logging again the pages whose
     * rest is over.
     */
    void intervalEnded(int k, Set<Long> written) {
        if (k != interval) {
            throw new IllegalStateException("interval " + k + " ended while logging interval " + interval);
        }
        finishPending();
        if (interval < fullFrom) {
            for (long w : written) {
                int p = (int) w;
                if (p < pages && !whole[p]) {
                    addUncovered(p, interval);
                }
            }
        }
        for (int i = 0; i < touchedCount; i++) {
            int p = touched[i];
            if (logged[p]) {
                backoff[p] = 1; // logged all through within its budget: no longer hot
            }
            changesNow[p] = 0;
        }
        touchedCount = 0;
        changesThisInterval = 0;
        interval++;
        int kept = 0;
        for (int i = 0; i < restingCount; i++) {
            int p = resting[i];
            if (rearmAt[p] <= interval) {
                logged[p] = true;
                whole[p] = true;
                machine.logRamWrites(p, true);
            } else {
                resting[kept++] = p;
            }
        }
        restingCount = kept;
    }

    /**
     * The last stretch of the recording, interval {@code k}, ended without a capture (so without
     * its list of written pages): returns the pages it may have written, those the log saw change
     * and every page it did not log all through, which it notes as not covered; null if the log
     * is full (then any page may have been written).
     */
    int[] lastIntervalEnded(int k) {
        finishPending();
        if (k != interval || interval >= fullFrom) {
            return null;
        }
        int[] out = new int[touchedCount + restingCount];
        int n = 0;
        for (int i = 0; i < touchedCount; i++) {
            if (whole[touched[i]]) {
                out[n++] = touched[i];
            }
        }
        for (int i = 0; i < restingCount; i++) {
            out[n++] = resting[i];
            addUncovered(resting[i], k);
        }
        out = Arrays.copyOf(out, n);
        Arrays.sort(out);
        return out;
    }

    private void addUncovered(int p, int k) {
        add(uncovered, uncoveredCount, p, k);
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

    private static long readBytes(byte[] ram, int off, int len) {
        long v = 0;
        for (int i = len - 1; i >= 0; i--) {
            v = v << 8 | (ram[off + i] & 0xff);
        }
        return v;
    }

    // ------------------------------------------------------------------ saving

    /** Writes what the reading side needs (the changes, the per-page lists, what is not covered). */
    void writeTo(IndexFile.Out out) throws java.io.IOException {
        finishPending();
        out.writeInt(pages);
        out.writeInt(size);
        out.writeLongs(icount, size);
        out.writeLongs(pc, size);
        out.writeLongs(before, size);
        out.writeLongs(after, size);
        out.writeInts(offset, size);
        out.writeInts(meta, size);
        writeLists(out, pageChanges, pageChangeCount);
        writeLists(out, uncovered, uncoveredCount);
        out.writeInt(fullFrom);
    }

    private void writeLists(IndexFile.Out out, int[][] lists, int[] counts) throws java.io.IOException {
        int n = 0;
        for (int p = 0; p < pages; p++) {
            n += counts[p] > 0 ? 1 : 0;
        }
        out.writeInt(n);
        for (int p = 0; p < pages; p++) {
            if (counts[p] > 0) {
                out.writeInt(p);
                out.writeInt(counts[p]);
                out.writeInts(lists[p], counts[p]);
            }
        }
    }

    /** A log read back from {@link #writeTo}, for reading only (it logs nothing). */
    static WriteLog readFrom(IndexFile.In in, VirtMachine machine, Budget budget) throws java.io.IOException {
        WriteLog log = new WriteLog(machine, budget);
        in.expect(in.readInt() == log.pages, "pages of RAM");
        int n = in.readInt();
        in.expect(n >= 0 && n <= budget.capacity(), "number of changes");
        log.size = n;
        log.icount = in.readLongs(n);
        log.pc = in.readLongs(n);
        log.before = in.readLongs(n);
        log.after = in.readLongs(n);
        log.offset = in.readInts(n);
        log.meta = in.readInts(n);
        for (int i = 0; i < n; i++) {
            int len = log.meta[i] & 15;
            in.expect(len >= 1 && len <= 8 && log.offset[i] >= 0 && (long) log.offset[i] + len <= (long) log.pages << 12,
                    "change " + i);
        }
        log.readLists(in, log.pageChanges, log.pageChangeCount, n);
        log.readLists(in, log.uncovered, log.uncoveredCount, Integer.MAX_VALUE);
        log.fullFrom = in.readInt();
        log.size = n;
        return log;
    }

    private void readLists(IndexFile.In in, int[][] lists, int[] counts, int bound) throws java.io.IOException {
        int n = in.readInt();
        in.expect(n >= 0 && n <= pages, "number of pages");
        for (int i = 0; i < n; i++) {
            int p = in.readInt();
            int c = in.readInt();
            in.expect(p >= 0 && p < pages && c > 0 && c <= (bound == Integer.MAX_VALUE ? 1 << 28 : bound), "page list");
            lists[p] = in.readInts(c);
            counts[p] = c;
            for (int v : lists[p]) {
                in.expect(v >= 0 && v < bound, "page list entry");
            }
        }
    }

    // ------------------------------------------------------------------ reading

    /** Changes logged. */
    int size() {
        return size;
    }

    /** The first interval the log does not cover at all because it filled up, or -1. */
    int fullFrom() {
        return fullFrom == NONE ? -1 : fullFrom;
    }

    /**
     * True if interval {@code k} is covered for every page of RAM offsets [off, off+len): each
     * was logged all through it or not written in it.
     */
    boolean covers(int k, long off, int len) {
        if (k >= fullFrom) {
            return false;
        }
        for (long p = off >>> 12; p <= (off + len - 1) >>> 12; p++) {
            int[] list = uncovered[(int) p];
            if (list != null && Arrays.binarySearch(list, 0, uncoveredCount[(int) p], k) >= 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Indices of the logged changes that touch RAM offsets [off, off+len) at positions in
     * [from, to), in order. Only meaningful within covered intervals.
     */
    int[] changes(long off, int len, long from, long to) {
        int firstPage = (int) (off >>> 12);
        int lastPage = (int) ((off + len - 1) >>> 12);
        int[] out = new int[16];
        int n = 0;
        int lastAdded = -1;
        // a range spans at most two pages: merge their lists, which are in order
        int[] a = slice(firstPage, from, to);
        int[] b = lastPage != firstPage ? slice(lastPage, from, to) : new int[0];
        int i = 0;
        int j = 0;
        while (i < a.length || j < b.length) {
            int next = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
            if (next == lastAdded || !overlaps(next, off, len)) {
                continue;
            }
            if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = next;
            lastAdded = next;
        }
        return Arrays.copyOf(out, n);
    }

    private int[] slice(int p, long from, long to) {
        int[] list = pageChanges[p];
        if (list == null) {
            return new int[0];
        }
        int lo = lowerBound(list, pageChangeCount[p], from);
        int hi = lowerBound(list, pageChangeCount[p], to);
        return Arrays.copyOfRange(list, lo, hi);
    }

    /** First index in list[0, n) whose change is at a position >= icount. */
    private int lowerBound(int[] list, int n, long ic) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (icount[list[mid]] < ic) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private boolean overlaps(int i, long off, int len) {
        return offset[i] < off + len && off < offset[i] + (meta[i] & 15);
    }

    long icount(int i) {
        return icount[i];
    }

    long pc(int i) {
        return pc[i];
    }

    int hart(int i) {
        return meta[i] >>> 8 & 0xff;
    }

    int privilege(int i) {
        return meta[i] >>> 5 & 3;
    }

    boolean hartStore(int i) {
        return (meta[i] & 16) != 0;
    }

    int offset(int i) {
        return offset[i];
    }

    int length(int i) {
        return meta[i] & 15;
    }

    /** The bytes change {@code i} replaced and wrote, little-endian in the low {@link #length} bytes. */
    long before(int i) {
        return before[i];
    }

    long after(int i) {
        return after[i];
    }

    /** Undoes change {@code i} in {@code range} (see {@link #apply}): its bytes in the range take their old value. */
    void undo(int i, long rangeOff, byte[] range) {
        int len = meta[i] & 15;
        for (int b = 0; b < len; b++) {
            long at = offset[i] + b - rangeOff;
            if (at >= 0 && at < range.length) {
                range[(int) at] = (byte) (before[i] >>> (8 * b));
            }
        }
    }

    /**
     * Applies change {@code i} to {@code range}, the bytes of RAM offsets [rangeOff,
     * rangeOff+range.length): the bytes it wrote that fall in the range take their new value.
     */
    void apply(int i, long rangeOff, byte[] range) {
        int len = meta[i] & 15;
        for (int b = 0; b < len; b++) {
            long at = offset[i] + b - rangeOff;
            if (at >= 0 && at < range.length) {
                range[(int) at] = (byte) (after[i] >>> (8 * b));
            }
        }
    }
}
