package dev.rewind.replay.query;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.Test;

import dev.rewind.emulator.StopReason;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.replay.GuestPrograms;
import dev.rewind.replay.RecordSession;
import dev.rewind.replay.Timeline;
import dev.rewind.symbols.ProgramSymbols;

/**
 * Branch coverage counts what a forward single-step replay sees: every conditional branch (found
 * by the disassembler's mnemonic, not the coverage's own decoding) went to another pc than the
 * next instruction as often as the coverage says it was taken. In {@code guests/src/sample.c}
 * the {@code if (i % 3 == 0)} of line 24 runs ten times and goes one way three times, the other
 * seven; branches that never ran are listed with no count.
 */
public class CoverageBranchesTest {

    /** The conditional branches as the emulator's encoding table names them. */
    private static final Set<String> BRANCHES = Set.of("beq", "bne", "blt", "bge", "bltu", "bgeu", "c.beqz", "c.bnez");

    @Test
    public void branchCountsEqualAForwardSingleStepCountAndLine24GoesThreeTimesOneWaySevenTheOther() throws Exception {
        Path dir = Files.createTempDirectory("rewind-branches");
        Path log = dir.resolve("sample.rrlog");
        try (RecordSession s = RecordSession.start(RecordSession.Options.of(GuestPrograms.elf("sample"), log)
                .withInput(null, new ByteArrayOutputStream()).withMachine(16L << 20, 0))) {
            s.run(Long.MAX_VALUE);
        }
        TreeMap<Long, long[]> expected = new TreeMap<>(); // pc -> {taken, not taken}
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults())) {
            VirtMachine m = s.machine();
            long[] seen = new long[2];
            while (m.icount() < s.endIcount()) {
                long ic = m.icount();
                StopReason r = m.step((pc, icount) -> {
                    seen[0] = pc;
                    seen[1] = m.currentHart();
                });
                long pc = seen[0];
                String mnemonic = m.mnemonicAt(pc);
                if (m.icount() == ic + 1 && BRANCHES.contains(mnemonic)) {
                    int len = (m.instructionAt(pc) & 3) == 3 ? 4 : 2;
                    boolean taken = m.hart((int) seen[1]).pc() != pc + len;
                    expected.computeIfAbsent(pc, k -> new long[2])[taken ? 0 : 1]++;
                }
                if (r != null && r != StopReason.LIMIT) {
                    break;
                }
            }
        }
        assertTrue("the sample runs conditional branches", expected.size() > 5);
        Coverage c;
        ProgramSymbols symbols;
        try (QueryEngine q = QueryEngine.open(log, null, QueryEngine.DEFAULT_INTERVAL)) {
            symbols = q.symbols();
            c = Coverage.measure(q.session(), symbols, Progress.NONE);
        }
        for (Map.Entry<Long, long[]> e : expected.entrySet()) {
            long[] b = c.branch(e.getKey());
            assertNotNull(String.format("branch at 0x%x", e.getKey()), b);
            assertArrayEquals(String.format("taken, not taken at 0x%x", e.getKey()), e.getValue(), Arrays.copyOf(b, 2));
        }
        int neverRan = 0;
        for (TreeMap<Integer, List<long[]>> file : c.branches(symbols).values()) {
            for (List<long[]> line : file.values()) {
                for (long[] b : line) {
                    assertEquals(b[0] + b[1], b[2]);
                    neverRan += b[2] == 0 ? 1 : 0;
                }
            }
        }
        assertTrue("branches of code that never ran are listed", neverRan > 0);
        List<long[]> line24 = c.branches(symbols).entrySet().stream().filter(f -> f.getKey().endsWith("sample.c"))
                .findFirst().orElseThrow().getValue().get(24);
        assertEquals(1, line24.size());
        long[] ways = Arrays.copyOf(line24.get(0), 2);
        Arrays.sort(ways);
        assertArrayEquals(new long[] {3, 7}, ways);
    }
}
