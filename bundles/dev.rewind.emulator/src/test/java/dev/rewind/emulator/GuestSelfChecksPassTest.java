package dev.rewind.emulator;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.Test;

/**
 * Runs the self-checking guests of guests/ (instruction classes, traps, interrupts, Sv39,
 * devices); each prints one line per check group and reports through the finisher or HTIF.
 * The same programs pass under qemu-system-riscv64 ({@code make -C guests check}).
 */
public class GuestSelfChecksPassTest {

    private static final long BUDGET = 50_000_000;

    private static String run(String name, MachineConfig.Builder config, int expectedExit) throws Exception {
        ByteArrayOutputStream uart = new ByteArrayOutputStream();
        VirtMachine m = new VirtMachine(config.uartOut(uart).build());
        m.load(ElfImage.read(Guests.elf(name)));
        StopReason r = m.run(BUDGET);
        String out = uart.toString(StandardCharsets.UTF_8);
        assertEquals(name + " stopped with " + r + "\n" + out, StopReason.EXIT, r);
        assertEquals(name + " exit code\n" + out, expectedExit, m.exitCode());
        return out;
    }

    private static void selfCheck(String name) throws Exception {
        String out = run(name, MachineConfig.builder(), 0);
        assertTrue(name + ":\n" + out, out.contains("CHECKS PASSED") && !out.contains("FAIL"));
    }

    @Test
    public void bootStateAndDeviceTreePassTheirSelfCheck() throws Exception {
        selfCheck("boot");
    }

    @Test
    public void baseIntegerInstructionsPassTheirSelfCheck() throws Exception {
        selfCheck("rv64i");
    }

    @Test
    public void multiplyDivideEdgeCasesPassTheirSelfCheck() throws Exception {
        selfCheck("rv64m");
    }

    @Test
    public void lrScAndEveryAmoPassTheirSelfCheck() throws Exception {
        selfCheck("rv64a");
    }

    @Test
    public void compressedInstructionsPassTheirSelfCheck() throws Exception {
        selfCheck("rvc");
    }

    @Test
    public void csrInstructionsPassTheirSelfCheck() throws Exception {
        selfCheck("zicsr");
    }

    @Test
    public void selfModifyingCodeWithFenceIPassesItsSelfCheck() throws Exception {
        selfCheck("fencei");
    }

    @Test
    public void trapsDelegationAndXretPassTheirSelfCheck() throws Exception {
        selfCheck("traps");
    }

    @Test
    public void debugTriggersGuestPassesItsSelfCheck() throws Exception {
        selfCheck("sdtrig");
    }

    @Test
    public void cfiFlashGuestPassesItsSelfCheck() throws Exception {
        selfCheck("pflash");
    }

    @Test
    public void timerAndSoftwareInterruptsPassTheirSelfCheck() throws Exception {
        selfCheck("timer_irq");
    }

    @Test
    public void uartInterruptsThroughThePlicPassTheirSelfCheck() throws Exception {
        selfCheck("uart_irq");
    }

    @Test
    public void sv39TranslationPassesItsSelfCheck() throws Exception {
        selfCheck("sv39");
    }

    @Test
    public void floatingPointStateRoundingModesAndNanBoxing() throws Exception {
        selfCheck("rvfd");
    }

    @Test
    public void htifPassAndFailCodesBecomeTheExitCode() throws Exception {
        selfCheck("htif");
        run("htif_fail", MachineConfig.builder(), 3);
    }

    @Test
    public void virtioBlockGuestPassesOnARawDisk() throws Exception {
        java.nio.file.Path copy = java.nio.file.Files.createTempFile("rewind-disk", ".img");
        try {
            java.nio.file.Files.copy(Guests.disk(), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            try (RawFileBlockDevice disk = new RawFileBlockDevice(copy, false)) {
                String out = run("blk", MachineConfig.builder().disk(disk), 0);
                assertTrue(out, out.contains("CHECKS PASSED") && !out.contains("FAIL"));
            }
        } finally {
            java.nio.file.Files.deleteIfExists(copy);
        }
    }

    @Test
    public void uartInputArrivesThroughTheInputPort() throws Exception {
        LiveInputPort port = new LiveInputPort(new ByteArrayInputStream("ab\ncd\nq".getBytes(StandardCharsets.US_ASCII)),
                null, 1000);
        String out = run("echo", MachineConfig.builder().inputPort(port), 0);
        assertTrue(out, out.contains("[line 1: 2 chars]") && out.contains("[line 2: 2 chars]") && out.contains("bye, 2 lines"));
    }
}
