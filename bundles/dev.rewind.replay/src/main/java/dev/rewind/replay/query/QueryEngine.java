package dev.rewind.replay.query;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.rewind.emulator.DebugView;
import dev.rewind.emulator.StopReason;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.emulator.WatchKind;
import dev.rewind.replay.Timeline;
import dev.rewind.replay.ReplaySetupException;
import dev.rewind.replay.Stop;
import dev.rewind.replay.StopConditions;
import dev.rewind.replay.log.ReplayEvent;
import dev.rewind.replay.log.ReplayLogException;
import dev.rewind.symbols.FunctionInfo;
import dev.rewind.symbols.ProgramSymbols;
import dev.rewind.symbols.SourceLocation;
import dev.rewind.symbols.SymbolsException;

/**
 * Answers questions about a whole recording exactly: who wrote (or read) a range and when, the
 * value history of a variable, when a register last or next changed, and what happened (traps,
 * interrupts, privilege changes, UART, disk, breakpoint hits, snapshots).
 *
 * <p>The engine replays the recording in a session of its own, so the debugger's position never
 * moves. The first query replays the whole recording once to build the index and its
 * {@link WriteLog} ({@link IndexRecorder}), saved beside the recording and read back by later
 * processes ({@link IndexKeeper}, {@link RecordingIndex}); memory queries then look only at the
 * snapshot intervals that wrote one of the range's pages (reads and device registers: every
 * interval), take what they can from the log (every interval it covers for the range's 64-byte
 * lines) and replay the rest with a watchpoint from the snapshot at the interval's start (see
 * {@link AccessSearch}). Answers carry the position just before the accessing instruction.
 * Single-threaded, like the replay.
 */
public final class QueryEngine implements AutoCloseable {

    /** Snapshot interval of the engine's session: an interval replay costs a few ms with a watchpoint. */
    public static final long DEFAULT_INTERVAL = 1L << 20;

    private final Timeline session;
    private final ProgramSymbols symbols;
    private IndexKeeper keeper;
    private RecordingIndex index;
    private AccessSearch search;
    private MappingHistory mappings;
    private List<MappingHistory.Piece> lastMapping = List.of();

    private QueryEngine(Timeline session, ProgramSymbols symbols) {
        this.session = session;
        this.symbols = symbols;
    }

    /** Opens a recording for queries ({@code program} null: the one its header names). */
    public static QueryEngine open(Path log, Path program, long interval)
            throws ReplayLogException, ReplaySetupException, IOException {
        IndexRecorder.UartTap tap = new IndexRecorder.UartTap();
        Timeline.Options o = Timeline.Options.defaults().withSnapshotInterval(interval).withEcho(tap);
        if (program != null) {
            o = o.withProgram(program);
        }
        Timeline s = Timeline.open(log, o);
        ProgramSymbols symbols = null;
        try {
            symbols = ProgramSymbols.load(s.session().program());
        } catch (SymbolsException | RuntimeException e) {
            // answers then carry addresses only
        }
        QueryEngine q = new QueryEngine(s, symbols);
        q.keeper = new IndexKeeper(s, tap, log, o, q::logEvents);
        return q;
    }

    public Timeline session() {
        return session;
    }

    /** The program's symbols, or null if they could not be read. */
    public ProgramSymbols symbols() {
        return symbols;
    }

    public long startIcount() {
        return session.startIcount();
    }

    public long endIcount() {
        return session.endIcount();
    }

    /**
     * Where the index is saved and read back ({@code RUN.rrlog.qindex} by default), or null: built
     * by every process. Before {@link #index}.
     */
    public void indexFile(Path file) {
        keeper.indexFile = file;
    }

    /**
     * What became of the saved index, in a sentence: read, built and saved, stale or damaged and
     * built again, or could not be saved; null before {@link #index} or without an index file.
     */
    public String indexNote() {
        return keeper.note;
    }

