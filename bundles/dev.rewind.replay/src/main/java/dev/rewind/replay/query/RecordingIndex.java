package dev.rewind.replay.query;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import dev.rewind.replay.Timeline;

/**
 * What the indexing replay ({@link IndexRecorder}) learnt, read from its {@link IndexFile}: the
 * snapshot intervals' bounds and the running hart at each, every change of each hart's satp, which
 * intervals wrote each RAM page, the write log's changes per page and the 64-byte lines it does
 * not cover per interval, and the events. A query for writes then replays only the intervals that
 * wrote one of its pages and the log does not cover for its lines; events are answered from the
 * list. Page blocks and events are read (and checked) when first needed, so opening costs the
 * summary, not the log.
 *
 * <p>Pages are physical (RAM offset / 4096). Once a hart turned on address translation
 * ({@link #translated()}), virtual addresses are first followed to the physical ones they map to
 * ({@link MappingHistory}).
 */
final class RecordingIndex implements AutoCloseable {

    private static final int NONE = Integer.MAX_VALUE;

    private final IndexFile.Opened file;
    private final long[] bounds;
    private final boolean translated;
    private final int harts;
    /** Per hart: satp at the start, then the positions it changed at and the values. */
    private final long[] satpStart;
    private final long[][] satpAt;
    private final long[][] satpValue;
    private final int[] running;
    private final long[] allPagesIntervals;
    private final int fullFrom;
    private final int pages;
    private final int logSize;
    private final Map<Integer, LoggedChanges.Page> pageCache = new TreeMap<>();
    private final Supplier<List<QueryEvent>> moreEvents;
    private List<QueryEvent> events;

    private RecordingIndex(IndexFile.Opened file, long[] bounds, boolean translated, int harts, long[] satpStart,
            long[][] satpAt, long[][] satpValue, int[] running,
            long[] allPagesIntervals, int fullFrom, int pages, int logSize, Supplier<List<QueryEvent>> moreEvents) {
        this.file = file;
        this.bounds = bounds;
        this.translated = translated;
        this.harts = harts;
        this.satpStart = satpStart;
        this.satpAt = satpAt;
        this.satpValue = satpValue;
        this.running = running;
        this.allPagesIntervals = allPagesIntervals;
        this.fullFrom = fullFrom;
        this.pages = pages;
        this.logSize = logSize;
        this.moreEvents = moreEvents;
    }

