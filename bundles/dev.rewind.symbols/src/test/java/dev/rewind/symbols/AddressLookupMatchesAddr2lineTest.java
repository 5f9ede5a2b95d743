package dev.rewind.symbols;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Test;

/**
 * For every halfword address of .text (every possible RVC instruction start), the function
 * and file:line we report equal those of {@code addr2line -f}, including inlined code.
 * binutils 2.40's addr2line misnames the file of code from a header in DWARF 5 line tables
 * (it prints the unit's own file; objdump and gdb print the header); where addr2line and we
 * disagree on the file:line, gdb's {@code info line} decides, and that is allowed only for DWARF 5.
 */
public class AddressLookupMatchesAddr2lineTest {
    private static final Pattern GDB_LINE = Pattern.compile("^Line (\\d+) of \"([^\"]+)\"");

    @Test
    public void everyTextAddressMatchesAddr2line() throws Exception {
        for (TestPrograms.Variant v : TestPrograms.PLAIN) {
            compare(TestPrograms.build(v), v.toString(), v.dwarf());
        }
    }

    /** Requires our function and file:line for every halfword of .text in {@code elf} to equal addr2line's. */
    static void compare(Path elf, String v, int dwarfVersion) throws Exception {
        {
            ProgramSymbols program = ProgramSymbols.load(elf);
            assertEquals(v + ": problems", List.of(), program.problems());
            ElfSection text = program.elf().section(".text");
            List<String> cmd = new ArrayList<>(List.of("riscv64-unknown-elf-addr2line", "-f", "-e", elf.toString()));
            List<Long> addresses = new ArrayList<>();
            for (long a = text.address(); a < text.address() + text.size(); a += 2) {
                addresses.add(a);
                cmd.add("0x" + Long.toHexString(a));
            }
            String[] out = TestPrograms.run(elf.getParent(), cmd).split("\n");
            assertEquals(v + ": addr2line answers", addresses.size() * 2, out.length);
            assertTrue(v + ": too few addresses", addresses.size() > 50);
            List<Long> disputed = new ArrayList<>();
            List<String> ourLines = new ArrayList<>();
            for (int i = 0; i < addresses.size(); i++) {
                long a = addresses.get(i);
                FunctionInfo f = program.functionAt(a);
                assertEquals(v + ": function at 0x" + Long.toHexString(a), out[2 * i], f == null ? "??" : f.name());
                // addr2line appends " (discriminator N)" to some answers; the line is what counts.
                String where = out[2 * i + 1].replaceFirst(" \\(discriminator \\d+\\)$", "");
                SourceLocation loc = program.lineFor(a);
                if (where.endsWith(":?") || where.equals("??:0")) {
                    // No line information (addr2line may name the object file from an STT_FILE symbol).
                    assertEquals(v + ": line at 0x" + Long.toHexString(a), null, loc);
                    continue;
                }
                String ours = loc == null ? "??:0" : loc.path() + ":" + loc.line();
                if (!where.equals(ours)) {
                    disputed.add(a);
                    ourLines.add(ours);
                }
            }
            if (disputed.isEmpty()) {
                return;
            }
            assertEquals(v + ": addr2line disagrees at " + disputed.size() + " addresses, e.g. 0x"
                    + Long.toHexString(disputed.get(0)) + " (ours " + ourLines.get(0) + ")", 5, dwarfVersion);
            List<String> gdb = new ArrayList<>(List.of("gdb-multiarch", "-nx", "-batch"));
            for (long a : disputed) {
                gdb.add("-ex");
                gdb.add("info line *0x" + Long.toHexString(a));
            }
            gdb.add(elf.toString());
            List<String> gdbLines = new ArrayList<>();
            for (String line : TestPrograms.run(elf.getParent(), gdb).split("\n")) {
                Matcher m = GDB_LINE.matcher(line);
                if (m.find()) {
                    gdbLines.add(m.group(2) + ":" + m.group(1));
                }
            }
            assertEquals(v + ": gdb answers", ourLines.size(), gdbLines.size());
            for (int i = 0; i < ourLines.size(); i++) {
                // gdb prints the file name as the line table spells it, possibly relative.
                String ours = ourLines.get(i);
                String theirs = gdbLines.get(i);
                assertTrue(v + ": at 0x" + Long.toHexString(disputed.get(i)) + " gdb says " + theirs + ", we say "
                        + ours, ours.equals(theirs) || ours.endsWith("/" + theirs));
            }
        }
    }
}
