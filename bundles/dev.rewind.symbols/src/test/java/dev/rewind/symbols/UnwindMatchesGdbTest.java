package dev.rewind.symbols;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Test;

/**
 * Runs the test program under {@code qemu-system-riscv64 -M virt} with gdb attached, stops
 * it inside the factorial recursion (at a function entry, in inlined code, and at each of the
 * following instructions through epilogues and returns), dumps registers, stack memory and
 * gdb's backtrace and variables, and requires our unwinder, fed the same registers and memory,
 * to give the same frames (function, pc and file:line) and the same parameter and local values
 * in the two innermost frames. A second run stops in list_sum for a pointer parameter and
 * compares the globals (an array of structs, statics, volatiles) with gdb's print.
 * At -O1 that includes parameters recovered from the caller's call site (DW_OP_entry_value).
 */
public class UnwindMatchesGdbTest {
    private static final int STEPS = 30;
    private static final int PIECE_STEPS = 6;
    private static final String MARK = "===STOP===";
    private static final String[] GLOBALS = {"nodes", "counter", "probe", "result", "greeting", "label", "banner",
        "small", "octet", "status", "shade", "ratio", "tenth", "huge", "tiny", "whole"};
    private static final String[] REGISTER_NAMES = {"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1",
        "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
        "t3", "t4", "t5", "t6"};
    private static final Pattern REGISTER = Pattern.compile("^(\\w+)\\s+(0x[0-9a-f]+)\\s");
    private static final Pattern MEMORY = Pattern.compile("^(0x[0-9a-f]+)(?: <[^>]*>)?:\\s+(.*)$");
    private static final Pattern PRINTED = Pattern.compile("^\\$\\d+ = (.*)$");
    private static final Pattern VARIABLE = Pattern.compile("^(\\w+) = (.*)$");
    private static final Pattern FRAME = Pattern.compile(
            "^#(\\d+)\\s+(?:(0x[0-9a-f]+) in )?(\\S+) \\(.*\\) at (\\S+):(\\d+)$");

    /** One stop: what gdb saw. */
    static final class Stop {
        final long[] registers = new long[32];
        long pc;
        final Map<Long, Long> memory = new HashMap<>();
        final List<String> frames = new ArrayList<>();
        // The pc gdb printed for each frame, or null where it printed none (pc at a line start).
        final List<Long> pcs = new ArrayList<>();
        final List<String> text = new ArrayList<>();
        /** gdb's "info args" + "info locals" lines per frame (0 and 1), as name -> value. */
        final List<Map<String, String>> variables = List.of(new java.util.LinkedHashMap<>(),
                new java.util.LinkedHashMap<>());
    }

    @Test
    public void unwindMatchesGdbBacktraceO0Dwarf4() throws Exception {
        check(new TestPrograms.Variant(0, 4, true));
    }

    @Test
    public void unwindMatchesGdbBacktraceO0Dwarf5() throws Exception {
        check(new TestPrograms.Variant(0, 5, true));
    }

    @Test
    public void unwindMatchesGdbBacktraceO1Dwarf4() throws Exception {
        check(new TestPrograms.Variant(1, 4, true));
    }

    @Test
    public void unwindMatchesGdbBacktraceO1Dwarf5() throws Exception {
        check(new TestPrograms.Variant(1, 5, true));
    }

    @Test
    public void unwindMatchesGdbBacktraceWithEhFrame() throws Exception {
        TestPrograms.Variant v = new TestPrograms.Variant(1, 5, true, true);
        ElfFile elf = ElfFile.load(TestPrograms.build(v));
        assertTrue(v + ": expected .eh_frame only", elf.section(".eh_frame") != null
                && elf.section(".debug_frame") == null);
        check(v);
    }

    private void check(TestPrograms.Variant v) throws Exception {
        Path elf = TestPrograms.build(v);
        ProgramSymbols program = ProgramSymbols.load(elf);
        assertEquals(v + ": problems", List.of(), program.problems());
        List<String> gdbGlobals = new ArrayList<>();
        List<Stop> stops = runGdb(elf, gdbGlobals);
        assertEquals(v + ": stops seen", 3 + STEPS + 1 + PIECE_STEPS, stops.size());
        // Globals at the list_sum stop, whose memory gdb printed from the same running program.
        Stop last = stops.get(3 + STEPS - 1);
        List<String> ourGlobals = new ArrayList<>();
        for (String name : GLOBALS) {
            for (VariableInfo g : program.globals()) {
                if (g.name().equals(name)) {
                    ourGlobals.add(program.globalValue(g, address -> readGlobal(elf, last, address)).value());
                }
            }
        }
        assertEquals(v + ": globals", gdbGlobals, ourGlobals);
        int[] counts = compareStops(program, stops, v.toString());
        int deepestSeen = counts[0];
        int checkedPcs = counts[1];
        int checkedValues = counts[2];
        assertTrue(v + ": deepest backtrace had only " + deepestSeen + " frames", deepestSeen >= 8);
        assertTrue(v + ": only " + checkedPcs + " caller pcs compared", checkedPcs >= 100);
        assertTrue(v + ": only " + checkedValues + " variable values compared", checkedValues >= 40);
        System.out.println(v + ": " + checkedValues + " variable values equal gdb's");
    }

