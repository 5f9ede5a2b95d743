package dev.rewind.replay.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;

import dev.rewind.emulator.RamWriteObserver;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.emulator.WatchHit;
import dev.rewind.emulator.WatchKind;
import dev.rewind.replay.Stop;
import dev.rewind.replay.StopConditions;
import dev.rewind.replay.Timeline;

/**
 * Finds the accesses of a range over a stretch of the recording, interval by interval: only
 * intervals the {@link RecordingIndex} says wrote the range's pages (for writes to RAM; every
 * interval for reads and device registers). Of those, an interval the {@link WriteLog} covers
 * for the range is answered from the log, any other is replayed with a watchpoint from its
 * snapshot. The log's answers need the range's bytes at the interval's start: carried over from
 * the interval before (the range does not change in intervals that did not write its pages), from
 * the log ({@link #bytesAt}), or read once after moving to the interval's start.
 */
final class AccessSearch {

    private final Timeline session;
    private final RecordingIndex index;
    private final LongFunction<String> where;
    private int replayed;

    AccessSearch(Timeline session, RecordingIndex index, LongFunction<String> where) {
        this.session = session;
        this.index = index;
        this.where = where;
    }

    /** Intervals the last search replayed (the others came from the index or the log). */
    int replayed() {
        return replayed;
    }

    /** Starts counting the intervals replayed (a query may search several ranges). */
    void resetReplayed() {
        replayed = 0;
    }

    /**
     * The last access of {@code kind} to {@code t} by an instruction at a position in [from,
     * before).
     */
    Optional<Access> last(Target t, WatchKind kind, long from, long before, Progress progress) {
        int[] ks = candidates(t, kind);
        long total = 0;
        for (int k : ks) {
            if (index.start(k) < before && index.end(k) > from) {
                total += Math.min(index.end(k), before) - Math.max(index.start(k), from);
            }
        }
        long done = 0;
        for (int i = ks.length - 1; i >= 0; i--) {
            int k = ks[i];
            long s = Math.max(index.start(k), from);
            if (index.start(k) >= before) {
                continue;
            }
            if (index.end(k) <= from) {
                break;
            }
            long e = Math.min(index.end(k), before);
            List<Access> hits;
            if (fromLog(t, kind, k)) {
                hits = logged(t, k, s, e, 0, null);
            } else {
                hits = scan(t, kind, s, e, 0, progress, done, total);
            }
            done += e - s;
            if (!hits.isEmpty()) {
                return Optional.of(hits.get(hits.size() - 1));
            }
        }
        return Optional.empty();
    }

    /**
     * Up to {@code max} accesses of {@code kind} to {@code t} by instructions at positions in
     * [from, to), in order.
     */
    List<Access> collect(Target t, WatchKind kind, long from, long to, int max, Progress progress) {
        int[] ks = candidates(t, kind);
        long total = 0;
        for (int k : ks) {
            total += Math.max(0, Math.min(index.end(k), to) - Math.max(index.start(k), from));
        }
        long done = 0;
        List<Access> out = new ArrayList<>();
        byte[] carried = null; // the range's bytes at the start of the next candidate interval, if known
        for (int k : ks) {
            long s = Math.max(index.start(k), from);
            long e = Math.min(index.end(k), to);
            if (s >= e) {
                continue;
            }
            if (fromLog(t, kind, k)) {
                out.addAll(logged(t, k, s, e, max - out.size(), carried));
                carried = lastContent;
            } else {
                out.addAll(scan(t, kind, s, e, max - out.size(), progress, done, total));
                // the replay ended at the interval's end unless it stopped at the max
                carried = session.icount() == index.end(k) && inRam(t) ? read(t) : null;
            }
            done += e - s;
            progress.worked(done, total);
            if (out.size() >= max) {
                break;
            }
            if (progress.cancelled()) {
                throw new QueryCancelledException();
            }
        }
        return out;
    }

    /** The range's bytes at the end of the interval the last {@link #logged} call went through. */
    private byte[] lastContent;

    private boolean fromLog(Target t, WatchKind kind, int k) {
        return kind == WatchKind.WRITE && inRam(t) && physical(t) && index.logCovers(k, ramOffset(t), t.size());
    }

    /**
     * True if the range's addresses are physical ones: asked as such, or the recording never
     * translated addresses. Only such ranges are looked up in the index and the write log.
     */
    private boolean physical(Target t) {
        return t.physical() || !index.translated();
    }

