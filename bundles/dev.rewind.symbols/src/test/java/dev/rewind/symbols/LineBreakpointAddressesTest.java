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

    private static String hex(List<Long> addresses) {
        List<String> out = new ArrayList<>();
        for (long a : addresses) {
            out.add("0x" + Long.toHexString(a));
        }
        return out.toString();
    }
}
