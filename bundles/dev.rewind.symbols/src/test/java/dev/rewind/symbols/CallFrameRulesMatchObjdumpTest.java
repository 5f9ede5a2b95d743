package dev.rewind.symbols;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/**
 * The unwind rules we evaluate from {@code .debug_frame} equal the CFA table that
 * {@code objdump --dwarf=frames-interp} prints, row by row and register by register, at the
 * first and the last halfword of every row, for the test programs and the project's guests
 * (which use DW_CFA_remember_state / restore_state in multi-exit functions), and for
 * builds with unwind tables, whose rules live in .eh_frame.
 */
public class CallFrameRulesMatchObjdumpTest {
    private static final String[] NAMES = {"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1",
        "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
        "t5", "t6"};

    @Test
    public void rulesEqualObjdumpFramesInterp() throws Exception {
        List<Path> elves = new ArrayList<>();
        for (TestPrograms.Variant v : TestPrograms.PLAIN) {
            elves.add(TestPrograms.build(v));
        }
        elves.add(TestPrograms.build(new TestPrograms.Variant(0, 5, false, true)));
        elves.add(TestPrograms.build(new TestPrograms.Variant(1, 4, false, true)));
        elves.addAll(ProjectGuestsMatchGnuToolsTest.build());
        int rows = 0;
        for (Path elf : elves) {
            rows += compare(elf);
        }
        assertTrue("only " + rows + " CFA rows compared", rows > 200);
    }

    private static int compare(Path elf) throws Exception {
        CallFrameInfo cfi = ProgramSymbols.load(elf).callFrameInfo();
        String text = TestPrograms.run(elf.getParent(), List.of("riscv64-unknown-elf-objdump", "--dwarf=frames-interp",
                elf.toString()));
        String label = elf.getFileName().toString();
        long fdeHigh = 0;
        boolean inFde = false;
        int[] columns = new int[0];
        List<String[]> table = new ArrayList<>();
        int compared = 0;
        for (String line : (text + "\n").split("\n")) {
            String t = line.trim();
            if (t.contains(" FDE ") && t.contains("pc=")) {
                compared += check(cfi, label, table, columns, fdeHigh);
                table.clear();
                String range = t.substring(t.indexOf("pc=") + 3);
                fdeHigh = Long.parseUnsignedLong(range.substring(range.indexOf("..") + 2), 16);
                long low = Long.parseUnsignedLong(range.substring(0, range.indexOf("..")), 16);
                assertTrue(label + ": FDE at 0x" + Long.toHexString(low) + " not found", cfi.covers(low));
                inFde = true;
                columns = new int[0];
            } else if (t.contains(" CIE ")) {
                compared += check(cfi, label, table, columns, fdeHigh);
                table.clear();
                inFde = false;
            } else if (inFde && t.startsWith("LOC")) {
                String[] f = t.split("\\s+");
                columns = new int[f.length - 2];
                for (int i = 2; i < f.length; i++) {
                    columns[i - 2] = number(f[i]);
                }
            } else if (inFde && t.matches("[0-9a-f]{8,16} .*")) {
                table.add(t.split("\\s+"));
            }
        }
        compared += check(cfi, label, table, columns, fdeHigh);
        return compared;
    }

    private static int check(CallFrameInfo cfi, String label, List<String[]> table, int[] columns, long fdeHigh)
            throws SymbolsException {
        for (int r = 0; r < table.size(); r++) {
            String[] row = table.get(r);
            long loc = Long.parseUnsignedLong(row[0], 16);
            long end = r + 1 < table.size() ? Long.parseUnsignedLong(table.get(r + 1)[0], 16) : fdeHigh;
            for (long pc : new long[] {loc, end - 2}) {
                UnwindRules rules = cfi.rulesAt(pc);
                assertNotNull(label + ": no rules at 0x" + Long.toHexString(pc), rules);
                String where = label + " at 0x" + Long.toHexString(pc);
                assertEquals(where + ": CFA", row[1], NAMES[rules.cfaRegister()] + signed(rules.cfaOffset()));
                for (int c = 0; c < columns.length; c++) {
                    assertEquals(where + ": rule for " + NAMES[columns[c]], row[2 + c], rule(rules, columns[c]));
                }
            }
        }
        return table.size();
    }

    private static String rule(UnwindRules rules, int reg) {
        switch (rules.kind(reg)) {
            case UnwindRules.OFFSET: return "c" + signed(rules.value(reg));
            case UnwindRules.VAL_OFFSET: return "v" + signed(rules.value(reg));
            case UnwindRules.REGISTER: return NAMES[(int) rules.value(reg)];
            case UnwindRules.UNSUPPORTED: return "exp";
            default: return "u"; // objdump prints both "no rule" and DW_CFA_undefined as u
        }
    }

    private static String signed(long v) {
        return v >= 0 ? "+" + v : Long.toString(v);
    }

    private static int number(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return i;
            }
        }
        throw new AssertionError("objdump register column " + name);
    }
}
