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
 * The decoded line-number rows (file, line, address, is_stmt, end of sequence) equal those
 * of {@code objdump --dwarf=decodedline}, row for row, for DWARF 4 and 5 at -O0 and -O1.
 */
public class LineTableMatchesObjdumpTest {
    private static final Pattern ROW = Pattern.compile(
            "^(\\S+)\\s+(\\d+|-)\\s+(0x[0-9a-f]+|0)(?:\\s+\\d+)?(\\s+x)?\\s*$");

    @Test
    public void rowsEqualObjdumpDecodedLine() throws Exception {
        for (TestPrograms.Variant v : TestPrograms.PLAIN) {
            compare(TestPrograms.build(v), v.toString());
        }
    }

    /** Requires our rows for {@code elf} to equal objdump's. */
    static void compare(Path elf, String v) throws Exception {
        {
            String text = TestPrograms.run(elf.getParent(), List.of("riscv64-unknown-elf-objdump",
                    "--dwarf=decodedline", elf.toString()));
            List<String> expected = new ArrayList<>();
            java.util.Set<Long> statements = new java.util.HashSet<>();
            for (String line : text.split("\n")) {
                Matcher m = ROW.matcher(line);
                if (m.matches()) {
                    // objdump prints address 0 as "0", others as 0x...
                    long address = m.group(3).equals("0") ? 0 : Long.parseUnsignedLong(m.group(3).substring(2), 16);
                    if (m.group(2).equals("-")) {
                        expected.add("end " + Long.toHexString(address));
                    } else {
                        expected.add(name(m.group(1)) + ":" + m.group(2) + " " + Long.toHexString(address)
                                + (m.group(4) != null ? " stmt" : ""));
                        if (m.group(4) != null) {
                            statements.add(address);
                        }
                    }
                }
            }
            ProgramSymbols program = ProgramSymbols.load(elf);
            // Statement starts: exactly the is_stmt addresses objdump lists that hold code.
            ElfSection text0 = program.elf().section(".text");
            for (long a = text0.address(); a < text0.address() + text0.size(); a += 2) {
                assertEquals(v + ": statement start at 0x" + Long.toHexString(a), statements.contains(a)
                        && program.lineFor(a) != null, program.lineTable().isStatementStart(a));
            }
            List<String> actual = new ArrayList<>();
            for (LineRow r : program.lineTable().rows()) {
                if (r.endSequence()) {
                    actual.add("end " + Long.toHexString(r.address()));
                } else {
                    actual.add(name(r.path()) + ":" + r.line() + " " + Long.toHexString(r.address())
                            + (r.isStmt() ? " stmt" : ""));
                }
            }
            assertTrue(v + ": objdump printed only " + expected.size() + " rows", expected.size() > 30);
            assertEquals(v + ": decoded line rows", String.join("\n", expected), String.join("\n", actual));
        }
    }

    private static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
