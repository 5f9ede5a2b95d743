package dev.rewind.replay.query;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

import dev.rewind.emulator.TrapObserver;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.replay.Timeline;
import dev.rewind.replay.Stop;
import dev.rewind.replay.StopConditions;

/**
 * What one forward replay of a whole recording learns for the queries: the RAM pages each
 * snapshot interval wrote (from the session's own incremental captures, so it costs nothing
 * extra), every trap, interrupt and return from one, every UART byte out and disk request with
 * its position and pc. A query for writes then replays only the intervals that wrote one of its
 * pages; events are answered from the list.
 *
 * <p>Pages are physical (RAM offset / 4096). Once a hart turned on address translation
 * ({@link #translated()}), virtual addresses are first followed to the physical ones they map to
 * ({@link MappingHistory}).
 */
final class RecordingIndex implements Timeline.IndexObserver, TrapObserver {

    private final Timeline session;
    private final VirtMachine machine;
    /** Capture icounts, ascending: interval k covers positions [bounds[k-1], bounds[k]). */
    private long[] bounds = new long[64];
    private int captures;
    /** Page -> intervals (k >= 1) that wrote it, ascending. */
    private final TreeMap<Long, long[]> pageIntervals = new TreeMap<>();
    private final List<QueryEvent> events = new ArrayList<>();
    private boolean translated;
    private WriteLog writes;

    private RecordingIndex(Timeline session, WriteLog.Budget budget) {
        this(session, budget, new WriteLog(session.machine(), budget));
    }

    private RecordingIndex(Timeline session, WriteLog.Budget budget, WriteLog writes) {
        this.session = session;
        this.machine = session.machine();
        this.writes = writes;
    }

    /**
     * Replays {@code session} (fresh, at its start) to the end of its history, indexing. The
     * session's echo must be {@link #uartTap()}'s stream for UART output to be indexed.
     */
    static RecordingIndex build(Timeline session, UartTap tap, Progress progress) {
        return build(session, tap, progress, WriteLog.Budget.DEFAULT);
    }

    static RecordingIndex build(Timeline session, UartTap tap, Progress progress, WriteLog.Budget budget) {
        if (session.icount() != session.startIcount()) {
            session.moveTo(session.startIcount()); // the engine looked elsewhere before it indexed
        }
        RecordingIndex index = new RecordingIndex(session, budget);
        index.bounds[index.captures++] = session.icount();
        tap.index = index;
        session.observe(index);
        session.machine().observeTraps(index);
        index.writes.start();
        long start = session.startIcount();
        long end = session.endIcount();
        long interval = session.snapshotInterval();
        try {
            while (session.icount() < end) {
                if (progress.cancelled()) {
                    throw new QueryCancelledException();
                }
                index.noteTranslation();
                long next = Math.min(end, (session.icount() / interval + 1) * interval);
                Stop r = session.scan(next, StopConditions.NONE);
                progress.worked(session.icount() - start, end - start);
                if (r.kind() == Stop.Kind.HISTORY_END || r.kind() == Stop.Kind.INTERRUPTED) {
                    break;
                }
            }
        } finally {
            tap.index = null;
            session.observe(null);
            session.machine().observeTraps(null);
            index.writes.stop();
        }
        if (index.bounds[index.captures - 1] < session.icount()) {
            // the last stretch ends without a capture: the write log tells which pages it may have
            // written; if the log is full, count it as an interval that wrote anything
            index.addBound(session.icount());
            int k = index.captures - 1;
            int[] pages = index.writes.lastIntervalEnded(k);
            if (pages == null) {
                index.writtenAll(k);
            } else {
                for (int p : pages) {
                    index.addPageInterval(p, k);
                }
            }
        }
        index.events.sort((a, b) -> Long.compare(a.icount(), b.icount()));
        return index;
    }

    private void noteTranslation() {
        for (int h = 0; h < machine.harts() && !translated; h++) {
            translated = (machine.hart(h).csr(0x180).orElse(0) >>> 60) != 0;
        }
    }