    /**
     * Gets the index unless it exists: opens the saved one if it belongs to this recording, else
     * builds it (one replay of the whole recording) and saves it (see {@link IndexKeeper}).
     */
    public void index(Progress progress) {
        if (index != null) {
            return;
        }
        use(keeper.get(progress));
        where(session.machine().pc()); // reads the DWARF tables now, not in the first answer
    }

    private void use(RecordingIndex opened) {
        index = opened;
        search = new AccessSearch(session, opened, this::where);
        mappings = new MappingHistory(session, search, opened);
    }

    /**
     * Runs a query; if a part of a saved index turns out damaged when first read, builds the
     * index again (saying so in {@link #indexNote}) and runs the query once more.
     */
    private <T> T indexed(Progress progress, java.util.function.Supplier<T> query) {
        index(progress);
        try {
            return query.get();
        } catch (IndexFile.DamagedPart e) {
            closeIndex();
            use(keeper.rebuild(e, progress));
            return query.get();
        }
    }

    private void closeIndex() {
        if (index != null) {
            try {
                index.close();
            } catch (IOException e) {
                // only read: nothing lost
            }
            index = null;
        }
    }

    /** Sets how much the index logs of RAM writes (tests: none, or little); before {@link #index}. */
    void budget(WriteLog.Budget b) {
        keeper.budget = b;
    }

    public boolean indexed() {
        return index != null;
    }

