package dev.rewind.replay.query;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import dev.rewind.emulator.StopReason;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.replay.Timeline;
import dev.rewind.symbols.FunctionInfo;
import dev.rewind.symbols.LineRow;
import dev.rewind.symbols.ProgramSymbols;

/**
 * How often each instruction of a recording ran, from one single-step replay of all of it; as
 * lcov line coverage (a line's count is the largest execution count among the statement
 * addresses the line table gives it, i.e. how often the line was entered) and function entry
 * counts, and as a per-function instruction profile.
 */
public final class Coverage {

    private final TreeMap<Long, long[]> counts = new TreeMap<>();
    private long instructions;

    private Coverage() {
    }

    /** Single-steps {@code session} from its start to the end of its history, counting pcs. */
    public static Coverage measure(Timeline session, Progress progress) {
        Coverage c = new Coverage();
        session.seek(session.startIcount());
        VirtMachine m = session.machine();
        long start = session.startIcount();
        long end = session.endIcount();
        long[] last = new long[] {Long.MIN_VALUE};
        long[] slot = null;
        while (m.icount() < end) {
            long ic = m.icount();
            long[] pcs = new long[1];
            StopReason r = m.step((pc, icount) -> pcs[0] = pc);
            if (m.icount() == ic + 1) {
                long pc = pcs[0];
                if (pc != last[0]) {
                    slot = c.counts.computeIfAbsent(pc, k -> new long[1]);
                    last[0] = pc;
                }
                slot[0]++;
                c.instructions++;
            }
            if ((ic & 0xffff) == 0) {
                if (progress.cancelled()) {
                    throw new QueryCancelledException();
                }
                progress.worked(ic - start, end - start);
            }
            if (r != null && r != StopReason.LIMIT) {
                break;
            }
        }
        return c;
    }

    /** Instructions retired by the replay. */
    public long instructions() {
        return instructions;
    }

    /** How often the instruction at {@code pc} retired. */
    public long count(long pc) {
        long[] n = counts.get(pc);
        return n == null ? 0 : n[0];
    }

    /** Per source file (path as in DWARF), per line: the line's count. */
    public TreeMap<String, TreeMap<Integer, Long>> lines(ProgramSymbols symbols) {
        TreeMap<String, TreeMap<Integer, Long>> out = new TreeMap<>();
        for (LineRow r : symbols.lineTable().rows()) {
            if (r.endSequence() || !r.isStmt() || r.line() <= 0) {
                continue;
            }
            out.computeIfAbsent(r.path(), k -> new TreeMap<>()).merge(r.line(), count(r.address()), Math::max);
        }
        return out;
    }

    /** Per function (by name, outermost, not inlined copies): instructions retired inside it, most first. */
    public List<Map.Entry<String, Long>> profile(ProgramSymbols symbols) {
        TreeMap<String, Long> byName = new TreeMap<>();
        for (Map.Entry<Long, long[]> e : counts.entrySet()) {
            FunctionInfo f = symbols.debugInfo() == null ? null : symbols.debugInfo().outerFunctionAt(e.getKey());
            String name = f != null ? f.name() : symbolName(symbols, e.getKey());
            byName.merge(name, e.getValue()[0], Long::sum);
        }
        List<Map.Entry<String, Long>> list = new ArrayList<>(byName.entrySet());
        list.sort((a, b) -> a.getValue().equals(b.getValue()) ? a.getKey().compareTo(b.getKey())
                : Long.compare(b.getValue(), a.getValue()));
        return list;
    }

    private static String symbolName(ProgramSymbols symbols, long pc) {
        var s = symbols.symbolAt(pc);
        return s != null ? s.name() : String.format("0x%x", pc);
    }

    /**
     * lcov tracefile text (geninfo format: TN, SF, FN/FNDA/FNF/FNH, DA, LF/LH per file);
     * {@code sourcePath} maps a DWARF path to the file genhtml should read.
     */
    public String lcov(ProgramSymbols symbols, String testName, Function<String, Path> sourcePath) {
        StringBuilder sb = new StringBuilder();
        TreeMap<String, TreeMap<Integer, Long>> lines = lines(symbols);
        TreeMap<String, TreeMap<String, long[]>> functions = new TreeMap<>(); // file -> name -> {line, count}
        if (symbols.debugInfo() != null) {
            for (FunctionInfo f : symbols.debugInfo().functions()) {
                if (f.inlined()) {
                    continue;
                }
                var where = symbols.lineFor(f.lowPc());
                if (where == null) {
                    continue;
                }
                functions.computeIfAbsent(where.path(), k -> new TreeMap<>())
                        .merge(f.name(), new long[] {where.line(), count(f.lowPc())},
                                (a, b) -> new long[] {Math.min(a[0], b[0]), a[1] + b[1]});
            }
        }
        for (Map.Entry<String, TreeMap<Integer, Long>> file : lines.entrySet()) {
            sb.append("TN:").append(testName).append('\n');
            sb.append("SF:").append(sourcePath.apply(file.getKey())).append('\n');
            TreeMap<String, long[]> fns = functions.getOrDefault(file.getKey(), new TreeMap<>());
            for (Map.Entry<String, long[]> f : fns.entrySet()) {
                sb.append("FN:").append(f.getValue()[0]).append(',').append(f.getKey()).append('\n');
            }
            int hitFns = 0;
            for (Map.Entry<String, long[]> f : fns.entrySet()) {
                sb.append("FNDA:").append(f.getValue()[1]).append(',').append(f.getKey()).append('\n');
                hitFns += f.getValue()[1] > 0 ? 1 : 0;
            }
            sb.append("FNF:").append(fns.size()).append('\n');
            sb.append("FNH:").append(hitFns).append('\n');
            int hit = 0;
            for (Map.Entry<Integer, Long> l : file.getValue().entrySet()) {
                sb.append("DA:").append(l.getKey()).append(',').append(l.getValue()).append('\n');
                hit += l.getValue() > 0 ? 1 : 0;
            }
            sb.append("LF:").append(file.getValue().size()).append('\n');
            sb.append("LH:").append(hit).append('\n');
            sb.append("end_of_record\n");
        }
        return sb.toString();
    }
}