    private void addBound(long icount) {
        if (captures == bounds.length) {
            bounds = Arrays.copyOf(bounds, captures * 2);
        }
        bounds[captures++] = icount;
    }

    private final List<Long> allPagesIntervals = new ArrayList<>();

    private void writtenAll(int interval) {
        allPagesIntervals.add((long) interval);
    }

    @Override
    public void captured(long icount, Set<Long> writtenPages) {
        if (icount <= bounds[captures - 1]) {
            return; // the capture at open, or a repeat
        }
        addBound(icount);
        long k = captures - 1;
        writes.intervalEnded((int) k, writtenPages);
        for (long page : writtenPages) {
            addPageInterval(page, k);
        }
    }

    private void addPageInterval(long page, long k) {
        long[] list = pageIntervals.get(page); // list[0] = count, then the intervals
        if (list == null) {
            list = new long[4];
        } else if (list[0] + 1 >= list.length) {
            list = Arrays.copyOf(list, list.length * 2);
        }
        list[(int) ++list[0]] = k;
        pageIntervals.put(page, list);
    }

    @Override
    public void blockSubmitted(long icount, long requestId) {
        events.add(new QueryEvent(icount, QueryEvent.Kind.DISK_REQUEST, machine.pc(), -1, -1, requestId,
                "request " + requestId, machine.currentHart()));
    }

    // Traps and stores happen while their hart runs: it is the machine's current one.

    @Override
    public void trap(long icount, long epc, int cause, boolean interrupt, long tval, int from, int to, long handler) {
        events.add(new QueryEvent(icount, interrupt ? QueryEvent.Kind.INTERRUPT : QueryEvent.Kind.EXCEPTION, epc, from,
                to, cause, Causes.name(cause, interrupt) + (interrupt ? "" : ", tval 0x" + Long.toHexString(tval))
                        + ", handler 0x" + Long.toHexString(handler), machine.currentHart()));
    }

    @Override
    public void trapReturn(long icount, long pc, int from, int to, long target) {
        events.add(new QueryEvent(icount, QueryEvent.Kind.TRAP_RETURN, pc, from, to, target,
                (from == 3 ? "mret" : "sret") + " to 0x" + Long.toHexString(target), machine.currentHart()));
    }

    void uartByte(int b) {
        events.add(new QueryEvent(machine.icount(), QueryEvent.Kind.UART_OUT, machine.pc(), -1, -1, b & 0xff,
                Causes.printable(b), machine.currentHart()));
    }

    /** The guest's UART output, seen by the index while it is built (the session's echo stream). */
    static final class UartTap extends OutputStream {
        RecordingIndex index;

        @Override
        public void write(int b) {
            if (index != null) {
                index.uartByte(b);
            }
        }
    }

    void addEvents(List<QueryEvent> more) {
        events.addAll(more);
        events.sort((a, b) -> Long.compare(a.icount(), b.icount()));
    }

    List<QueryEvent> events() {
        return events;
    }

    /** Writes what {@link #build} learnt (not the log's events, which {@code addEvents} adds after). */
    void writeTo(IndexFile.Out out) throws java.io.IOException {
        out.writeInt(captures);
        out.writeLongs(bounds, captures);
        out.writeBoolean(translated);
        out.writeInt(pageIntervals.size());
        for (var e : pageIntervals.entrySet()) {
            out.writeLong(e.getKey());
            long[] list = e.getValue();
            out.writeLongs(list, (int) list[0] + 1);
        }
        out.writeInt(allPagesIntervals.size());
        for (long k : allPagesIntervals) {
            out.writeLong(k);
        }
        out.writeInt(events.size());
        for (QueryEvent e : events) {
            out.writeLong(e.icount());
            out.writeInt(e.kind().ordinal());
            out.writeLong(e.pc());
            out.writeInt(e.fromPrivilege());
            out.writeInt(e.toPrivilege());
            out.writeLong(e.value());
            out.writeString(e.detail() == null ? "" : e.detail());
            out.writeInt(e.hart());
        }
        writes.writeTo(out);
    }

