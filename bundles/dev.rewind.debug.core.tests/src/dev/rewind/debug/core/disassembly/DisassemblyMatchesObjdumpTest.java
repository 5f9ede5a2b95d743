package dev.rewind.debug.core.disassembly;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import dev.rewind.replay.GuestPrograms;
import dev.rewind.symbols.ProgramSymbols;

/**
 * The Disassembly view's listing of a program's whole {@code .text} is, line by line, what
 * {@code riscv64-unknown-elf-objdump -d} prints: symbol headers, objdump's pseudo-instructions,
 * branch targets and address comments with their symbols, skipped zeros, and data the assembler
 * marked inside code. The committed sample, a guest of compressed code and one with data in code.
 */
public class DisassemblyMatchesObjdumpTest {

    @Test
    public void theSampleProgramsWholeTextMatchesObjdump() throws Exception {
        assertSameAsObjdump(GuestPrograms.root().resolve("guests/prebuilt/sample.elf"));
    }

    @Test
    public void compressedCodeAndDataInCodeMatchObjdump() throws Exception {
        assertSameAsObjdump(GuestPrograms.elf("rvc"));
        assertSameAsObjdump(GuestPrograms.elf("traps"));
    }

    private static void assertSameAsObjdump(Path elf) throws Exception {
        List<String> ours = new DisassemblyListing(ProgramSymbols.load(elf)).objdump(".text");
        Process p = new ProcessBuilder("riscv64-unknown-elf-objdump", "-d", elf.toString()).redirectErrorStream(true).start();
        String all = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String banner = "Disassembly of section .text:\n";
        List<String> theirs = new ArrayList<>(List.of(all.substring(all.indexOf(banner) + banner.length()).split("\n", -1)));
        while (!theirs.isEmpty() && theirs.get(theirs.size() - 1).isEmpty()) {
            theirs.remove(theirs.size() - 1);
        }
        assertTrue(elf + ": objdump printed only " + theirs.size() + " lines", theirs.size() > 1000);
        for (int i = 0; i < Math.min(ours.size(), theirs.size()); i++) {
            assertEquals(elf.getFileName() + " line " + (i + 1) + " of .text", theirs.get(i), ours.get(i));
        }
        assertEquals(elf.getFileName() + " lines", theirs.size(), ours.size());
    }
}