    /**
     * Compares our frames, pcs and variables with gdb's at every stop; returns the deepest
     * stack seen, the caller pcs compared and the variable values compared.
     */
    static int[] compareStops(ProgramSymbols program, List<Stop> stops, String v) {
        int deepestSeen = 0;
        int checkedPcs = 0;
        int checkedValues = 0;
        for (Stop stop : stops) {
            MemoryReader memory = address -> {
                Long value = stop.memory.get(address);
                return value == null ? OptionalLong.empty() : OptionalLong.of(value);
            };
            List<StackFrame> frames = program.unwind(stop.pc, stop.registers, memory);
            List<String> ours = new ArrayList<>();
            List<Long> ourPcs = new ArrayList<>();
            for (StackFrame f : frames) {
                ourPcs.add(f.pc());
                ours.add(describe(f.function(), f.location() == null ? "??" : f.location().fileName(),
                        f.location() == null ? 0 : f.location().line(), f.pc()));
            }
            List<String> gdb = stop.frames;
            if (!gdb.equals(ours) && !frames.isEmpty() && frames.get(0).inlined()) {
                // gdb hides an inlined call whose first instruction is the pc (so that "step"
                // can enter it); compare with that frame hidden and the call site as the line.
                FunctionInfo inner = program.functionAt(stop.pc);
                boolean atInlineEntry = false;
                for (AddressRange r : inner.ranges()) {
                    atInlineEntry |= r.low() == stop.pc;
                }
                if (atInlineEntry) {
                    ours.remove(0);
                    ourPcs.remove(0);
                }
            }
            assertTrue(v + ": gdb printed no frames:\n" + String.join("\n", stop.text), gdb.size() > 0);
            assertEquals(v + ": frames at pc 0x" + Long.toHexString(stop.pc) + "\n" + String.join("\n", stop.text),
                    String.join("\n", gdb), String.join("\n", ours));
            List<StackFrame> shown = new ArrayList<>(frames);
            if (ours.size() < frames.size()) {
                shown.remove(0); // the inlined frame gdb hides, as above
            }
            for (int level = 0; level < 2 && level < shown.size(); level++) {
                Map<String, String> ourValues = new HashMap<>();
                for (VariableValue value : program.variables(frames, frames.indexOf(shown.get(level)), memory)) {
                    ourValues.put(value.name(), value.value());
                }
                for (Map.Entry<String, String> e : stop.variables.get(level).entrySet()) {
                    String ourValue = ourValues.get(e.getKey());
                    String where = v + ": frame " + level + " variable " + e.getKey() + " at pc 0x"
                            + Long.toHexString(stop.pc);
                    if (ourValue == null && e.getValue().equals("<optimized out>")) {
                        continue; // a variable without any location: we do not list it
                    }
                    assertEquals(where, e.getValue(), ourValue);
                    checkedValues++;
                }
            }
            for (int i = 0; i < stop.pcs.size(); i++) {
                if (stop.pcs.get(i) != null) {
                    assertEquals(v + ": pc of frame " + i + " at stop pc 0x" + Long.toHexString(stop.pc),
                            Long.toHexString(stop.pcs.get(i)), Long.toHexString(ourPcs.get(i)));
                    checkedPcs++;
                }
            }
            deepestSeen = Math.max(deepestSeen, frames.size());
        }
        return new int[] {deepestSeen, checkedPcs, checkedValues};
    }

