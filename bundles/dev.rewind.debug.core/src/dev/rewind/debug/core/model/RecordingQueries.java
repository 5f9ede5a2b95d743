package dev.rewind.debug.core.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.OperationCanceledException;
import org.eclipse.debug.core.DebugEvent;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.IDebugEventSetListener;

import dev.rewind.debug.core.launch.LaunchSettings;
import dev.rewind.replay.query.Access;
import dev.rewind.replay.query.Coverage;
import dev.rewind.replay.query.Progress;
import dev.rewind.replay.query.QueryCancelledException;
import dev.rewind.replay.query.QueryEngine;
import dev.rewind.replay.query.QueryEvent;
import dev.rewind.replay.query.Target;

/**
 * The recording's query engine for the views of a replay: one engine per debug target, opened
 * at its first question (a replay session of its own, so a query never moves the target) and
 * closed when the target terminates. Answers come as plain rows a view shows as they are.
 */
public final class RecordingQueries {

    /** One change of a value: before the instruction at {@code icount} (pc) it was {@code before}. */
    public record Change(long icount, long pc, String privilege, String before, String after, String where) {
    }

    /**
     * A value history: what was asked, the value at the start, every change, how many writes
     * there were, and the stretch of the recording it covers, positions [from, to].
     */
    public record History(String target, String initial, List<Change> changes, int writes, long from, long to) {
    }

    private static final Map<ReplayTarget, QueryEngine> ENGINES = new LinkedHashMap<>();
    /** Line coverage per engine, computed once (guarded by the engine's lock). */
    private static final Map<QueryEngine, Map<String, TreeMap<Integer, Long>>> COVERAGE =
            java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
    private static IDebugEventSetListener closer;

    private RecordingQueries() {
    }

    /** The whole value history of {@code expression} (a global variable or ADDR[:LEN]) in the target's recording. */
    public static History history(ReplayTarget t, String expression, IProgressMonitor monitor) throws CoreException {
        QueryEngine q = engine(t);
        synchronized (q) {
            return history(q, expression, monitor);
        }
    }

    private static History history(QueryEngine q, String expression, IProgressMonitor monitor) throws CoreException {
        try {
            Target target = q.target(expression);
            QueryEngine.History h = q.history(target, q.startIcount(), q.endIcount(), progress(monitor));
            List<Change> changes = new ArrayList<>();
            for (Access a : h.changes()) {
                changes.add(new Change(a.icount(), a.pc(), Access.privilegeName(a.privilege()), Access.hex(a.before()),
                        Access.hex(a.after()), a.where() == null ? "" : a.where()));
            }
            return new History(target.toString(), Access.hex(h.initial()), changes, h.writes(), h.from(), h.to());
        } catch (IllegalArgumentException e) {
            throw LaunchSettings.error(e.getMessage());
        } catch (QueryCancelledException e) {
            throw new OperationCanceledException();
        }
    }

    /**
     * The position just before the last write to {@code expression} before {@code at} (or, with
     * {@code next}, the first write at or after it); null if there is none.
     */
    public static Long write(ReplayTarget t, String expression, long at, boolean next, IProgressMonitor monitor)
            throws CoreException {
        QueryEngine q = engine(t);
        synchronized (q) {
            return write(q, expression, at, next, monitor);
        }
    }

    private static Long write(QueryEngine q, String expression, long at, boolean next, IProgressMonitor monitor)
            throws CoreException {
        try {
            Target target = q.target(expression);
            return (next ? q.nextWrite(target, at, progress(monitor)) : q.lastWrite(target, at, progress(monitor)))
                    .map(Access::icount).orElse(null);
        } catch (IllegalArgumentException e) {
            throw LaunchSettings.error(e.getMessage());
        } catch (QueryCancelledException e) {
            throw new OperationCanceledException();
        }
    }

    /**
     * The recording's events of {@code kinds} at positions in [from, to), in order. The first
     * question indexes the recording (one replay of it, reported to {@code monitor} in permille);
     * later ones cost the events in the range.
     */
    public static List<QueryEvent> events(ReplayTarget t, Set<QueryEvent.Kind> kinds, long from, long to,
            IProgressMonitor monitor) throws CoreException {
        QueryEngine q = engine(t);
        synchronized (q) {
            try {
                return q.events(kinds, from, to, progress(monitor));
            } catch (QueryCancelledException e) {
                throw new OperationCanceledException();
            }
        }
    }

    /** Every hit of a breakpoint at one of {@code pcs} in the whole recording (a replay of all of it). */
    public static List<QueryEvent> breakpointHits(ReplayTarget t, long[] pcs, IProgressMonitor monitor)
            throws CoreException {
        QueryEngine q = engine(t);
        synchronized (q) {
            try {
                return q.breakpointHits(pcs, q.startIcount(), q.endIcount(), progress(monitor));
            } catch (QueryCancelledException e) {
                throw new OperationCanceledException();
            }
        }
    }

    /**
     * Line coverage of the whole recording: per source file (path as in DWARF), per line with
     * code, how often the line was entered (0: never). One single-step replay, then cached.
     */
    public static Map<String, TreeMap<Integer, Long>> coverage(ReplayTarget t, IProgressMonitor monitor)
            throws CoreException {
        QueryEngine q = engine(t);
        synchronized (q) {
            Map<String, TreeMap<Integer, Long>> lines = COVERAGE.get(q);
            if (lines != null) {
                return lines;
            }
            if (q.symbols() == null) {
                throw LaunchSettings.error("The program has no symbols to map the recording's instructions to lines.");
            }
            try {
                lines = Coverage.measure(q.session(), progress(monitor)).lines(q.symbols());
            } catch (QueryCancelledException e) {
                throw new OperationCanceledException();
            }
            COVERAGE.put(q, lines);
            return lines;
        }
    }

    private static Progress progress(IProgressMonitor monitor) {
        return new Progress() {
            private int reported;

            @Override
            public void worked(long done, long total) {
                int permille = total <= 0 ? 1000 : (int) Math.min(1000, done * 1000 / total);
                if (permille > reported) {
                    monitor.worked(permille - reported);
                    reported = permille;
                }
            }

            @Override
            public boolean cancelled() {
                return monitor.isCanceled();
            }
        };
    }

    private static synchronized QueryEngine engine(ReplayTarget t) throws CoreException {
        QueryEngine q = ENGINES.get(t);
        if (q != null) {
            return q;
        }
        if (t.isTerminated()) {
            throw LaunchSettings.error("The replay has ended.");
        }
        LaunchSettings s = LaunchSettings.read(t.getLaunch().getLaunchConfiguration());
        Path recording = s.recording();
        try {
            q = QueryEngine.open(recording, s.program(), QueryEngine.DEFAULT_INTERVAL);
        } catch (IOException | dev.rewind.replay.ReplaySetupException e) {
            throw LaunchSettings.error("Cannot open " + recording + " for queries: " + e.getMessage());
        }
        ENGINES.put(t, q);
        if (closer == null) {
            closer = RecordingQueries::closeEnded;
            DebugPlugin.getDefault().addDebugEventListener(closer);
        }
        return q;
    }

    private static void closeEnded(DebugEvent[] events) {
        for (DebugEvent e : events) {
            if (e.getKind() == DebugEvent.TERMINATE && e.getSource() instanceof ReplayTarget t) {
                QueryEngine q;
                synchronized (RecordingQueries.class) {
                    q = ENGINES.remove(t);
                }
                if (q != null) {
                    COVERAGE.remove(q);
                    try {
                        q.close();
                    } catch (IOException ex) {
                        // read-only replay: nothing to lose
                    }
                }
            }
        }
    }
}