    /**
     * The writes to {@code t} in [s, e) of interval {@code k} from the write log, up to {@code max}
     * (0: all). {@code content} is the range's bytes at the interval's start, or null to read them
     * from the interval's snapshot; it is updated in place to the interval's end (also
     * {@link #lastContent}).
     */
    private List<Access> logged(Target t, int k, long s, long e, int max, byte[] content) {
        long off = ramOffset(t);
        long start = index.start(k);
        LoggedChanges log = index.changes(off, t.size(), start, index.end(k));
        List<Access> out = new ArrayList<>();
        lastContent = content;
        if (log.size() == 0 || content == null && !log.storesIn(s, e)) {
            return out; // nothing to answer here: the bytes are only needed if known already
        }
        if (content == null && max <= 0) {
            Access whole = lastStoreOfWholeRange(t, log, s, e);
            if (whole != null) {
                return List.of(whole); // all a last() needs, without the range's bytes before it
            }
        }
        if (content == null) {
            content = contentAt(t, k);
        }
        for (int c = 0; c < log.size(); c++) {
            long ic = log.icount(c);
            byte[] before = content.clone();
            log.apply(c, off, content);
            if (ic >= s && ic < e && log.hartStore(c) && (max <= 0 || out.size() < max)) {
                long pc = log.pc(c);
                out.add(new Access(ic, log.hart(c), pc, log.privilege(c), true, VirtMachine.RAM_BASE + log.offset(c),
                        log.length(c), t.address(), before, content.clone(), where.apply(pc)));
            }
        }
        lastContent = content;
        return out;
    }

    /**
     * The last store in [s, e) among {@code log}'s changes if it wrote every byte of the range
     * (its bytes before and after are then in the log), else null.
     */
    private Access lastStoreOfWholeRange(Target t, LoggedChanges log, long s, long e) {
        long off = ramOffset(t);
        for (int c = log.size() - 1; c >= 0; c--) {
            if (log.icount(c) >= e || !log.hartStore(c)) {
                continue;
            }
            if (log.icount(c) < s || log.offset(c) > off || log.offset(c) + log.length(c) < off + t.size()) {
                return null;
            }
            byte[] before = new byte[t.size()];
            byte[] after = new byte[t.size()];
            int shift = (int) (off - log.offset(c));
            for (int b = 0; b < before.length; b++) {
                before[b] = (byte) (log.before(c) >>> (8 * (shift + b)));
                after[b] = (byte) (log.after(c) >>> (8 * (shift + b)));
            }
            long pc = log.pc(c);
            return new Access(log.icount(c), log.hart(c), pc, log.privilege(c), true, VirtMachine.RAM_BASE + log.offset(c),
                    log.length(c), t.address(), before, after, where.apply(pc));
        }
        return null;
    }

    /**
     * The range's bytes at the start of interval {@code k}: from the log if it can tell (see
     * {@link #bytesAt}), else read after moving to the interval's start (a snapshot restore once
     * the index was built by this process; a replay after one read back).
     */
    private byte[] contentAt(Target t, int k) {
        long start = index.start(k);
        byte[] b = bytesAt(t.address(), t.size(), start);
        if (b != null) {
            return b;
        }
        session.moveTo(start);
        return read(t);
    }

    /**
     * The bytes of physical RAM [pa, pa+size) at position {@code at}: the machine's bytes now
     * with the logged changes in between undone (or, from an earlier position, applied), if the
     * log covers every interval between that wrote them; else from the lines' images and the log
     * ({@link RecordingIndex#lineAt}); else null. Moves nothing.
     */
    byte[] bytesAt(long pa, int size, long at) {
        long off = pa - VirtMachine.RAM_BASE;
        if (off < 0 || off + size > session.machine().config().ramSize()) {
            return null;
        }
        long now = session.icount();
        long lo = Math.min(now, at);
        long hi = Math.max(now, at);
        byte[] content = readPhysical(session.machine(), pa, size);
        if (lo == hi) {
            return content;
        }
        for (int j : index.intervalsWriting(off, size)) {
            if (index.end(j) > lo && index.start(j) < hi && !index.logCovers(j, off, size)) {
                return fromImages(off, size, at);
            }
        }
        LoggedChanges between = index.changes(off, size, lo, hi);
        if (now >= at) {
            for (int i = between.size() - 1; i >= 0; i--) {
                between.undo(i, off, content);
            }
        } else {
            for (int c = 0; c < between.size(); c++) {
                between.apply(c, off, content);
            }
        }
        return content;
    }

    /** RAM offsets [off, off+size) at position {@code at} from the lines' images and the log, or null. */
    private byte[] fromImages(long off, int size, long at) {
        byte[] out = new byte[size];
        for (long line = off & -WriteLog.LINE; line < off + size; line += WriteLog.LINE) {
            byte[] b = index.lineAt(line, at);
            if (b == null) {
                return null;
            }
            for (long x = Math.max(off, line); x < Math.min(off + size, line + WriteLog.LINE); x++) {
                out[(int) (x - off)] = b[(int) (x - line)];
            }
        }
        return out;
    }

