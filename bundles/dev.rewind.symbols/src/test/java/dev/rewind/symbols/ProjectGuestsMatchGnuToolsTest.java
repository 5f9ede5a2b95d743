package dev.rewind.symbols;

import static org.junit.Assert.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/**
 * The project's own guest programs (C at -O0 to -O2 and -Os, plus assembly), built from
 * {@code guests/} with the guests' compiler flags into a temporary directory: line rows equal
 * objdump's and every .text address resolves as addr2line resolves it.
 */
public class ProjectGuestsMatchGnuToolsTest {
    /** name, optimisation, sources after the shared runtime. */
    private static final String[][] GUESTS = {
        {"traps", "-O2", "src/traps.c", "src/traps_asm.S"},
        {"rvc", "-Os", "src/rvc.c", "src/rvc_asm.S"},
        {"fencei", "-O1", "src/fencei.c"},
        {"echo", "-O2", "src/echo.c"},
        {"blk", "-O2", "src/blk.c"},
    };

    @Test
    public void guestsMatchObjdumpAndAddr2line() throws Exception {
        for (Path elf : build()) {
            String name = elf.getFileName().toString();
            assertEquals(name + ": problems", List.of(), ProgramSymbols.load(elf).problems());
            LineTableMatchesObjdumpTest.compare(elf, name);
            AddressLookupMatchesAddr2lineTest.compare(elf, name, 5);
        }
    }

    /** Builds the guests (once per JVM) and returns their ELF files. */
    static synchronized List<Path> build() throws Exception {
        if (built != null) {
            return built;
        }
        Path guests = TestPrograms.repoRoot().resolve("guests");
        Path out = TestPrograms.dir();
        List<Path> elves = new ArrayList<>();
        for (String[] g : GUESTS) {
            Path elf = out.resolve("guest-" + g[0] + ".elf");
            List<String> cmd = new ArrayList<>(List.of("riscv64-unknown-elf-gcc", "-march=rv64imac_zicsr_zifencei",
                    "-mabi=lp64", "-mcmodel=medany", "-nostdlib", "-ffreestanding", "-fno-builtin",
                    "-fno-tree-loop-distribute-patterns", "-fno-pic", "-g", "-Ilib", g[1], "-o", elf.toString(),
                    "lib/crt0.S", "lib/rt.c"));
            for (int i = 2; i < g.length; i++) {
                cmd.add(g[i]);
            }
            cmd.addAll(List.of("-T", "lib/link.ld", "-static", "-Wl,--build-id=none", "-Wl,--no-warn-rwx-segments"));
            TestPrograms.run(guests, cmd);
            elves.add(elf);
        }
        built = elves;
        return built;
    }

    private static List<Path> built;
}