    /** Memory for globals: the last stop's dumps, which include gdb's x/16gx of each global. */
    private static OptionalLong readGlobal(Path elf, Stop stop, long address) {
        Long v = stop.memory.get(address);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    private static String describe(String function, String file, int line, long pc) {
        return function + " " + file + ":" + line;
    }

    /** gdb commands that dump one stop: registers, stack memory, backtrace, variables of frames 0 and 1. */
    static final String DUMP = dump("");

    /** As {@link #DUMP}, with more gdb memory commands (x/Ngx) after the stack dump. */
    static String dump(String moreMemory) {
        return "echo " + MARK + "\\n\ninfo registers\nx/128gx $sp-256\n" + moreMemory + "echo ===BT===\\n\nbt\n"
                + "echo ===VARS0===\\n\ninfo args\ninfo locals\nframe 1\necho ===VARS1===\\n\ninfo args\n"
                + "info locals\nframe 0\necho ===END===\\n\n";
    }

    private static List<Stop> runGdb(Path elf, List<String> globals) throws Exception {
        String dump = DUMP;
        StringBuilder s = new StringBuilder();
        s.append("break *deepest\nbreak calc.h:17\ncontinue\n").append(dump).append("continue\n").append(dump);
        s.append("delete\n");
        for (int i = 0; i < STEPS; i++) {
            s.append("stepi\n").append(dump);
        }
        List<Stop> stops = new ArrayList<>(runGdb(elf, "recursion", s.toString(), globals));
        // A second run: a stop with a pointer parameter, main's frame above it after its loop's
        // block ended, and the globals.
        s = new StringBuilder("break list_sum\ncontinue\n").append(dump).append("echo ===GLOBALS===\\n\n");
        for (String global : GLOBALS) {
            s.append("print ").append(global).append('\n');
        }
        for (String global : GLOBALS) {
            s.append("x/16gx ((unsigned long) &").append(global).append(") & ~7\n");
        }
        s.append("x/8gx ((unsigned long) greeting) & ~7\n"); // the string it points to
        // A struct passed by value, which optimized code describes in pieces.
        s.append("break combine\ncontinue\n").append(dump);
        for (int i = 0; i < PIECE_STEPS; i++) {
            s.append("stepi\n").append(dump);
        }
        stops.addAll(runGdb(elf, "list", s.toString(), globals));
        return stops;
    }

    static List<Stop> runGdb(Path elf, String name, String commands, List<String> globals) throws Exception {
        Path script = elf.resolveSibling(elf.getFileName() + "." + name + ".gdb");
        StringBuilder s = new StringBuilder();
        // past-main: show the crt frame too, where .cfi_undefined ra ends the stack.
        s.append("set pagination off\nset confirm off\nset width 0\nset backtrace past-main on\n");
        s.append("target remote | qemu-system-riscv64 -M virt -bios none -display none -serial none -monitor none"
                + " -kernel ").append(elf).append(" -gdb stdio -S\n");
        s.append(commands).append("kill\n");
        Files.writeString(script, s.toString());
        // The final "kill" ends QEMU, and gdb sometimes reports the closed pipe with exit status 1;
        // the stop count asserted by the caller is what shows the session completed.
        String out = TestPrograms.run(elf.getParent(), List.of("gdb-multiarch", "-nx", "-batch", "-x",
                script.toString(), elf.toString()), false);
        List<Stop> stops = new ArrayList<>();
        Stop stop = null;
        String section = "";
        for (String line : out.split("\n")) {
            if (line.startsWith(MARK)) {
                stop = new Stop();
                stops.add(stop);
                section = "REGS";
                continue;
            }
            if (stop == null) {
                continue;
            }
            if (line.startsWith("===") && line.endsWith("===")) {
                section = line.replace("=", "");
                continue;
            }
            stop.text.add(line);
            if (section.equals("BT")) {
                Matcher m = FRAME.matcher(line);
                if (m.matches()) {
                    String file = m.group(4).substring(m.group(4).lastIndexOf('/') + 1);
                    stop.frames.add(describe(m.group(3), file, Integer.parseInt(m.group(5)), 0));
                    stop.pcs.add(m.group(2) == null ? null : Long.parseUnsignedLong(m.group(2).substring(2), 16));
                }
            } else if (section.startsWith("VARS")) {
                Matcher m = VARIABLE.matcher(line);
                if (m.matches()) {
                    // gdb names what a pointer points at ("0x80002300 <nodes+16>"); we print the address.
                    String value = m.group(2).replaceAll("(0x[0-9a-f]+) <[^>]*>", "$1");
                    stop.variables.get(section.equals("VARS0") ? 0 : 1).put(m.group(1), value);
                }
            } else if (section.equals("GLOBALS")) {
                Matcher m = PRINTED.matcher(line);
                if (m.matches()) {
                    globals.add(m.group(1).replaceAll("(0x[0-9a-f]+) <[^>]*>", "$1"));
                }
                m = MEMORY.matcher(line);
                if (m.matches()) {
                    long address = Long.parseUnsignedLong(m.group(1).substring(2), 16);
                    for (String word : m.group(2).trim().split("\\s+")) {
                        stop.memory.put(address, Long.parseUnsignedLong(word.substring(2), 16));
                        address += 8;
                    }
                }
            } else if (section.equals("REGS")) {
                Matcher m = MEMORY.matcher(line);
                if (m.matches()) {
                    long address = Long.parseUnsignedLong(m.group(1).substring(2), 16);
                    for (String word : m.group(2).trim().split("\\s+")) {
                        stop.memory.put(address, Long.parseUnsignedLong(word.substring(2), 16));
                        address += 8;
                    }
                    continue;
                }
                m = REGISTER.matcher(line);
                if (m.find()) {
                    long value = Long.parseUnsignedLong(m.group(2).substring(2), 16);
                    if (m.group(1).equals("pc")) {
                        stop.pc = value;
                    }
                    for (int r = 0; r < REGISTER_NAMES.length; r++) {
                        if (REGISTER_NAMES[r].equals(m.group(1)) || (r == 8 && m.group(1).equals("s0"))) {
                            stop.registers[r] = value;
                        }
                    }
                }
            }
        }
        return stops;
    }
}