    /** Intervals to look at for {@code t}: those that wrote its pages (writes to RAM), else all. */
    private int[] candidates(Target t, WatchKind kind) {
        return kind == WatchKind.WRITE && inRam(t) && physical(t) ? index.intervalsWriting(ramOffset(t), t.size())
                : index.allIntervals();
    }

    /**
     * Replays positions [from, to) watching {@code t}; returns up to {@code max} accesses (0: all,
     * for a caller that wants the last one).
     */
    private List<Access> scan(Target t, WatchKind kind, long from, long to, int max, Progress progress, long done,
            long total) {
        if (progress.cancelled()) {
            throw new QueryCancelledException();
        }
        replayed++;
        session.moveTo(from);
        VirtMachine m = session.machine();
        boolean device = !inRam(t);
        byte[] shadow = device ? null : read(t);
        // a device's DMA may change the range between two stores: the bytes each store replaced
        // come from the machine itself (physical pages: only while addresses are)
        RangeBefore exact = device || !physical(t) ? null : new RangeBefore(m, ramOffset(t), t.size());
        List<Access> out = new ArrayList<>();
        StopConditions watched = new StopConditions();
        watched.addWatchpoint(t.address(), t.size(), kind, t.physical() ? WatchHit.PHYSICAL : WatchHit.ANY_SPACE);
        try {
            while (session.icount() < to) {
                Stop r = session.scan(to, watched);
                if (r.kind() != Stop.Kind.WATCHPOINT) {
                    break;
                }
                WatchHit hit = r.watch();
                byte[] after = device ? storedValue(m, hit) : read(t);
                byte[] before = !hit.write() ? after : exact != null && exact.seen ? exact.bytes.clone() : shadow;
                // the stop leaves the hart that hit the watchpoint current: it is the writer (or reader)
                out.add(new Access(hit.icount() - 1, m.currentHart(), hit.pc(), m.privilege(), hit.write(),
                        hit.address(), hit.size(), t.address(), before, after, where.apply(hit.pc())));
                shadow = device ? null : after;
                if (exact != null) {
                    exact.seen = false;
                }
                if (max > 0 && out.size() >= max) {
                    break;
                }
                if (progress.cancelled()) {
                    throw new QueryCancelledException();
                }
            }
        } finally {
            if (exact != null) {
                m.observeRamWrites(null);
            }
        }
        progress.worked(done + (to - from), total);
        return out;
    }

    /**
     * The range's bytes just before the latest store instruction that wrote it: logs the range's
     * pages (the watchpoint already sends every access to them down the slow path).
     */
    private static final class RangeBefore implements RamWriteObserver {
        private final VirtMachine m;
        private final long off;
        final byte[] bytes;
        boolean seen;
        private long seenAt = -1;

        RangeBefore(VirtMachine m, long off, int size) {
            this.m = m;
            this.off = off;
            this.bytes = new byte[size];
            m.observeRamWrites(this);
            for (long p = off >>> 12; p <= (off + size - 1) >>> 12; p++) {
                m.logRamWrites((int) p, true);
            }
        }

        @Override
        public void writing(byte[] ram, int at, int len, boolean hartStore) {
            // an instruction's first change of the range: a store split into bytes changes it several times
            if (hartStore && at < off + bytes.length && off < at + len && !(seen && seenAt == m.icount())) {
                System.arraycopy(ram, (int) off, bytes, 0, bytes.length);
                seen = true;
                seenAt = m.icount();
            }
        }
    }

    private long ramOffset(Target t) {
        return t.address() - VirtMachine.RAM_BASE;
    }

    boolean inRam(Target t) {
        long off = ramOffset(t);
        return off >= 0 && off + t.size() <= session.machine().config().ramSize();
    }

    /** The range's bytes now: physical ones as such, virtual ones through the current hart's translation. */
    byte[] read(Target t) {
        if (t.physical()) {
            return readPhysical(session.machine(), t.address(), t.size());
        }
        byte[] b = new byte[t.size()];
        session.machine().readMemory(t.address(), b, 0, b.length);
        return b;
    }

    /** {@code size} bytes at physical address {@code pa} (device registers peeked, without side effects). */
    static byte[] readPhysical(VirtMachine m, long pa, int size) {
        byte[] b = new byte[size];
        var view = m.physicalView();
        for (int i = 0; i < size; i++) {
            b[i] = (byte) view.peek(pa + i, 1).orElse(0);
        }
        return b;
    }

    /**
     * The value a store to a device register wrote: its source register, which the store left
     * unchanged (RV64 S-type and the compressed stores; null for anything else).
     */
    static byte[] storedValue(VirtMachine m, WatchHit hit) {
        if (!hit.write()) {
            return null;
        }
        long insn = m.instructionAt(hit.pc());
        int rs2 = StoreDecoding.sourceRegister(insn);
        if (rs2 < 0) {
            return null;
        }
        long v = m.reg(rs2);
        byte[] b = new byte[hit.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }
}
