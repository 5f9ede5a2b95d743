package dev.rewind.replay;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.After;
import org.junit.Test;

import dev.rewind.emulator.BootFiles;
import dev.rewind.emulator.StopReason;

/**
 * Debian's real firmware, unmodified, boots to U-Boot's prompt: the M-mode U-Boot alone, and
 * OpenSBI (fw_jump, fw_dynamic) with the S-mode U-Boot as its payload. A key typed at the
 * autoboot countdown stops it (polled input), the prompt follows; the recording replays with
 * the same console bytes, instruction count and final state digest.
 */
public class RealFirmwareBootsToThePromptTest {

    /** Generous: the M-mode U-Boot reaches its countdown after ~0.1e9 instructions. */
    private static final long MAX_ICOUNT = 3_000_000_000L;

    private final Path dir;

    public RealFirmwareBootsToThePromptTest() throws IOException {
        dir = Files.createTempDirectory("rewind-firmware");
    }

    @After
    public void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    private void bootsToThePromptAndReplays(BootFiles boot, String... expected) throws Exception {
        FirmwareConsole.Recorded rec = FirmwareConsole.record(boot, dir.resolve("boot.rrlog"), 128L << 20,
                List.of(FirmwareConsole.Step.type(FirmwareConsole.COUNTDOWN, " "), FirmwareConsole.Step.await(FirmwareConsole.PROMPT)),
                MAX_ICOUNT);
        assertEquals(rec.console(), StopReason.REQUESTED, rec.reason());
        int countdown = rec.console().indexOf(FirmwareConsole.COUNTDOWN);
        assertTrue(rec.console(), countdown > 0 && rec.console().indexOf(FirmwareConsole.PROMPT, countdown) > countdown);
        for (String e : expected) {
            assertTrue(e + " in\n" + rec.console(), rec.console().contains(e));
        }
        FirmwareConsole.Replayed rep = FirmwareConsole.replay(rec.log());
        assertEquals(Stop.Kind.HISTORY_END, rep.stop());
        assertEquals(rec.console(), rep.console());
        assertEquals(rec.icount(), rep.icount());
        assertEquals(rec.digest(), rep.digest());
    }

    @Test
    public void theMModeUbootBootsToThePromptOnItsOwn() throws Exception {
        bootsToThePromptAndReplays(BootFiles.program(FirmwareConsole.require(FirmwareConsole.UBOOT_M_ELF)),
                "U-Boot 2023.01", "DRAM:  128 MiB", "Flash: 32 MiB", "In:    serial@10000000");
    }

    @Test
    public void openSbiFwJumpBootsTheSModeUbootToThePrompt() throws Exception {
        bootsToThePromptAndReplays(new BootFiles(FirmwareConsole.require(FirmwareConsole.FW_JUMP_ELF),
                FirmwareConsole.require(FirmwareConsole.UBOOT_S_BIN), null, null, null),
                "OpenSBI v1.1", "Domain0 Next Address      : 0x0000000080200000", "U-Boot 2023.01");
    }

    @Test
    public void openSbiFwDynamicBootsTheSModeUbootToThePrompt() throws Exception {
        bootsToThePromptAndReplays(new BootFiles(FirmwareConsole.require(FirmwareConsole.FW_DYNAMIC_BIN),
                FirmwareConsole.require(FirmwareConsole.UBOOT_S_BIN), null, null, null),
                "OpenSBI v1.1", "Domain0 Next Address      : 0x0000000080200000", "Domain0 Next Mode         : S-mode",
                "U-Boot 2023.01");
    }
}
