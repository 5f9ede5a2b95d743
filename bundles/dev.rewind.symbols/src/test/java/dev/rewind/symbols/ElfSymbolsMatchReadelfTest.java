package dev.rewind.symbols;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/** Every .symtab entry we read equals what GNU readelf and nm print for the same file. */
public class ElfSymbolsMatchReadelfTest {

    @Test
    public void symbolsEqualReadelfForEveryVariant() throws Exception {
        for (TestPrograms.Variant v : TestPrograms.PLAIN) {
            Path elf = TestPrograms.build(v);
            ElfFile file = ElfFile.load(elf);
            List<ElfSymbol> ours = file.symbols();
            String text = TestPrograms.run(elf.getParent(), List.of("riscv64-unknown-elf-readelf", "-sW",
                    elf.toString()));
            List<String> expected = new ArrayList<>();
            for (String line : text.split("\n")) {
                String[] f = line.trim().split("\\s+");
                // "Num: Value Size Type Bind Vis Ndx Name"; skip the null entry 0.
                if (f.length >= 7 && f[0].matches("\\d+:") && !f[0].equals("0:")) {
                    String name = f.length >= 8 ? f[7] : "";
                    expected.add(name + " " + Long.parseUnsignedLong(f[1], 16) + " " + Long.parseLong(f[2]) + " "
                            + f[3] + " " + f[4]);
                }
            }
            List<String> actual = new ArrayList<>();
            for (ElfSymbol s : ours) {
                // readelf shows a section symbol by its section's name.
                String name = s.type() == ElfSymbol.Type.SECTION && s.name().isEmpty()
                        ? file.sections().get(s.sectionIndex()).name() : s.name();
                actual.add(name + " " + s.value() + " " + s.size() + " " + s.type() + " " + s.binding());
            }
            assertTrue(v + ": readelf listed no symbols", expected.size() > 10);
            assertEquals(v + ": symbols", expected, actual);
        }
    }

    @Test
    public void functionAndObjectSymbolsEqualNm() throws Exception {
        for (TestPrograms.Variant v : TestPrograms.PLAIN) {
            Path elf = TestPrograms.build(v);
            ProgramSymbols program = ProgramSymbols.load(elf);
            String text = TestPrograms.run(elf.getParent(), List.of("riscv64-unknown-elf-nm", "-S", elf.toString()));
            int checked = 0;
            for (String line : text.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length != 4) {
                    continue; // symbols without a size (labels, section markers)
                }
                long value = Long.parseUnsignedLong(f[0], 16);
                long size = Long.parseUnsignedLong(f[1], 16);
                char letter = f[2].charAt(0);
                ElfSymbol s = null;
                for (ElfSymbol candidate : program.symbols()) {
                    if (candidate.name().equals(f[3]) && candidate.value() == value) {
                        s = candidate; // local names (static inline twice) repeat across files
                    }
                }
                assertNotNull(v + ": nm symbol " + f[3], s);
                assertEquals(v + ": " + f[3] + " value", value, s.value());
                assertEquals(v + ": " + f[3] + " size", size, s.size());
                assertEquals(v + ": " + f[3] + " binding", Character.isUpperCase(letter),
                        s.binding() == ElfSymbol.Binding.GLOBAL);
                if (letter == 'T' || letter == 't') {
                    assertEquals(v + ": " + f[3] + " type", ElfSymbol.Type.FUNC, s.type());
                    ElfSymbol at = program.symbolAt(value + size - 1);
                    assertEquals(v + ": symbolAt end of " + f[3], f[3], at.name());
                    assertEquals(v + ": symbol " + f[3] + " by name", f[3], program.symbol(f[3]).name());
                } else {
                    assertEquals(v + ": " + f[3] + " type", ElfSymbol.Type.OBJECT, s.type());
                }
                checked++;
            }
            assertTrue(v + ": only " + checked + " sized symbols", checked >= 8);
        }
    }
}
