package dev.rewind.symbols;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The decoded line-number matrix of a program: address to file:line, and file:line to
 * the statement addresses a line breakpoint must cover.
 */
public final class LineTable {
    private final List<LineRow> rows;
    // Half-open address ranges [start, end) each covered by one row, sorted by start.
    private final long[] starts;
    private final long[] ends;
    private final int[] rowOf;
    // Per range: the row a debugger reports when stopped there (see statementAt).
    private final int[] statementRowOf;
    private final List<String> paths;
    // Addresses where some is_stmt row begins and code exists, ascending.
    private final long[] statements;

    LineTable(List<LineRow> decoded) {
        List<LineRow> kept = new ArrayList<>();
        List<LineRow> sequence = new ArrayList<>();
        for (LineRow r : decoded) {
            sequence.add(r);
            if (r.endSequence()) {
                kept.addAll(sequence);
                sequence.clear();
            }
        }
        // A sequence without DW_LNE_end_sequence has no defined end; it is dropped.
        this.rows = Collections.unmodifiableList(kept);
        int n = 0;
        long[] s = new long[kept.size()];
        long[] e = new long[kept.size()];
        int[] idx = new int[kept.size()];
        for (int i = 0; i + 1 < kept.size(); i++) {
            LineRow r = kept.get(i);
            LineRow next = kept.get(i + 1);
            // Several rows may share an address; the last one describes the code there.
            if (!r.endSequence() && Long.compareUnsigned(r.address(), next.address()) < 0) {
                s[n] = r.address();
                e[n] = next.address();
                idx[n] = i;
                n++;
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        final long[] fs = s;
        Arrays.sort(order, (a, b) -> Long.compareUnsigned(fs[a], fs[b]));
        TreeSet<String> distinct = new TreeSet<>();
        for (LineRow r : kept) {
            if (!r.endSequence()) {
                distinct.add(r.path());
            }
        }
        paths = List.copyOf(distinct);
        starts = new long[n];
        ends = new long[n];
        rowOf = new int[n];
        for (int i = 0; i < n; i++) {
            starts[i] = s[order[i]];
            ends[i] = e[order[i]];
            rowOf[i] = idx[order[i]];
        }
        statementRowOf = new int[n];
        for (int i = 0; i < n; i++) {
            int r = rowOf[i];
            int t = r;
            while (t > 0 && !kept.get(t).isStmt() && !kept.get(t - 1).endSequence()
                    && kept.get(t - 1).address() == kept.get(t).address() && kept.get(t - 1).line() != 0) {
                t--;
            }
            statementRowOf[i] = kept.get(t).isStmt() ? t : r;
        }
        TreeSet<Long> stmts = new TreeSet<>(Long::compareUnsigned);
        for (LineRow r : kept) {
            if (!r.endSequence() && r.isStmt() && rangeIndex(r.address()) >= 0) {
                stmts.add(r.address());
            }
        }
        statements = new long[stmts.size()];
        int k = 0;
        for (long a : stmts) {
            statements[k++] = a;
        }
    }

    /** All rows of all complete sequences, in the order the line programs produced them. */
    public List<LineRow> rows() {
        return rows;
    }

    /** The row whose address range covers {@code pc}, or null when no line program covers it. */
    public LineRow rowFor(long pc) {
        int i = rangeIndex(pc);
        return i < 0 ? null : rows.get(rowOf[i]);
    }

    private int rangeIndex(long pc) {
        int lo = 0;
        int hi = starts.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(starts[mid], pc) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        // Ranges from different sequences may overlap (e.g. code discarded by the linker at 0);
        // walk back over earlier starts for one that really covers pc.
        for (int i = found; i >= 0 && i > found - 8; i--) {
            if (Long.compareUnsigned(pc, ends[i]) < 0 && Long.compareUnsigned(pc, starts[i]) >= 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The address range that the row covering {@code pc} describes (where a source-level step
     * stays on the same line entry), or null when no line program covers pc.
     */
    public AddressRange rangeAt(long pc) {
        int i = rangeIndex(pc);
        return i < 0 ? null : new AddressRange(starts[i], ends[i]);
    }

    /**
     * True when a statement (an is_stmt row) begins exactly at {@code pc}: where a source-level
     * step may stop. Rows of zero length at pc count, as they do for gdb.
     */
    public boolean isStatementStart(long pc) {
        int lo = 0;
        int hi = statements.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int cmp = Long.compareUnsigned(statements[mid], pc);
            if (cmp == 0) {
                return true;
            }
            if (cmp < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return false;
    }

    /**
     * The source position a debugger reports when stopped at {@code pc}: as {@link #lineFor},
     * except that when the last row at pc's address is not a statement but an earlier row at
     * the same address is, that statement's line (gdb's rule; addr2line takes the last row).
     */
    public SourceLocation statementAt(long pc) {
        int i = rangeIndex(pc);
        if (i < 0) {
            return null;
        }
        LineRow r = rows.get(statementRowOf[i]);
        return new SourceLocation(r.path(), r.line());
    }

    /** The source position of {@code pc}, or null when no line program covers it. */
    public SourceLocation lineFor(long pc) {
        LineRow r = rowFor(pc);
        return r == null ? null : new SourceLocation(r.path(), r.line());
    }

    /** Every distinct source path the line programs mention, sorted. */
    public List<String> files() {
        return paths;
    }

    /**
     * The statement addresses (is_stmt rows) where execution enters {@code line} of
     * {@code file}, ascending: what a line breakpoint must cover. {@code file} may be a full
     * path, a path suffix such as {@code "src/main.c"}, or a bare file name; if no path matches
     * exactly or by suffix, bare file names are compared. Empty if the line has no code.
     */
    public List<Long> addressesFor(String file, int line) {
        String query = normalize(file);
        TreeSet<Long> out = collect(query, line, false);
        if (out.isEmpty() && !hasPath(query, false)) {
            out = collect(query, line, true);
        }
        return new ArrayList<>(out);
    }

    private boolean hasPath(String query, boolean byName) {
        for (String path : paths) {
            if (matches(path, query, byName)) {
                return true;
            }
        }
        return false;
    }

    private TreeSet<Long> collect(String query, int line, boolean byName) {
        // Rows share their path strings, so decide each distinct path once.
        Map<String, Boolean> matching = new HashMap<>();
        for (String path : paths) {
            matching.put(path, matches(path, query, byName));
        }
        TreeSet<Long> out = new TreeSet<>(Long::compareUnsigned);
        LineRow prev = null;
        for (LineRow r : rows) {
            // rowFor(address) == null: no code there, e.g. a function the linker discarded,
            // whose sequence collapses to length 0 at address 0.
            if (!r.endSequence() && r.line() == line && r.isStmt() && matching.getOrDefault(r.path(), false)
                    && rowFor(r.address()) != null) {
                boolean continues = prev != null && prev.line() == line && prev.path().equals(r.path());
                if (!continues) {
                    out.add(r.address());
                }
            }
            prev = r.endSequence() ? null : r;
        }
        return out;
    }

    private static boolean matches(String rowPath, String query, boolean byName) {
        String p = normalize(rowPath);
        if (byName) {
            return name(p).equals(name(query));
        }
        if (p.equals(query)) {
            return true;
        }
        if (query.indexOf('/') < 0) {
            return name(p).equals(query);
        }
        return p.endsWith("/" + query) || query.endsWith("/" + p);
    }

    private static String name(String p) {
        return p.substring(p.lastIndexOf('/') + 1);
    }

    private static String normalize(String p) {
        String s = p.replace('\\', '/');
        while (s.contains("/./")) {
            s = s.replace("/./", "/");
        }
        if (s.startsWith("./")) {
            s = s.substring(2);
        }
        return s;
    }
}
