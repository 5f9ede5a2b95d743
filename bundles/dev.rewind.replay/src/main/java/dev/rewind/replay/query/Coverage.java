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
 * How often each instruction of a recording ran, and each conditional branch went each way, from
 * one single-step replay of all of it; as lcov line coverage (a line's count is the largest
 * execution count among the statement addresses the line table gives it, i.e. how often the line
 * was entered), branch coverage (per conditional branch instruction of a line: taken, not taken)
 * and function entry counts, and as a per-function instruction profile.
 */
public final class Coverage {

    /** pc -> {times retired, times it branched (a conditional branch), length if a conditional branch else 0}. */
    private final TreeMap<Long, long[]> counts = new TreeMap<>();
    private long instructions;

    private Coverage() {
    }

    /** Single-steps {@code session} from its start to the end of its history, counting pcs. */
    public static Coverage measure(Timeline session, Progress progress) {
        return measure(session, null, progress);
    }

    /**
     * Like {@link #measure(Timeline, Progress)}, and with {@code symbols} also finds the
     * conditional branches of the program's code (its line table's ranges) that never ran.
     */
    public static Coverage measure(Timeline session, ProgramSymbols symbols, Progress progress) {
        Coverage c = new Coverage();
        session.seek(session.startIcount());
        VirtMachine m = session.machine();
        long start = session.startIcount();
        long end = session.endIcount();
        long[] seen = new long[2]; // pc, hart of the instruction about to run
        long lastPc = Long.MIN_VALUE;
        int lastHart = -1;
        long[] slot = null;
        VirtMachine.InstructionObserver observer = (pc, icount) -> {
            seen[0] = pc;
            seen[1] = m.currentHart();
        };
        while (m.icount() < end) {
            long ic = m.icount();
            StopReason r = m.step(observer);
            if (m.icount() == ic + 1) {
                long pc = seen[0];
                int hart = (int) seen[1];
                if (pc != lastPc || hart != lastHart) {
                    slot = c.counts.get(pc);
                    if (slot == null) {
                        slot = new long[] {0, 0, branchLength(m.instructionAt(pc))};
                        c.counts.put(pc, slot);
                    }
                    lastPc = pc;
                    lastHart = hart;
                }
                slot[0]++;
                if (slot[2] != 0 && m.hart(hart).pc() != pc + slot[2]) {
                    slot[1]++; // the hart went elsewhere than the next instruction: taken
                }
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
        if (symbols != null && symbols.lineTable() != null) {
            c.addBranchesNeverRun(m, symbols.lineTable().rows());
        }
        return c;
    }

    /** Walks the code the line table describes and notes the conditional branches that never ran. */
    private void addBranchesNeverRun(VirtMachine m, List<LineRow> rows) {
        for (int i = 0; i + 1 < rows.size(); i++) {
            LineRow row = rows.get(i);
            long to = rows.get(i + 1).address();
            if (row.endSequence() || to <= row.address() || to - row.address() > 1 << 16) {
                continue;
            }
            for (long pc = row.address(); pc < to; ) {
                long insn = m.instructionAt(pc);
                if (insn < 0) {
                    break;
                }
                int len = branchLength(insn);
                if (len != 0 && !counts.containsKey(pc)) {
                    counts.put(pc, new long[] {0, 0, len});
                }
                pc += ((int) insn & 3) == 3 ? 4 : 2;
            }
        }
    }

    /** The length of a conditional branch (BEQ..BGEU: 4, C.BEQZ/C.BNEZ: 2), 0 for any other instruction. */
    static int branchLength(long insn) {
        if (insn < 0) {
            return 0;
        }
        int w = (int) insn;
        if ((w & 3) == 3) {
            int funct3 = (w >>> 12) & 7;
            return (w & 0x7f) == 0x63 && funct3 != 2 && funct3 != 3 ? 4 : 0;
        }
        return (w & 3) == 1 && ((w >>> 13) & 7) >= 6 ? 2 : 0;
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

    /**
     * Times the conditional branch at {@code pc} was taken and not taken, and ran, or null if
     * {@code pc} is no conditional branch the measurement knows.
     */
    public long[] branch(long pc) {
        long[] n = counts.get(pc);
        return n == null || n[2] == 0 ? null : new long[] {n[1], n[0] - n[1], n[0]};
    }

    /**
     * Per source file, per line: its conditional branches, in address order, each {taken, not
     * taken, ran} (those that never ran only if {@link #measure} had the symbols).
     */
    public TreeMap<String, TreeMap<Integer, List<long[]>>> branches(ProgramSymbols symbols) {
        TreeMap<String, TreeMap<Integer, List<long[]>>> out = new TreeMap<>();
        for (Map.Entry<Long, long[]> e : counts.entrySet()) {
            long[] b = branch(e.getKey());
            var where = b == null ? null : symbols.lineFor(e.getKey());
            if (where != null && where.line() > 0) {
                out.computeIfAbsent(where.path(), k -> new TreeMap<>()).computeIfAbsent(where.line(),
                        k -> new ArrayList<>()).add(b);
            }
        }
        return out;
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
     * lcov tracefile text (geninfo format: TN, SF, FN/FNDA/FNF/FNH, BRDA/BRF/BRH, DA, LF/LH per file);
     * {@code sourcePath} maps a DWARF path to the file genhtml should read.
     */
    public String lcov(ProgramSymbols symbols, String testName, Function<String, Path> sourcePath) {
        StringBuilder sb = new StringBuilder();
        TreeMap<String, TreeMap<Integer, Long>> lines = lines(symbols);
        TreeMap<String, TreeMap<Integer, List<long[]>>> branches = branches(symbols);
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
            int found = 0;
            int taken = 0;
            // BRDA:line,block,branch,count: block = the line's n-th branch instruction, branch 0 taken, 1 not taken
            for (Map.Entry<Integer, List<long[]>> l : branches.getOrDefault(file.getKey(), new TreeMap<>()).entrySet()) {
                for (int block = 0; block < l.getValue().size(); block++) {
                    long[] b = l.getValue().get(block);
                    for (int way = 0; way < 2; way++) {
                        // "-": the branch never ran (lcov's mark for a block not executed)
                        sb.append("BRDA:").append(l.getKey()).append(',').append(block).append(',').append(way)
                                .append(',').append(b[2] == 0 ? "-" : Long.toString(b[way])).append('\n');
                        found++;
                        taken += b[way] > 0 ? 1 : 0;
                    }
                }
            }
            sb.append("BRF:").append(found).append('\n');
            sb.append("BRH:").append(taken).append('\n');
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
