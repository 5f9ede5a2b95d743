package dev.rewind.debug.ui.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.model.IProcess;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;
import org.eclipse.ui.PlatformUI;
import org.junit.Test;

import dev.rewind.debug.core.launch.LaunchAttributes;
import dev.rewind.debug.ui.launch.RewindMainTab;
import dev.rewind.emulator.BootFiles;
import dev.rewind.emulator.MachineConfig;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.replay.log.ReplayLog;
import dev.rewind.replay.log.ReplayLogHeader;

/**
 * The Record Run tab's boot fields as a user fills them: firmware, kernel (the program), initrd,
 * kernel command line and device tree typed into the tab reach the launch, whose process shows
 * the equivalent {@code rewind record} command line and whose recording names every boot file;
 * a flash file of the wrong size is an error in the tab before anything runs.
 */
public class RecordRunBootFieldsTest {

    @Test
    public void bootFieldsTypedIntoTheTabBootTheRecordRunAndShowAsItsCommandLine() throws Exception {
        Path dir = Files.createTempDirectory("rewind-boot-tab");
        Path bios = ReverseDebuggingWorkbenchTest.guest("rv64i"); // exits through the test finisher, never jumps on
        Path kernel = dir.resolve("payload.bin");
        Files.write(kernel, new byte[] {0x6f, 0, 0, 0});
        Path initrd = dir.resolve("initrd.cpio");
        Files.write(initrd, new byte[512]);
        VirtMachine m = new VirtMachine(MachineConfig.builder().build());
        m.boot(BootFiles.program(bios));
        Path dtb = dir.resolve("virt.dtb");
        Files.write(dtb, m.deviceTree());
        Path vars = dir.resolve("vars.img");
        Files.write(vars, new byte[4096]);
        Path rec = dir.resolve("boot.rrlog");

        ILaunchConfigurationWorkingCopy wc = DebugPlugin.getDefault().getLaunchManager()
                .getLaunchConfigurationType(LaunchAttributes.RECORD_TYPE).newInstance(null, "boot fields");
        Shell shell = new Shell(PlatformUI.getWorkbench().getDisplay());
        shell.setLayout(new FillLayout());
        shell.setSize(900, 520);
        RewindMainTab tab = new RewindMainTab(true);
        try {
            tab.createControl(shell);
            tab.setDefaults(wc);
            tab.initializeFrom(wc);
            Composite c = (Composite) tab.getControl();
            type(c, "Program", kernel.toString());
            type(c, "Record into", rec.toString());
            type(c, "Firmware", bios.toString());
            type(c, "Initrd", initrd.toString());
            type(c, "Kernel command line", "console=ttyS0 earlycon");
            type(c, "Device tree", dtb.toString());
            type(c, "Flash bank 1", vars.toString());
            shell.open();
            ReverseDebuggingWorkbenchTest.pump(100);
            File png = Screenshots.save(shell, "rewind-record-run-boot-fields.png");
            assertTrue(png.length() > 1000);
            tab.performApply(wc);
            assertFalse("a 4 KiB flash file", tab.isValid(wc));
            assertTrue(tab.getErrorMessage(), tab.getErrorMessage().startsWith("Flash bank 1 file " + vars + " has 4096 bytes")
                    && tab.getErrorMessage().contains("truncate -s 32M"));
            // QEMU 7.2 hands a kernel to flash-bank firmware through fw_cfg, which Rewind lacks: no flash here
            type(c, "Flash bank 1", "");
            tab.performApply(wc);
            assertTrue(tab.getErrorMessage(), tab.isValid(wc));
            assertNull(tab.getErrorMessage());
        } finally {
            shell.dispose();
        }

        ILaunch launch = wc.launch(ILaunchManager.RUN_MODE, null);
        ReverseDebuggingWorkbenchTest.waitUntil(launch::isTerminated, "the Record Run to end");
        IProcess p = launch.getProcesses()[0];
        assertEquals("guest exit code", 0, p.getExitValue());
        assertEquals("rewind record --bios " + bios + " --kernel " + kernel + " --initrd " + initrd
                + " --append 'console=ttyS0 earlycon' --dtb " + dtb
                + " --max-insns " + LaunchAttributes.DEFAULT_MAX_ICOUNT + " --rrfile " + rec,
                p.getAttribute(IProcess.ATTR_CMDLINE));
        ReplayLogHeader h = ReplayLog.read(rec).header();
        assertEquals(Arrays.asList("bios", "kernel", "initrd", "dtb"),
                h.bootFiles().stream().map(ReplayLogHeader.BootFile::role).toList());
        assertEquals(Arrays.asList(bios, kernel, initrd, dtb).stream().map(Path::toString).toList(),
                h.bootFiles().stream().map(ReplayLogHeader.BootFile::path).toList());
        assertEquals("console=ttyS0 earlycon", h.append());
    }

    /** Types into the text field of the row whose label starts with {@code label}. */
    private static void type(Composite c, String label, String text) {
        Control[] children = c.getChildren();
        for (int i = 0; i + 1 < children.length; i++) {
            if (children[i] instanceof Label l && l.getText().startsWith(label) && children[i + 1] instanceof Text t) {
                t.setText(text);
                return;
            }
        }
        assertNotNull("no field labelled " + label, null);
    }
}
