package dev.rewind.debug.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.junit.Test;

import dev.rewind.debug.core.launch.LaunchAttributes;

/** Wrong settings stop a launch with a message that says what is wrong, never a stack trace. */
public class LaunchValidationTest {

    private static String failure(ILaunchConfigurationWorkingCopy wc, String mode) throws Exception {
        try {
            ILaunch l = wc.launch(mode, null);
            l.terminate();
            fail("launch of " + wc.getName() + " should have failed");
            return null;
        } catch (CoreException e) {
            String m = e.getStatus().getMessage();
            assertTrue("no message", m != null && !m.isBlank());
            return m;
        }
    }

    @Test
    public void aMissingProgramIsRefusedNamingIt() throws Exception {
        Path dir = Files.createTempDirectory("rewind-bad");
        String m = failure(Launches.record("bad1", dir.resolve("nothing.elf"), dir.resolve("x.rrlog")), ILaunchManager.RUN_MODE);
        assertTrue(m, m.contains("nothing.elf") && m.contains("does not exist"));
        m = failure(Launches.record("bad2", null, dir.resolve("x.rrlog")), ILaunchManager.RUN_MODE);
        assertTrue(m, m.contains("No program selected"));
    }

    @Test
    public void aProgramForAnotherMachineIsRefused() throws Exception {
        Path dir = Files.createTempDirectory("rewind-bad");
        Path host = Path.of("/bin/ls").toRealPath();
        String m = failure(Launches.record("bad3", host, dir.resolve("x.rrlog")), ILaunchManager.RUN_MODE);
        assertTrue(m, m.contains("not RISC-V"));
    }

    @Test
    public void aMissingFirmwareOrInitrdIsRefusedNamingIt() throws Exception {
        Path dir = Files.createTempDirectory("rewind-bad");
        ILaunchConfigurationWorkingCopy wc = Launches.record("bad8", Guests.elf("sample"), dir.resolve("x.rrlog"));
        wc.setAttribute(LaunchAttributes.BIOS, dir.resolve("fw_missing.bin").toString());
        String m = failure(wc, ILaunchManager.RUN_MODE);
        assertTrue(m, m.contains("Firmware file") && m.contains("fw_missing.bin") && m.contains("does not exist"));
        wc = Launches.record("bad9", Guests.elf("sample"), dir.resolve("x.rrlog"));
        wc.setAttribute(LaunchAttributes.INITRD, dir.resolve("initrd_missing.img").toString());
        m = failure(wc, ILaunchManager.RUN_MODE);
        assertTrue(m, m.contains("Initrd file") && m.contains("initrd_missing.img"));
    }

    @Test
    public void aHartCountOutsideOneToEightIsRefusedNamingTheSetting() throws Exception {
        Path dir = Files.createTempDirectory("rewind-bad");
        ILaunchConfigurationWorkingCopy wc = Launches.record("bad12", Guests.elf("smp"), dir.resolve("x.rrlog"));
        wc.setAttribute(LaunchAttributes.HARTS, 9);
        String m = failure(wc, ILaunchManager.RUN_MODE);
        assertEquals("Harts 9 is out of range: use 1 to 8 (QEMU's -smp).", m);
        assertFalse("nothing recorded", Files.exists(dir.resolve("x.rrlog")));
    }

    @Test
    public void aFlashFileOfTheWrongSizeIsRefusedNamingItsSize() throws Exception {
        Path dir = Files.createTempDirectory("rewind-bad");
        Path small = dir.resolve("vars.img");
        Files.write(small, new byte[4096]);
        ILaunchConfigurationWorkingCopy wc = Launches.record("bad11", Guests.elf("sample"), dir.resolve("x.rrlog"));
        wc.setAttribute(LaunchAttributes.PFLASH1, small.toString());
        String m = failure(wc, ILaunchManager.RUN_MODE);
        assertTrue(m, m.contains("Flash bank 1 file") && m.contains("vars.img") && m.contains("4096 bytes")
                && m.contains("33554432") && m.contains("truncate -s 32M"));
        assertFalse("nothing recorded", Files.exists(dir.resolve("x.rrlog")));
    }

    @Test
    public void bootFilesThatCannotBootTogetherAreRefusedWithTheEmulatorsMessage() throws Exception {
        Path dir = Files.createTempDirectory("rewind-bad");
        ILaunchConfigurationWorkingCopy wc = Launches.record("bad10", Guests.elf("sample"), dir.resolve("x.rrlog"));
        wc.setAttribute(LaunchAttributes.BIOS, Guests.elf("echo").toString());
        String m = failure(wc, ILaunchManager.RUN_MODE);
        assertTrue(m, m.contains("overlaps bios") && m.contains("[0x80000000, 0x"));
        assertFalse("nothing recorded", Files.exists(dir.resolve("x.rrlog")));
    }

    @Test
    public void aMissingRecordingIsRefusedNamingIt() throws Exception {
        Path dir = Files.createTempDirectory("rewind-bad");
        String m = failure(Launches.replay("bad4", Guests.elf("sample"), dir.resolve("none.rrlog")), ILaunchManager.DEBUG_MODE);
        assertTrue(m, m.contains("none.rrlog") && m.contains("does not exist"));
        m = failure(Launches.replay("bad5", Guests.elf("sample"), null), ILaunchManager.DEBUG_MODE);
        assertTrue(m, m.contains("No recording selected"));
    }

    @Test
    public void aRecordingOfAnotherProgramIsRefused() throws Exception {
        Path dir = Files.createTempDirectory("rewind-bad");
        Path rec = dir.resolve("sample.rrlog");
        ILaunch l = Launches.record("rec", Guests.elf("sample"), rec).launch(ILaunchManager.RUN_MODE, null);
        Launches.awaitTerminated(l);
        String m = failure(Launches.replay("bad6", Guests.elf("echo"), rec), ILaunchManager.DEBUG_MODE);
        assertTrue(m, m.contains("is not the program that was recorded"));
    }

    @Test
    public void aFileThatIsNotARecordingIsRefusedNamingIt() throws Exception {
        Path dir = Files.createTempDirectory("rewind-bad");
        Path rec = dir.resolve("junk.rrlog");
        Files.writeString(rec, "not a recording");
        String m = failure(Launches.replay("bad7", Guests.elf("sample"), rec), ILaunchManager.DEBUG_MODE);
        assertTrue(m, m.contains("junk.rrlog"));
    }
}