    /** An index read back from {@link #writeTo} for {@code session} (which has not replayed anything). */
    static RecordingIndex readFrom(IndexFile.In in, Timeline session, WriteLog.Budget budget) throws java.io.IOException {
        RecordingIndex index = new RecordingIndex(session, budget, null);
        int captures = in.readInt();
        in.expect(captures >= 1 && captures <= 1 << 26, "number of intervals");
        index.bounds = in.readLongs(captures);
        index.captures = captures;
        for (int i = 1; i < captures; i++) {
            in.expect(index.bounds[i] > index.bounds[i - 1], "interval bounds");
        }
        in.expect(index.bounds[0] == session.startIcount() && index.bounds[captures - 1] <= session.endIcount(),
                "the recording's start and end");
        index.translated = in.readBoolean();
        int pages = in.readInt();
        in.expect(pages >= 0 && pages <= 1 << 24, "number of pages");
        for (int i = 0; i < pages; i++) {
            long page = in.readLong();
            long[] list = in.readLongsUpTo(captures);
            in.expect(list.length >= 1 && list[0] == list.length - 1, "page interval list");
            for (int j = 1; j < list.length; j++) {
                in.expect(list[j] >= 1 && list[j] < captures, "page interval");
            }
            index.pageIntervals.put(page, list);
        }
        int all = in.readInt();
        in.expect(all >= 0 && all < captures, "intervals that wrote anything");
        for (int i = 0; i < all; i++) {
            index.allPagesIntervals.add(in.readLong());
        }
        int events = in.readInt();
        in.expect(events >= 0, "number of events");
        QueryEvent.Kind[] kinds = QueryEvent.Kind.values();
        for (int i = 0; i < events; i++) {
            long icount = in.readLong();
            int kind = in.readInt();
            in.expect(kind >= 0 && kind < kinds.length, "event kind");
            index.events.add(new QueryEvent(icount, kinds[kind], in.readLong(), in.readInt(), in.readInt(), in.readLong(),
                    in.readString(), in.readInt()));
        }
        index.writes = WriteLog.readFrom(in, session.machine(), budget);
        return index;
    }

    boolean translated() {
        return translated;
    }

    /** The changes of RAM logged while indexing. */
    WriteLog writeLog() {
        return writes;
    }

    /**
     * True if the write log holds every change of RAM offsets [offset, offset+length) in interval
     * {@code k}, so the interval need not be replayed for writes to them.
     */
    boolean logCovers(int k, long offset, int length) {
        return !allPagesIntervals.contains((long) k) && writes.covers(k, offset, length);
    }

    int intervals() {
        return captures - 1;
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
        int i = Arrays.binarySearch(bounds, 0, captures, icount);
        int k = i >= 0 ? i + 1 : -i - 1;
        return Math.max(1, Math.min(captures - 1, k));
    }

    /**
     * Intervals, ascending, in which a page of RAM offsets [offset, offset+length) was written;
     * every interval when the index cannot tell.
     */
    int[] intervalsWriting(long offset, long length) {
        if (offset < 0 || length <= 0) {
            return allIntervals();
        }
        java.util.TreeSet<Long> ks = new java.util.TreeSet<>();
        for (long page = offset >>> 12; page <= (offset + length - 1) >>> 12; page++) {
            long[] list = pageIntervals.get(page);
            if (list != null) {
                for (int i = 1; i <= list[0]; i++) {
                    ks.add(list[i]);
                }
            }
        }
        ks.addAll(allPagesIntervals);
        return ks.stream().mapToInt(Long::intValue).toArray();
    }

    int[] allIntervals() {
        int[] all = new int[captures - 1];
        for (int i = 0; i < all.length; i++) {
            all[i] = i + 1;
        }
        return all;
    }
}