    /** The events the recording's log holds (UART input, disk completions) and its persisted snapshots. */
    private List<QueryEvent> logEvents() {
        List<QueryEvent> out = new ArrayList<>();
        for (ReplayEvent e : session.session().log().events()) {
            switch (e.kind()) {
                case UART_RX, UART_RX_IDLE -> out.add(new QueryEvent(e.icount(), QueryEvent.Kind.UART_IN, -1, -1, -1,
                        e.value() & 0xff, Causes.printable((int) e.value())));
                case BLOCK_DONE, BLOCK_DONE_IDLE -> out.add(new QueryEvent(e.icount(), QueryEvent.Kind.DISK_DONE, -1, -1,
                        -1, e.value(), "request " + e.value() + " completed"));
                default -> { }
            }
        }
        for (Timeline.SavedSnapshot s : session.savedSnapshots()) {
            if (s.icount() >= 0) {
                out.add(new QueryEvent(s.icount(), QueryEvent.Kind.SNAPSHOT, -1, -1, -1, s.icount(), "snapshot '" + s.name() + "'"));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ memory

    /** The last write to {@code t} by an instruction before position {@code before}. */
    public Optional<Access> lastWrite(Target t, long before, Progress progress) {
        return last(t, WatchKind.WRITE, before, progress);
    }

    /** The first write to {@code t} by an instruction at or after position {@code from}. */
    public Optional<Access> nextWrite(Target t, long from, Progress progress) {
        return next(t, WatchKind.WRITE, from, progress);
    }

    public Optional<Access> lastRead(Target t, long before, Progress progress) {
        return last(t, WatchKind.READ, before, progress);
    }

    public Optional<Access> nextRead(Target t, long from, Progress progress) {
        return next(t, WatchKind.READ, from, progress);
    }

    /** Every write to {@code t} by instructions at positions in [from, to), in order. */
    public List<Access> writes(Target t, long from, long to, Progress progress) {
        return all(t, WatchKind.WRITE, from, to, progress);
    }

    public List<Access> reads(Target t, long from, long to, Progress progress) {
        return all(t, WatchKind.READ, from, to, progress);
    }

    /** The value history of {@code t} over [from, to): its value at {@code from} and every write that changed it. */
    public History history(Target t, long from, long to, Progress progress) {
        List<Access> writes = writes(t, from, to, progress);
        List<Access> changes = new ArrayList<>();
        for (Access a : writes) {
            if (a.changed()) {
                changes.add(a);
            }
        }
        List<MappingHistory.Piece> mapped = lastMapping;
        byte[] initial = valueAt(t, Math.max(from, startIcount()));
        lastMapping = mapped;
        return new History(t, from, to, initial, changes, writes.size());
    }

    /** A value history: the value at the start and each change. */
    public record History(Target target, long from, long to, byte[] initial, List<Access> changes, int writes) {
    }

    /** The bytes of {@code t} at a position (device registers read as zero). */
    public byte[] valueAt(Target t, long icount) {
        moveTo(icount);
        byte[] b = new byte[t.size()];
        if (t.physical() || follows(t)) {
            long pa = t.address();
            if (!t.physical()) {
                int hart = t.hart() >= 0 ? t.hart() : session.machine().currentHart();
                MappingHistory.Walk w = MappingHistory.walk(session.machine(), hart, t.address(), t.size());
                lastMapping = List.of(new MappingHistory.Piece(icount, icount, w.pa(), hart, w.satp()));
                pa = w.pa();
            }
            return pa < 0 ? null : AccessSearch.readPhysical(session.machine(), pa, t.size());
        }
        session.machine().readMemory(t.address(), b, 0, b.length);
        return b;
    }

    /**
     * True if {@code t}'s virtual addresses are followed through the page tables: the recording
     * turned on translation and {@code t} is not physical (bare-metal recordings: virtual is physical).
     */
    private boolean follows(Target t) {
        return !t.physical() && index != null && index.translated();
    }

    private Optional<Access> last(Target t, WatchKind kind, long before, Progress progress) {
        return indexed(progress, () -> lastIndexed(t, kind, before, progress));
    }

    private Optional<Access> lastIndexed(Target t, WatchKind kind, long before, Progress progress) {
        search.resetReplayed();
        lastMapping = List.of();
        if (!follows(t)) {
            return search.last(t, kind, startIcount(), before, progress);
        }
        MappingHistory.Piece near = mappings.near(t, startIcount(), Math.min(before, endIcount()));
        if (near != null && near.mapped()) {
            Optional<Access> a = search.last(near.physical(t), kind, near.from(), near.to(), progress);
            if (a.isPresent()) {
                lastMapping = List.of(near);
                return a;
            }
        }
        List<MappingHistory.Piece> seen = new ArrayList<>();
        MappingHistory.Backwards pieces = mappings.backwards(t, startIcount(), Math.min(before, endIcount()));
        try {
            // unmerged: the piece that answers ends the search without a walk further back
            for (MappingHistory.Piece p = pieces.nextUnmerged(); p != null; p = pieces.nextUnmerged()) {
                seen.add(0, p);
                if (p.mapped()) {
                    Optional<Access> a = search.last(p.physical(t), kind, p.from(), p.to(), progress);
                    if (a.isPresent()) {
                        return a;
                    }
                }
            }
            return Optional.empty();
        } finally {
            lastMapping = MappingHistory.merged(seen);
        }
    }

    private Optional<Access> next(Target t, WatchKind kind, long from, Progress progress) {
        List<Access> hits = collect(t, kind, from, endIcount(), 1, progress);
        return hits.isEmpty() ? Optional.empty() : Optional.of(hits.get(0));
    }

    private List<Access> all(Target t, WatchKind kind, long from, long to, Progress progress) {
        return collect(t, kind, from, to, Integer.MAX_VALUE, progress);
    }

    private List<Access> collect(Target t, WatchKind kind, long from, long to, int max, Progress progress) {
        return indexed(progress, () -> collectIndexed(t, kind, from, to, max, progress));
    }

    private List<Access> collectIndexed(Target t, WatchKind kind, long from, long to, int max, Progress progress) {
        search.resetReplayed();
        lastMapping = List.of();
        if (!follows(t)) {
            return search.collect(t, kind, from, to, max, progress);
        }
        List<MappingHistory.Piece> pieces = mappings.pieces(t, Math.max(from, startIcount()), Math.min(to, endIcount()));
        lastMapping = pieces;
        List<Access> out = new ArrayList<>();
        for (MappingHistory.Piece p : pieces) {
            if (p.mapped() && out.size() < max) {
                out.addAll(search.collect(p.physical(t), kind, p.from(), p.to(), max - out.size(), progress));
            }
        }
        return out;
    }

    /**
     * Where the last memory query's virtual range mapped, one line per stretch of positions
     * (empty for physical ranges and recordings that never translated addresses).
     */
    public List<String> mappingLines() {
        List<String> out = new ArrayList<>();
        for (MappingHistory.Piece p : lastMapping) {
            String span = p.from() == p.to() ? "at icount " + p.from() : "icount [" + p.from() + ", " + p.to() + ")";
            out.add(String.format("%s: hart %d (satp 0x%x) maps it to %s", span, p.hart(), p.satp(),
                    p.mapped() ? String.format("physical 0x%x", p.pa()) : "nothing"));
        }
        return out;
    }

    /** Snapshot intervals the last memory query replayed; the others it skipped or answered from the write log. */
    public int intervalsReplayed() {
        return search == null ? 0 : search.replayed();
    }

    /** The index in numbers: intervals, changes in the write log, where the log filled up. */
    public String indexSummary() {
        if (index == null) {
            return "no index";
        }
        int full = index.fullFrom();
        return index.intervals() + " intervals, " + index.logSize() + " writes logged"
                + (full > 0 && full <= index.intervals() ? ", the log full from icount " + index.start(full) : "")
                + (index.translated() ? ", translation on" : "");
    }

    /** Intervals of the index (0 before it is built). */
    public int intervals() {
        return index == null ? 0 : index.intervals();
    }

    /** Moves the engine's session to {@code icount}: from the snapshot there if there is one. */
    private void moveTo(long icount) {
        session.moveTo(icount);
    }

    // ------------------------------------------------------------------ registers

    /**
     * A change of register {@code register} of hart {@code hart}: at position {@code icount} it
     * went from {@code before} to {@code after}; the hart was at {@code pc} with privilege
     * {@code privilege} (its instruction, or the one a trap entry interrupted; a change another
     * hart caused, such as an IPI raising mip, happens wherever this hart was).
     */
    public record RegisterChange(Register register, int hart, long icount, long pc, int privilege, long before,
            long after, String where) {
    }

    /** The last change of {@code r} on {@code hart} by an instruction (or trap entry) before position {@code before}. */
    public Optional<RegisterChange> lastChange(Register r, int hart, long before, Progress progress) {
        index(progress);
        session.machine().hart(hart); // an unknown hart is refused before any replay
        before = Math.min(before, endIcount());
        int kFirst = index.intervalAt(Math.max(startIcount(), before - 1));
        long total = before - startIcount();
        for (int k = kFirst; k >= 1; k--) {
            long s = index.start(k);
            long e = Math.min(index.end(k), before);
            if (s >= e) {
                continue;
            }
            List<RegisterChange> changes = stepScan(r, hart, s, e, Integer.MAX_VALUE, progress);
            progress.worked(before - s, total);
            if (!changes.isEmpty()) {
                return Optional.of(changes.get(changes.size() - 1));
            }
        }
        return Optional.empty();
    }

    /** The first change of {@code r} on {@code hart} at or after position {@code from}. */
    public Optional<RegisterChange> nextChange(Register r, int hart, long from, Progress progress) {
        index(progress);
        session.machine().hart(hart);
        long total = endIcount() - from;
        for (int k = index.intervalAt(from); k <= index.intervals(); k++) {
            long s = Math.max(index.start(k), from);
            long e = index.end(k);
            if (s >= e) {
                continue;
            }
            List<RegisterChange> changes = stepScan(r, hart, s, e, 1, progress);
            progress.worked(e - from, total);
            if (!changes.isEmpty()) {
                return Optional.of(changes.get(0));
            }
        }
        return Optional.empty();
    }

    /** Single-steps [from, to) recording every change of {@code r} on {@code hart}. */
    private List<RegisterChange> stepScan(Register r, int hart, long from, long to, int max, Progress progress) {
        if (progress.cancelled()) {
            throw new QueryCancelledException();
        }
        moveTo(from);
        VirtMachine m = session.machine();
        DebugView v = m.hart(hart);
        List<RegisterChange> out = new ArrayList<>();
        long value = r.read(m, hart);
        while (m.icount() < to && out.size() < max) {
            long pc = v.pc();
            long ic = m.icount();
            int priv = v.privilege();
            StopReason stop = m.step(null);
            long now = r.read(m, hart);
            if (now != value) {
                // a trap entry changes CSRs without retiring: it happened at position ic, at pc
                out.add(new RegisterChange(r, hart, ic, pc, priv, value, now, where(pc)));
                value = now;
            }
            if (stop != null && stop != StopReason.LIMIT) {
                break;
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ events

    /**
     * Events of the given kinds at positions in [from, to), in order. Costs the events in the
     * range, not in the recording (a binary search finds the first), so a view can ask per
     * visible range.
     */
    public List<QueryEvent> events(Set<QueryEvent.Kind> kinds, long from, long to, Progress progress) {
        List<QueryEvent> all = indexed(progress, () -> index.events());
        int lo = 0;
        int hi = all.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (all.get(mid).icount() < from) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        List<QueryEvent> out = new ArrayList<>();
        for (int i = lo; i < all.size() && all.get(i).icount() < to; i++) {
            if (kinds.contains(all.get(i).kind())) {
                out.add(all.get(i));
            }
        }
        return out;
    }

    /** Every hit of breakpoints at {@code pcs} at positions in [from, to): a replay of that stretch. */
    public List<QueryEvent> breakpointHits(long[] pcs, long from, long to, Progress progress) {
        List<QueryEvent> out = new ArrayList<>();
        moveTo(Math.max(from, startIcount()));
        long[] sorted = pcs.clone();
        Arrays.sort(sorted);
        StopConditions at = new StopConditions();
        for (long pc : sorted) {
            at.addBreakpoint(pc);
        }
        to = Math.min(to, endIcount());
        long start = session.icount();
        if (Arrays.binarySearch(sorted, session.machine().pc()) >= 0) {
            out.add(breakpointEvent());
        }
        while (session.icount() < to) {
            if (progress.cancelled()) {
                throw new QueryCancelledException();
            }
            Stop r = session.scan(to, at);
            progress.worked(session.icount() - start, to - start);
            if (r.kind() != Stop.Kind.BREAKPOINT) {
                break;
            }
            out.add(breakpointEvent());
        }
        return out;
    }

    private QueryEvent breakpointEvent() {
        long pc = session.machine().pc();
        String w = where(pc);
        return new QueryEvent(session.icount(), QueryEvent.Kind.BREAKPOINT, pc, session.machine().privilege(),
                session.machine().privilege(), pc, w == null ? "" : w, session.machine().currentHart());
    }

    // ------------------------------------------------------------------ symbols

    /** "function (file:line)" for a pc, or null without symbols. */
    public String where(long pc) {
        if (symbols == null) {
            return null;
        }
        FunctionInfo f = symbols.functionAt(pc);
        SourceLocation l = symbols.lineFor(pc);
        if (f == null && l == null) {
            return null;
        }
        return (f != null ? f.name() : "??") + (l != null ? " (" + l.fileName() + ":" + l.line() + ")" : "");
    }

    /** Parses a query target against the program's symbols. */
    public Target target(String expr) {
        return Target.parse(expr, symbols);
    }

    @Override
    public void close() throws IOException {
        closeIndex();
        session.close();
    }
}
