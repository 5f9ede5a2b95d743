package dev.rewind.emulator;

import static org.junit.Assert.assertEquals;

import java.io.ByteArrayOutputStream;
import org.junit.Test;

/** A 32-bit instruction straddling two pages executes through the scratch-page path. */
public class PageCrossingInstructionTest {

    @Test
    public void instructionAcrossPageBoundaryExecutesAndCanBeRewritten() throws Exception {
        ElfImage elf = Guests.assemble("li t0, 1\n j cross\n"
                + ".option rvc\n.org 0xffe\ncross:\n.option norvc\n addi t0, t0, 41\n"
                + " li t1, 42\n bne t0, t1, fail\n j pass\n");
        VirtMachine m = Guests.machine(elf, new ByteArrayOutputStream());
        long cross = elf.symbol("cross").orElseThrow();
        assertEquals(0x8000_0ffeL, cross);
        assertEquals(StopReason.EXIT, m.run(1000));
        assertEquals(0, m.exitCode());
    }
}