    /**
     * Reads an opened index's summary for {@code session} (which has not replayed anything);
     * {@code moreEvents}: the events the recording's log holds, added when events are first asked for.
     */
    static RecordingIndex read(IndexFile.Opened file, Timeline session, Supplier<List<QueryEvent>> moreEvents)
            throws IndexFile.Unusable {
        IndexFile.In in = file.summary;
        try {
            long[] bounds = in.readLongsUpTo(1 << 26);
            int captures = bounds.length;
            in.expect(captures >= 1, "number of intervals");
            for (int i = 1; i < captures; i++) {
                in.expect(bounds[i] > bounds[i - 1], "interval bounds");
            }
            in.expect(bounds[0] == session.startIcount() && bounds[captures - 1] <= session.endIcount(),
                    "the recording's start and end");
            boolean translated = in.readBoolean();
            int[] running = in.readInts(captures);
            int harts = in.readInt();
            in.expect(harts == session.machine().harts(), "number of harts");
            for (int r : running) {
                in.expect(r >= 0 && r < harts, "running hart");
            }
            long[] satpStart = new long[harts];
            long[][] satpAt = new long[harts][];
            long[][] satpValue = new long[harts][];
            for (int h = 0; h < harts; h++) {
                satpStart[h] = in.readLong();
                satpAt[h] = in.readLongsUpTo(1 << 26);
                satpValue[h] = in.readLongs(satpAt[h].length);
                for (int i = 0; i < satpAt[h].length; i++) {
                    in.expect(satpAt[h][i] > (i == 0 ? bounds[0] : satpAt[h][i - 1]) && satpAt[h][i] <= bounds[captures - 1] + 1,
                            "satp changes");
                }
            }
            long[] all = in.readLongsUpTo(captures);
            for (long k : all) {
                in.expect(k >= 1 && k < captures, "intervals that wrote anything");
            }
            int full = in.readInt();
            in.expect(full == -1 || full >= 1, "where the write log filled up");
            int pages = in.readInt();
            in.expect((long) pages << 12 == session.machine().config().ramSize(), "pages of RAM");
            int logSize = in.readInt();
            in.expect(logSize >= 0, "number of changes");
            in.expect(!in.buf.hasRemaining(), "summary length");
            Arrays.sort(all);
            return new RecordingIndex(file, bounds, translated, harts, satpStart, satpAt, satpValue, running, all, full < 0 ? NONE : full, pages,
                    logSize, moreEvents);
        } catch (IOException | RuntimeException e) {
            throw new IndexFile.Unusable("is damaged: " + (e instanceof IOException ? e.getMessage() : e.toString()));
        }
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    /** Page {@code p}'s block, read and checked the first time (DamagedPart if it is not consistent). */
    LoggedChanges.Page page(int p) {
        LoggedChanges.Page page = pageCache.get(p);
        if (page == null) {
            page = readPage(p);
            pageCache.put(p, page);
        }
        return page;
    }

    private LoggedChanges.Page readPage(int p) {
        if (p < 0 || p >= pages) {
            return LoggedChanges.Page.EMPTY;
        }
        IndexFile.In in = file.page(p);
        if (in == null) {
            return LoggedChanges.Page.EMPTY;
        }
        int captures = bounds.length;
        try {
            int[] written = in.readIntsUpTo(captures);
            ascending(in, written, captures, "page " + p + "'s intervals");
            int[] unc = in.readIntsUpTo(captures);
            ascending(in, unc, captures, "page " + p + "'s uncovered intervals");
            long[] uncLines = in.readLongs(unc.length);
            int[] seq = in.readIntsUpTo(logSize);
            int n = seq.length;
            long[] icount = in.readLongs(n);
            long[] pc = in.readLongs(n);
            long[] before = in.readLongs(n);
            long[] after = in.readLongs(n);
            int[] offset = in.readInts(n);
            int[] meta = in.readInts(n);
            long base = (long) p << 12;
            for (int i = 0; i < n; i++) {
                int len = meta[i] & 15;
                in.expect(seq[i] >= 0 && seq[i] < logSize && (i == 0 || seq[i] > seq[i - 1] && icount[i] >= icount[i - 1])
                        && len >= 1 && len <= 8 && offset[i] + len > base && offset[i] < base + 4096
                        && icount[i] >= bounds[0] && icount[i] <= bounds[captures - 1], "page " + p + "'s change " + i);
            }
            int[] imageInterval = in.readIntsUpTo(1 << 24);
            long[] imageLines = in.readLongs(imageInterval.length);
            long imageSize = 0;
            for (int i = 0; i < imageInterval.length; i++) {
                in.expect(imageInterval[i] >= 1 && imageInterval[i] < captures
                        && (i == 0 || imageInterval[i] >= imageInterval[i - 1]) && imageLines[i] != 0, "page " + p + "'s images");
                imageSize += Long.bitCount(imageLines[i]) * (long) WriteLog.LINE;
            }
            int size = in.readInt();
            in.expect(size == imageSize && size <= in.buf.remaining(), "page " + p + "'s image bytes");
            byte[] images = new byte[size];
            in.buf.get(images);
            in.expect(!in.buf.hasRemaining(), "page " + p + "'s length");
            return new LoggedChanges.Page(written, unc, uncLines, seq, icount, pc, before, after, offset, meta, imageInterval,
                    imageLines, images);
        } catch (IOException | RuntimeException e) {
            throw new IndexFile.DamagedPart("is damaged: " + (e instanceof IOException ? e.getMessage() : e.toString()));
        }
    }

    private static void ascending(IndexFile.In in, int[] ks, int captures, String what) throws IOException {
        for (int i = 0; i < ks.length; i++) {
            in.expect(ks[i] >= 1 && ks[i] < captures && (i == 0 || ks[i] > ks[i - 1]), what);
        }
    }

    /** Every event the index and the recording's log know of, in order (read on the first call). */
    List<QueryEvent> events() {
        if (events == null) {
            List<QueryEvent> all = new ArrayList<>();
            IndexFile.In in = file.events();
            try {
                int n = in.readInt();
                in.expect(n >= 0 && n <= in.buf.remaining() / 36, "number of events");
                QueryEvent.Kind[] kinds = QueryEvent.Kind.values();
                for (int i = 0; i < n; i++) {
                    long icount = in.readLong();
                    int kind = in.readInt();
                    in.expect(kind >= 0 && kind < kinds.length, "event kind");
                    all.add(new QueryEvent(icount, kinds[kind], in.readLong(), in.readInt(), in.readInt(), in.readLong(),
                            in.readString(), in.readInt()));
                }
                in.expect(!in.buf.hasRemaining(), "events' length");
            } catch (IOException | RuntimeException e) {
                throw new IndexFile.DamagedPart("is damaged: " + (e instanceof IOException ? e.getMessage() : e.toString()));
            }
            all.addAll(moreEvents.get());
            all.sort((a, b) -> Long.compare(a.icount(), b.icount()));
            events = all;
        }
        return events;
    }

    boolean translated() {
        return translated;
    }

    /** Changes in the write log. */
    int logSize() {
        return logSize;
    }

    /** The first interval the log does not cover at all because it filled up, or -1. */
    int fullFrom() {
        return fullFrom == NONE ? -1 : fullFrom;
    }

    /**
     * True if the write log holds every change of RAM offsets [offset, offset+length) in interval
     * {@code k}: each of the range's 64-byte lines was logged all through it (or its page not
     * written), so the interval need not be replayed for writes to them.
     */
    boolean logCovers(int k, long offset, int length) {
        if (k >= fullFrom || Arrays.binarySearch(allPagesIntervals, k) >= 0) {
            return false;
        }
        for (long p = offset >>> 12; p <= (offset + length - 1) >>> 12; p++) {
            LoggedChanges.Page page = page((int) p);
            int i = Arrays.binarySearch(page.uncovered(), k);
            if (i >= 0 && (page.uncoveredLines()[i] & WriteLog.lines((int) p, offset, length)) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The 64 bytes of the line at RAM offset {@code lineOff} (a multiple of 64) at position
     * {@code at}, from the log alone: the line's image from when it was logged again after the
     * last interval before {@code at} it was not logged all through, and the logged changes since;
     * null if the log cannot tell (no such interval: the bytes come from elsewhere; no image).
     */
    byte[] lineAt(long lineOff, long at) {
        int p = (int) (lineOff >>> 12);
        int line = (int) (lineOff & 4095) / WriteLog.LINE;
        long bit = 1L << line;
        if (fullFrom != NONE && start(fullFrom) < at) {
            return null;
        }
        LoggedChanges.Page page = page(p);
        int[] unc = page.uncovered();
        int u = -1;
        for (int i = unc.length - 1; i >= 0 && u < 0; i--) {
            if ((page.uncoveredLines()[i] & bit) != 0 && start(unc[i]) < at) {
                u = unc[i];
            }
        }
        for (long k : allPagesIntervals) {
            if (start((int) k) < at) {
                u = Math.max(u, (int) k);
            }
        }
        if (u < 0) {
            return null;
        }
        int[] image = page.imageAfter(u, line);
        if (image == null) {
            return null;
        }
        int r = image[0];
        for (int i = 0; i < unc.length; i++) {
            if (unc[i] > u && unc[i] < r && (page.uncoveredLines()[i] & bit) != 0) {
                return null; // written again while resting: the image is not the bytes at the position
            }
        }
        byte[] bytes = java.util.Arrays.copyOfRange(page.imageBytes(), image[1], image[1] + WriteLog.LINE);
        if (start(r) < at) {
            LoggedChanges c = changes(lineOff, WriteLog.LINE, start(r), at);
            for (int i = 0; i < c.size(); i++) {
                c.apply(i, lineOff, bytes);
            }
        } // else the line, not logged and its page not written, kept its bytes from position at to the image
        return bytes;
    }

    /** The logged changes touching RAM offsets [off, off+len) at positions in [from, to), in order. */
    LoggedChanges changes(long off, int len, long from, long to) {
        int first = (int) (off >>> 12);
        int last = (int) ((off + len - 1) >>> 12);
        LoggedChanges.Page[] ps = new LoggedChanges.Page[last - first + 1];
        for (int p = first; p <= last; p++) {
            ps[p - first] = page(p);
        }
        return LoggedChanges.of(ps, off, len, from, to);
    }

    int intervals() {
        return bounds.length - 1;
    }

    /** Interval k (1-based) covers positions [start(k), end(k)). */
    long start(int k) {
        return bounds[k - 1];
    }

    long end(int k) {
        return bounds[k];
    }

    /** The interval holding position {@code icount} (clamped to the first and last). */
    int intervalAt(long icount) {
        int i = Arrays.binarySearch(bounds, icount);
        int k = i >= 0 ? i + 1 : -i - 1;
        return Math.max(1, Math.min(bounds.length - 1, k));
    }

    /** The bound at position {@code icount} (0: the start), or -1 if none lies there. */
    int boundAt(long icount) {
        int i = Arrays.binarySearch(bounds, icount);
        return i >= 0 ? i : -1;
    }

    /** Hart {@code hart}'s satp at position {@code icount}. */
    long satpAt(long icount, int hart) {
        long[] at = satpAt[hart];
        int i = Arrays.binarySearch(at, icount);
        int n = i >= 0 ? i + 1 : -i - 1; // changes at positions <= icount
        return n == 0 ? satpStart[hart] : satpValue[hart][n - 1];
    }

    int harts() {
        return harts;
    }

    /** The hart about to run at bound {@code b}. */
    int running(int b) {
        return running[b];
    }

    /**
     * Intervals, ascending, in which a page of RAM offsets [offset, offset+length) was written;
     * every interval when the index cannot tell.
     */
    int[] intervalsWriting(long offset, long length) {
        if (offset < 0 || length <= 0 || offset + length > (long) pages << 12) {
            return allIntervals();
        }
        java.util.TreeSet<Integer> ks = new java.util.TreeSet<>();
        for (long p = offset >>> 12; p <= (offset + length - 1) >>> 12; p++) {
            for (int k : page((int) p).written()) {
                ks.add(k);
            }
        }
        for (long k : allPagesIntervals) {
            ks.add((int) k);
        }
        return ks.stream().mapToInt(Integer::intValue).toArray();
    }

    int[] allIntervals() {
        int[] all = new int[bounds.length - 1];
        for (int i = 0; i < all.length; i++) {
            all[i] = i + 1;
        }
        return all;
    }
}
