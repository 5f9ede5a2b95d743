package dev.rewind.debug.core.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.debug.core.DebugException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.model.IBreakpoint;

import dev.rewind.debug.core.RewindDebugCore;
import dev.rewind.debug.core.launch.LaunchSettings;
import dev.rewind.replay.Bookmarks;
import dev.rewind.replay.query.AnswerText;
import dev.rewind.replay.query.QueryEvent;

/**
 * What the Timeline view draws in its event lanes for a visible stretch of a recording: traps
 * and interrupts, console I/O, disk I/O, breakpoint hits and bookmarks, from the recording's
 * query engine ({@link RecordingQueries}). Events are fetched for the visible range only and
 * folded into one mark per pixel column and lane (the first event there, and how many), so the
 * view's work is bounded by its width whatever the recording's length. Runs off the UI thread.
 */
public final class TimelineLanes {

    /** The lanes, top to bottom. */
    public enum Lane {
        TRAPS("Traps / interrupts", EnumSet.of(QueryEvent.Kind.EXCEPTION, QueryEvent.Kind.INTERRUPT,
                QueryEvent.Kind.TRAP_RETURN)),
        CONSOLE("Console I/O", EnumSet.of(QueryEvent.Kind.UART_OUT, QueryEvent.Kind.UART_IN)),
        DISK("Disk I/O", EnumSet.of(QueryEvent.Kind.DISK_REQUEST, QueryEvent.Kind.DISK_DONE)),
        BREAKPOINTS("Breakpoint hits", EnumSet.of(QueryEvent.Kind.BREAKPOINT)),
        BOOKMARKS("Bookmarks", EnumSet.noneOf(QueryEvent.Kind.class));

        private final String title;
        private final Set<QueryEvent.Kind> kinds;

        Lane(String title, Set<QueryEvent.Kind> kinds) {
            this.title = title;
            this.kinds = kinds;
        }

        public String title() {
            return title;
        }

        static Lane of(QueryEvent.Kind k) {
            for (Lane l : values()) {
                if (l.kinds.contains(k)) {
                    return l;
                }
            }
            return null;
        }
    }

    /** Kinds the query engine's index answers (breakpoint hits need a replay of their own). */
    private static final Set<QueryEvent.Kind> INDEXED = EnumSet.of(QueryEvent.Kind.EXCEPTION, QueryEvent.Kind.INTERRUPT,
            QueryEvent.Kind.TRAP_RETURN, QueryEvent.Kind.UART_OUT, QueryEvent.Kind.UART_IN, QueryEvent.Kind.DISK_REQUEST,
            QueryEvent.Kind.DISK_DONE);
    private static final int HOVER_TEXT = 60;

    /**
     * The events of one lane in one pixel column: the first one's position and kind (a click
     * seeks there), how many there are, and what the hover shows.
     */
    public record Mark(int column, long icount, QueryEvent.Kind kind, int count, String text) {
    }

    /** The lanes over [from, to) folded into {@code columns} columns; {@code marks.get(lane.ordinal())}. */
    public record Slice(long from, long to, int columns, List<List<Mark>> marks, boolean breakpointsKnown) {

        public List<Mark> lane(Lane l) {
            return marks.get(l.ordinal());
        }
    }

    /** Breakpoint hits of the whole recording per breakpoint address set, per target (one replay each). */
    private static final Map<ReplayTarget, Map.Entry<String, List<QueryEvent>>> HITS = new LinkedHashMap<>();

    private TimelineLanes() {
    }

    /**
     * The lanes of {@code t}'s recording over [from, to) in {@code columns} columns. The first call
     * indexes the recording (one replay, reported to {@code monitor}); with {@code scanBreakpoints}
     * the hits of the current breakpoints are found in the whole recording (one more replay per
     * breakpoint set, cached), otherwise only the hits seen so far are drawn.
     */
    public static Slice fetch(ReplayTarget t, long from, long to, int columns, boolean scanBreakpoints,
            IProgressMonitor monitor) throws CoreException {
        List<QueryEvent> events = new ArrayList<>(RecordingQueries.events(t, INDEXED, from, to, monitor));
        List<QueryEvent> hits = scanBreakpoints ? allHits(t, monitor) : null;
        if (hits != null) {
            for (QueryEvent h : hits) {
                if (h.icount() >= from && h.icount() < to) {
                    events.add(h);
                }
            }
        } else {
            for (long ic : t.breakpointHits()) {
                if (ic >= from && ic < to) {
                    events.add(new QueryEvent(ic, QueryEvent.Kind.BREAKPOINT, -1, -1, -1, -1, "seen in this replay"));
                }
            }
        }
        events.sort((a, b) -> Long.compare(a.icount(), b.icount()));
        Slice s = fold(events, from, to, columns);
        addBookmarks(s, bookmarks(t));
        return new Slice(s.from(), s.to(), s.columns(), s.marks(), hits != null);
    }

