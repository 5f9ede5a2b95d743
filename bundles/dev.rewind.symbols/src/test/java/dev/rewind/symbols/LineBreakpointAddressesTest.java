package dev.rewind.symbols;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Test;

/**
 * The addresses we give for a line breakpoint include the address gdb's {@code info line}
 * reports for every line of every source file, and lines without code give none.
 */
public class LineBreakpointAddressesTest {
    private static final Pattern STARTS = Pattern.compile(
            "^Line (\\d+) of \"([^\"]+)\" starts at address (0x[0-9a-f]+)");
    private static final String[] FILES = {"main.c", "calc.c", "list.c", "calc.h"};

    @Test
    public void addressesIncludeGdbInfoLineForEveryLine() throws Exception {
        for (TestPrograms.Variant v : TestPrograms.PLAIN) {
            Path elf = TestPrograms.build(v);
            ProgramSymbols program = ProgramSymbols.load(elf);
            List<String> cmd = new ArrayList<>(List.of("gdb-multiarch", "-nx", "-batch"));
            for (String file : FILES) {
                int lines = Files.readAllLines(elf.resolveSibling(file)).size();
                for (int line = 1; line <= lines; line++) {
                    cmd.add("-ex");
                    cmd.add("info line " + file + ":" + line);
                }
            }
            cmd.add(elf.toString());
            int checked = 0;
            for (String out : TestPrograms.run(elf.getParent(), cmd).split("\n")) {
                Matcher m = STARTS.matcher(out);
                if (!m.find()) {
                    continue;
                }
                int line = Integer.parseInt(m.group(1));
                String file = m.group(2);
                long gdbAddress = Long.parseUnsignedLong(m.group(3).substring(2), 16);
                List<Long> ours = program.addressesFor(file, line);
                assertTrue(v + ": " + file + ":" + line + " gdb 0x" + Long.toHexString(gdbAddress) + ", ours "
                        + hex(ours), ours.contains(gdbAddress));
                // A bare file name finds the same code as gdb's path.
                String name = file.substring(file.lastIndexOf('/') + 1);
                assertEquals(v + ": by name " + name + ":" + line, ours, program.addressesFor(name, line));
                checked++;
            }
            assertTrue(v + ": only " + checked + " lines with code", checked >= 25);
            // calc.c line 5 is a comment; main.c has no line 200.
            assertEquals(v + ": comment line", List.of(), program.addressesFor("calc.c", 5));
            assertEquals(v + ": past the end", List.of(), program.addressesFor("main.c", 200));
            assertEquals(v + ": unknown file", List.of(), program.addressesFor("nosuch.c", 10));
            assertFalse(v + ": full path with another directory falls back to the file name",
                    program.addressesFor("/elsewhere/checkout/calc.c", 17).isEmpty());
        }
    }

    @Test
    public void functionsDroppedByTheLinkerHaveNoBreakpointAddresses() throws Exception {
        Path dir = TestPrograms.dir();
        for (int opt : new int[] {0, 1}) {
            Path elf = dir.resolve("gc-O" + opt + ".elf");
            List<String> cmd = new ArrayList<>(List.of("riscv64-unknown-elf-gcc", "-march=rv64imac_zicsr",
                    "-mabi=lp64", "-mcmodel=medany", "-nostdlib", "-ffreestanding", "-g", "-O" + opt,
                    "-ffunction-sections", "-Wl,--gc-sections", "-Wl,-e,main", "-o", elf.toString()));
            cmd.addAll(List.of(TestPrograms.SOURCES));
            TestPrograms.run(dir, cmd);
            ProgramSymbols program = ProgramSymbols.load(elf);
            assertEquals("-O" + opt + ": list_length is gone", null, program.symbol("list_length"));
            int first = lineOf(dir.resolve("list.c"), "long list_length(");
            for (int line = first; line <= first + 6; line++) {
                assertEquals("-O" + opt + ": list.c:" + line, List.of(), program.addressesFor("list.c", line));
                assertEquals("-O" + opt + ": gdb on list.c:" + line, "", gdbStart(elf, "list.c:" + line));
            }
            assertTrue("-O" + opt + ": list_sum still has code",
                    !program.addressesFor("list.c", lineOf(dir.resolve("list.c"), "while (head)")).isEmpty());
            LineTableMatchesObjdumpTest.compare(elf, "gc-O" + opt);
        }
    }

    private static int lineOf(Path file, String text) throws Exception {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError(text + " not in " + file);
    }

    /** The address gdb's info line gives for {@code where}, or "" when it finds no code. */
    private static String gdbStart(Path elf, String where) throws Exception {
        String out = TestPrograms.run(elf.getParent(), List.of("gdb-multiarch", "-nx", "-batch", "-ex",
                "info line " + where, elf.toString()));
        Matcher m = STARTS.matcher(out.trim());
        return m.find() ? m.group(3) : "";
    }

    private static String hex(List<Long> addresses) {
        List<String> out = new ArrayList<>();
        for (long a : addresses) {
            out.add("0x" + Long.toHexString(a));
        }
        return out.toString();
    }
}
