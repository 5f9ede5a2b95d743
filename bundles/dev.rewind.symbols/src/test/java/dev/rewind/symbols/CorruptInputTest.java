package dev.rewind.symbols;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.Test;

/**
 * Bad input gives a {@link SymbolsException} with a clear message and nothing else: wrong
 * kinds of file, truncation, and a seeded fuzz of mutated real programs whose every query
 * (symbols, lines, functions, breakpoints, unwinding) must either work or fail typed.
 */
public class CorruptInputTest {
    private static final int FUZZ_CASES = 400;

    @Test
    public void notElfIsRejected() {
        expect(new byte[0], "not an ELF file");
        expect("hello, world\n".getBytes(StandardCharsets.US_ASCII), "not an ELF file");
        expect(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1}, "truncated ELF header");
    }

    @Test
    public void wrongElfKindsAreRejected() throws Exception {
        byte[] good = Files.readAllBytes(TestPrograms.build(TestPrograms.PLAIN.get(0)));
        byte[] elf32 = good.clone();
        elf32[4] = 1;
        expect(elf32, "not a 64-bit ELF");
        byte[] bigEndian = good.clone();
        bigEndian[5] = 2;
        expect(bigEndian, "not a little-endian ELF");
        byte[] x86 = good.clone();
        x86[18] = 62; // e_machine = EM_X86_64
        x86[19] = 0;
        expect(x86, "not a RISC-V program (ELF machine 62");
        byte[] farSections = good.clone();
        farSections[0x28 + 3] = 0x7f; // e_shoff far beyond the file
        expect(farSections, "section header table offset");
        byte[] truncated = java.util.Arrays.copyOf(good, good.length / 2);
        expect(truncated, "is outside the");
    }

    @Test
    public void unreadableFileIsReportedWithItsPath() throws Exception {
        Path missing = TestPrograms.dir().resolve("no-such-program.elf");
        try {
            ProgramSymbols.load(missing);
            fail("loaded a missing file");
        } catch (SymbolsException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("no-such-program.elf"));
        }
    }

    @Test
    public void mutatedProgramsFailOnlyWithSymbolsException() throws Exception {
        List<byte[]> originals = new ArrayList<>();
        for (TestPrograms.Variant v : TestPrograms.PLAIN) {
            originals.add(Files.readAllBytes(TestPrograms.build(v)));
        }
        int loaded = 0;
        int rejected = 0;
        for (int i = 0; i < FUZZ_CASES; i++) {
            Random random = new Random(0x5eed0000L + i);
            byte[] bytes = mutate(originals.get(i % originals.size()).clone(), random);
            try {
                exercise(bytes, random);
                loaded++;
            } catch (SymbolsException e) {
                assertTrue("case " + i + ": empty message", e.getMessage() != null && !e.getMessage().isEmpty());
                rejected++;
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                AssertionError error = new AssertionError("fuzz case " + i + " (seed 0x"
                        + Long.toHexString(0x5eed0000L + i) + ") threw " + e);
                error.initCause(e);
                throw error;
            }
        }
        // Both outcomes must occur, or the fuzz is not reaching the parsers.
        assertTrue("loaded " + loaded + ", rejected " + rejected, loaded > 20 && rejected > 20);
    }

    private static byte[] mutate(byte[] b, Random random) {
        int kind = random.nextInt(10);
        if (kind == 0) {
            return java.util.Arrays.copyOf(b, random.nextInt(b.length));
        }
        int count = 1 + random.nextInt(kind == 1 ? 64 : 8);
        for (int n = 0; n < count; n++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(4)) {
                case 0: b[at] = (byte) random.nextInt(256); break;
                case 1: b[at] = (byte) new int[] {0, 0x7f, 0x80, 0xff, 1}[random.nextInt(5)]; break;
                case 2: b[at] ^= (byte) (1 << random.nextInt(8)); break;
                default:
                    for (int k = 0; k < 8 && at + k < b.length; k++) {
                        b[at + k] = (byte) random.nextInt(256);
                    }
                    break;
            }
        }
        return b;
    }

    /** Loads the image and runs every query; only SymbolsException may escape. */
    private static void exercise(byte[] bytes, Random random) throws SymbolsException {
        ElfFile elf = ElfFile.parse(bytes);
        elf.symbols();
        ProgramSymbols program = ProgramSymbols.of(elf);
        for (ElfSymbol s : program.symbols()) {
            program.symbolAt(s.value());
        }
        for (long pc = 0x100e8; pc < 0x10400; pc += 4) {
            program.lineFor(pc);
            program.functionAt(pc);
        }
        for (LineRow row : program.lineTable().rows()) {
            program.addressesFor(row.path(), row.line());
        }
        program.addressesFor("calc.c", 17);
        long[] registers = new long[32];
        for (int r = 0; r < 32; r++) {
            registers[r] = 0x10000 + random.nextInt(0x400);
        }
        long seed = random.nextLong();
        MemoryReader memory = address -> {
            long v = new Random(seed ^ address).nextLong();
            return (v & 7) == 0 ? OptionalLong.empty() : OptionalLong.of(v & 0x1ffff);
        };
        for (long pc = 0x100e8; pc < 0x10400; pc += 14) {
            List<StackFrame> frames = program.unwind(pc, registers, memory);
            if (pc % 4 == 0) {
                for (StackFrame frame : frames) {
                    for (VariableValue v : program.variables(frame, memory)) {
                        v.toString();
                    }
                }
            }
        }
        for (VariableInfo g : program.globals()) {
            program.globalValue(g, memory);
            if (g.type() != null) {
                g.type().displayName();
                g.type().byteSize();
            }
        }
    }

    private static void expect(byte[] bytes, String messagePart) {
        try {
            ProgramSymbols.of(ElfFile.parse(bytes));
            fail("accepted input that should fail with \"" + messagePart + "\"");
        } catch (SymbolsException e) {
            assertTrue("message \"" + e.getMessage() + "\" lacks \"" + messagePart + "\"",
                    e.getMessage().contains(messagePart));
        }
    }
}