    /** Folds events (in icount order) into one mark per column and lane. */
    static Slice fold(List<QueryEvent> events, long from, long to, int columns) {
        List<List<Mark>> lanes = new ArrayList<>();
        for (int i = 0; i < Lane.values().length; i++) {
            lanes.add(new ArrayList<>());
        }
        long span = Math.max(1, to - from);
        QueryEvent[] first = new QueryEvent[Lane.values().length];
        int[] column = new int[first.length];
        int[] count = new int[first.length];
        StringBuilder[] text = new StringBuilder[first.length];
        for (QueryEvent e : events) {
            Lane lane = Lane.of(e.kind());
            if (lane == null || e.icount() < from || e.icount() >= to) {
                continue;
            }
            int l = lane.ordinal();
            int col = (int) Math.min(columns - 1, (long) ((e.icount() - from) / (double) span * columns));
            if (first[l] != null && column[l] == col) {
                count[l]++;
                if (lane == Lane.CONSOLE && e.kind() == first[l].kind() && text[l].length() < HOVER_TEXT) {
                    text[l].append(character(e.value()));
                }
                continue;
            }
            flush(lanes, first, column, count, text, l);
            first[l] = e;
            column[l] = col;
            count[l] = 1;
            text[l] = new StringBuilder(lane == Lane.CONSOLE ? character(e.value()) : "");
        }
        for (int l = 0; l < first.length; l++) {
            flush(lanes, first, column, count, text, l);
        }
        return new Slice(from, to, columns, lanes, false);
    }

    /** A console byte as the hover shows it: printable ASCII as is, the rest escaped. */
    private static String character(long b) {
        int c = (int) (b & 0xff);
        return c == '\n' ? "\\n" : c == '\r' ? "\\r" : c >= 0x20 && c < 0x7f ? String.valueOf((char) c)
                : String.format("\\x%02x", c);
    }

    private static void flush(List<List<Mark>> lanes, QueryEvent[] first, int[] column, int[] count,
            StringBuilder[] text, int l) {
        QueryEvent e = first[l];
        if (e == null) {
            return;
        }
        String hover;
        if (e.kind() == QueryEvent.Kind.UART_OUT || e.kind() == QueryEvent.Kind.UART_IN) {
            hover = String.format("icount %,d  %s \"%s%s\"", e.icount(), e.kind() == QueryEvent.Kind.UART_OUT
                    ? "console out" : "console in", text[l], text[l].length() >= HOVER_TEXT ? "..." : "");
        } else {
            hover = AnswerText.event(e).replaceAll(" {2,}", "  ");
        }
        if (count[l] > 1) {
            hover += String.format("%n(%,d events in this column; zoom in to separate them)", count[l]);
        }
        lanes.get(l).add(new Mark(column[l], e.icount(), e.kind(), count[l], hover));
        first[l] = null;
    }

    private static void addBookmarks(Slice s, Map<Long, String> marks) {
        List<Mark> lane = s.lane(Lane.BOOKMARKS);
        long span = Math.max(1, s.to() - s.from());
        for (Map.Entry<Long, String> b : marks.entrySet()) {
            if (b.getKey() >= s.from() && b.getKey() < s.to()) {
                int col = (int) Math.min(s.columns() - 1, (long) ((b.getKey() - s.from()) / (double) span * s.columns()));
                lane.add(new Mark(col, b.getKey(), null, 1, String.format("icount %,d  bookmark: %s", b.getKey(),
                        b.getValue())));
            }
        }
    }

    private static List<QueryEvent> allHits(ReplayTarget t, IProgressMonitor monitor) throws CoreException {
        long[] pcs = breakpointAddresses(t);
        String key = Arrays.toString(pcs);
        synchronized (HITS) {
            Map.Entry<String, List<QueryEvent>> cached = HITS.get(t);
            if (cached != null && cached.getKey().equals(key)) {
                return cached.getValue();
            }
        }
        List<QueryEvent> hits = pcs.length == 0 ? List.of() : RecordingQueries.breakpointHits(t, pcs, monitor);
        synchronized (HITS) {
            HITS.keySet().removeIf(ReplayTarget::isTerminated);
            HITS.put(t, Map.entry(key, hits));
        }
        return hits;
    }

    /** The addresses of the target's enabled breakpoints, ascending, without duplicates. */
    private static long[] breakpointAddresses(ReplayTarget t) throws DebugException {
        java.util.TreeSet<Long> out = new java.util.TreeSet<>();
        for (IBreakpoint bp : DebugPlugin.getDefault().getBreakpointManager().getBreakpoints(RewindDebugCore.MODEL_ID)) {
            out.addAll(t.installedAddresses(bp));
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    // ---- bookmarks ----

    /**
     * Bookmarks of the target's recording (icount -> name), from the file beside it that gdb's
     * {@code monitor bookmark} writes too ({@link Bookmarks}); none if it cannot be read.
     */
    public static Map<Long, String> bookmarks(ReplayTarget t) {
        TreeMap<Long, String> out = new TreeMap<>();
        try {
            Bookmarks.of(recording(t)).all().forEach((name, icount) -> out.merge(icount, name, (a, b) -> a + ", " + b));
        } catch (java.io.IOException | CoreException e) {
            // a malformed or unreadable file: the lane stays empty; setting a bookmark reports it
        }
        return out;
    }

    /**
     * Bookmarks a position of the target's recording under {@code name} (one word, as gdb's
     * {@code monitor bookmark} takes it); every tool that opens the recording sees it.
     */
    public static void addBookmark(ReplayTarget t, long icount, String name) throws CoreException {
        try {
            Bookmarks.of(recording(t)).set(name, icount);
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw LaunchSettings.error("Cannot bookmark icount " + icount + ": " + e.getMessage());
        }
    }

    private static Path recording(ReplayTarget t) throws CoreException {
        return LaunchSettings.read(t.getLaunch().getLaunchConfiguration()).recording();
    }
}
