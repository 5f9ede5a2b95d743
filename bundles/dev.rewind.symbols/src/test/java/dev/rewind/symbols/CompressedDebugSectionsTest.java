package dev.rewind.symbols;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/**
 * Debug sections compressed with {@code gcc -gz} (zlib, SHF_COMPRESSED) read as the plain
 * ones do, checked against objdump and addr2line; damaged compressed data is reported, not thrown.
 */
public class CompressedDebugSectionsTest {

    private static Path build() throws Exception {
        Path dir = TestPrograms.dir();
        Path elf = dir.resolve("gz-O1.elf");
        List<String> cmd = new ArrayList<>(List.of("riscv64-unknown-elf-gcc", "-march=rv64imac_zicsr", "-mabi=lp64",
                "-mcmodel=medany", "-nostdlib", "-ffreestanding", "-g", "-gz", "-O1", "-Wl,-e,main", "-o",
                elf.toString()));
        cmd.addAll(List.of(TestPrograms.SOURCES));
        TestPrograms.run(dir, cmd);
        return elf;
    }

    @Test
    public void compressedSectionsMatchTheGnuTools() throws Exception {
        Path elf = build();
        ElfFile file = ElfFile.load(elf);
        assertTrue(".debug_info must be compressed",
                (file.section(".debug_info").flags() & ElfSection.SHF_COMPRESSED) != 0);
        ProgramSymbols program = ProgramSymbols.load(elf);
        assertEquals(List.of(), program.problems());
        LineTableMatchesObjdumpTest.compare(elf, "gz");
        AddressLookupMatchesAddr2lineTest.compare(elf, "gz", 5);
        assertTrue(program.callFrameInfo().covers(program.symbol("factorial").value()));
    }

    @Test
    public void damagedCompressedDataIsAProblemNotACrash() throws Exception {
        Path elf = build();
        byte[] bytes = Files.readAllBytes(elf);
        ElfSection info = ElfFile.parse(bytes).section(".debug_info");
        // Past the 24-byte compression header, into the zlib stream.
        for (int i = 40; i < 60; i++) {
            bytes[(int) info.fileOffset() + i] ^= 0x5a;
        }
        ProgramSymbols program = ProgramSymbols.of(ElfFile.parse(bytes));
        assertFalse(program.problems().isEmpty());
        assertTrue(program.problems().toString(), program.problems().get(0).contains(".debug_info"));
        assertTrue("symbols still answer", program.symbol("main") != null);
    }
}
