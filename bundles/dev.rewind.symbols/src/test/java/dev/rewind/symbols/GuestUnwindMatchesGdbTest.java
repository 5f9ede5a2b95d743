package dev.rewind.symbols;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/**
 * Three of the project's guests (traps -O2 with assembly, rvc -Os, fencei -O1) run under QEMU
 * with gdb: from main, each
 * of the following instructions is a stop where our frames and variable values must equal gdb's.
 */
public class GuestUnwindMatchesGdbTest {
    private static final int STEPS = 20;

    @Test
    public void guestsUnwindAsGdbDoes() throws Exception {
        int values = 0;
        for (Path elf : ProjectGuestsMatchGnuToolsTest.build()) {
            String name = elf.getFileName().toString();
            if (name.contains("blk") || name.contains("echo")) {
                continue; // traps covers -O2 C and assembly; keep the run short
            }
            ProgramSymbols program = ProgramSymbols.load(elf);
            // Static data too (static locals, string literals), up to 2 KiB of each data section.
            StringBuilder data = new StringBuilder();
            for (ElfSection section : program.elf().sections()) {
                if (section.isAllocated() && !section.isExecutable() && section.size() > 0) {
                    long words = Math.min(256, (section.size() + 7) / 8);
                    data.append("x/").append(words).append("gx 0x").append(Long.toHexString(section.address() & ~7L))
                            .append('\n');
                }
            }
            String dump = UnwindMatchesGdbTest.dump(data.toString());
            StringBuilder s = new StringBuilder("break main\ncontinue\n").append(dump);
            for (int i = 0; i < STEPS; i++) {
                s.append("stepi\n").append(dump);
            }
            List<UnwindMatchesGdbTest.Stop> stops = UnwindMatchesGdbTest.runGdb(elf, "steps", s.toString(),
                    new ArrayList<>());
            String label = name;
            assertEquals(label + ": stops", STEPS + 1, stops.size());
            int[] counts = UnwindMatchesGdbTest.compareStops(program, stops, label);
            assertTrue(label + ": stacks too shallow", counts[0] >= 2);
            values += counts[2];
            System.out.println(label + ": " + counts[1] + " caller pcs and " + counts[2] + " values equal gdb's");
        }
        assertTrue("only " + values + " values compared", values > 50);
    }
}
