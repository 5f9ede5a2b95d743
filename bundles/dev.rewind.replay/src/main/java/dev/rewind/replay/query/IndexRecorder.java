package dev.rewind.replay.query;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

import dev.rewind.emulator.TrapObserver;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.replay.Stop;
import dev.rewind.replay.StopConditions;
import dev.rewind.replay.Timeline;

/**
 * The indexing replay: one forward replay of a whole recording that learns what the queries
 * need (see {@link RecordingIndex}) and writes it with {@link IndexFile}: the RAM pages each
 * snapshot interval wrote (from the session's own incremental captures, so it costs nothing
 * extra), each hart's satp at the start and every write of it, the running hart at every
 * interval bound (so a walk of the page tables needs no replay), every trap, interrupt and return from one, every UART byte out
 * and disk request with its position and pc, and the {@link WriteLog}.
 */
final class IndexRecorder implements Timeline.IndexObserver, TrapObserver {

    private final VirtMachine machine;
    /** Capture icounts, ascending: interval k covers positions [bounds[k-1], bounds[k]). */
    long[] bounds = new long[64];
    /** Per bound: the hart about to run. */
    int[] running = new int[64];
    /** Per hart: satp at the start, and each change (the position it holds from, the value). */
    final long[] satpStart;
    final long[][] satpAt;
    final long[][] satpValue;
    final int[] satpChanges;
    int captures;
    /** Page -> intervals (k >= 1) that wrote it: list[0] = count, then the intervals, ascending. */
    final TreeMap<Long, long[]> pageIntervals = new TreeMap<>();
    final List<Long> allPagesIntervals = new ArrayList<>();
    final List<QueryEvent> events = new ArrayList<>();
    boolean translated;
    final WriteLog writes;

    private IndexRecorder(VirtMachine machine, WriteLog.Budget budget) {
        this.machine = machine;
        this.writes = new WriteLog(machine, budget);
        int harts = machine.harts();
        satpStart = new long[harts];
        for (int h = 0; h < harts; h++) {
            satpStart[h] = machine.hart(h).csr(0x180).orElse(0);
        }
        satpAt = new long[harts][16];
        satpValue = new long[harts][16];
        satpChanges = new int[harts];
    }

    /**
     * Replays {@code session} (fresh, at its start) to the end of its history, indexing. The
     * session's echo must be {@link UartTap}'s stream for UART output to be indexed.
     */
    static IndexRecorder build(Timeline session, UartTap tap, Progress progress, WriteLog.Budget budget) {
        if (session.icount() != session.startIcount()) {
            session.moveTo(session.startIcount()); // the engine looked elsewhere before it indexed
        }
        IndexRecorder index = new IndexRecorder(session.machine(), budget);
        index.addBound(session.icount());
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
                index.allPagesIntervals.add((long) k);
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
            running = Arrays.copyOf(running, captures * 2);
        }
        bounds[captures] = icount;
        running[captures] = machine.currentHart();
        captures++;
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

    @Override
    public void satpWritten(long icount, long satp) {
        int h = machine.currentHart();
        int n = satpChanges[h];
        if ((n == 0 ? satpStart[h] : satpValue[h][n - 1]) == satp) {
            return; // the same address space again (Linux writes satp on every switch of mm)
        }
        if (n == satpAt[h].length) {
            satpAt[h] = Arrays.copyOf(satpAt[h], n * 2);
            satpValue[h] = Arrays.copyOf(satpValue[h], n * 2);
        }
        satpAt[h][n] = icount;
        satpValue[h][n] = satp;
        satpChanges[h]++;
    }

    void uartByte(int b) {
        events.add(new QueryEvent(machine.icount(), QueryEvent.Kind.UART_OUT, machine.pc(), -1, -1, b & 0xff,
                Causes.printable(b), machine.currentHart()));
    }

    /** The guest's UART output, seen by the index while it is built (the session's echo stream). */
    static final class UartTap extends OutputStream {
        IndexRecorder index;

        @Override
        public void write(int b) {
            if (index != null) {
                index.uartByte(b);
            }
        }
    }

    int hartCount() {
        return machine.harts();
    }

    /** The intervals that wrote page {@code p}, ascending. */
    int[] intervalsOf(int p) {
        long[] list = pageIntervals.get((long) p);
        int[] out = new int[list == null ? 0 : (int) list[0]];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) list[i + 1];
        }
        return out;
    }
}
