package dev.rewind.symbols;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Test;

/**
 * A breakpoint on a function name covers the same addresses as gdb's {@code break NAME}:
 * past the prologue at -O0, at the entry for optimized code, and at each inlined copy.
 */
public class FunctionBreakpointsMatchGdbTest {
    private static final Pattern LOCATION = Pattern.compile(
            "^(\\d+)(?:\\.\\d+)?\\s+.*?\\s(0x[0-9a-f]+) in (\\S+) ");

    @Test
    public void functionBreakpointsEqualGdb() throws Exception {
        List<Path> elves = new ArrayList<>();
        for (TestPrograms.Variant v : TestPrograms.PLAIN) {
            elves.add(TestPrograms.build(v));
        }
        elves.addAll(ProjectGuestsMatchGnuToolsTest.build());
        int compared = 0;
        for (Path elf : elves) {
            ProgramSymbols program = ProgramSymbols.load(elf);
            TreeSet<String> names = new TreeSet<>();
            for (FunctionInfo f : program.debugInfo().functions()) {
                if (!f.inlined()) {
                    names.add(f.name());
                }
            }
            List<String> cmd = new ArrayList<>(List.of("gdb-multiarch", "-nx", "-batch"));
            List<String> order = new ArrayList<>(names);
            for (String name : order) {
                cmd.add("-ex");
                cmd.add("break " + name);
            }
            cmd.addAll(List.of("-ex", "info breakpoints", elf.toString()));
            Map<Integer, TreeSet<Long>> gdb = new TreeMap<>();
            for (String line : TestPrograms.run(elf.getParent(), cmd).split("\n")) {
                Matcher m = LOCATION.matcher(line.trim());
                if (m.find()) {
                    gdb.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new TreeSet<>())
                            .add(Long.parseUnsignedLong(m.group(2).substring(2), 16));
                }
            }
            for (int i = 0; i < order.size(); i++) {
                List<Long> expected = new ArrayList<>(gdb.getOrDefault(i + 1, new TreeSet<>()));
                assertEquals(elf.getFileName() + ": break " + order.get(i), hex(expected),
                        hex(program.breakpointAddresses(order.get(i))));
                compared++;
            }
        }
        assertTrue("only " + compared + " functions", compared > 40);
    }

    private static List<String> hex(List<Long> addresses) {
        List<String> out = new ArrayList<>();
        for (long a : addresses) {
            out.add(Long.toHexString(a));
        }
        return out;
    }
}
