package dev.rewind.dsf.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.cdt.dsf.debug.service.IRunControl.StateChangeReason;
import org.eclipse.cdt.dsf.gdb.IGDBLaunchConfigurationConstants;
import org.eclipse.cdt.dsf.gdb.launching.GdbLaunch;
import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.junit.Test;

import dev.rewind.debug.core.launch.LaunchAttributes;
import dev.rewind.dsf.launch.RewindLaunchAttributes;
import dev.rewind.emulator.StopReason;
import dev.rewind.replay.RecordSession;

/**
 * "Replay (Rewind)" on a recording made outside Eclipse: no program is set, so the session
 * debugs the ELF the recording names, and reverse execution works as in a Record Run.
 */
public class ReplayLaunchTest {

    @Test
    public void replayWithoutAProgramDebugsTheRecordedElfForwardsAndBackwards() throws Exception {
        boolean gdb = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            gdb |= new File(dir, "gdb-multiarch").canExecute();
        }
        assumeTrue("gdb-multiarch not on PATH", gdb);

        Path recording = Files.createTempFile("rewind-dsf-replay", ".rrlog");
        try (RecordSession r = RecordSession.start(RecordSession.Options.of(Guests.elf("sample"), recording)
                .withInput(null, new ByteArrayOutputStream()))) {
            assertEquals(StopReason.EXIT, r.run(50_000_000L).reason());
        }
        ILaunchManager manager = DebugPlugin.getDefault().getLaunchManager();
        ILaunchConfigurationWorkingCopy wc = manager.getLaunchConfigurationType(RewindLaunchAttributes.REPLAY_TYPE)
                .newInstance(null, "sample-replay");
        wc.setAttribute(LaunchAttributes.RECORDING, recording.toString());
        wc.setAttribute(IGDBLaunchConfigurationConstants.ATTR_DEBUG_NAME, "gdb-multiarch");
        ILaunch launch = wc.launch(ILaunchManager.DEBUG_MODE, new NullProgressMonitor());
        DsfSessionDriver dsf = new DsfSessionDriver(((GdbLaunch) launch).getSession());
        try {
            assertEquals(BigInteger.valueOf(0x1000), dsf.topFrame().getAddress().getValue());
            assertTrue(dsf.reverseModeEnabled());
            dsf.insertFunctionBreakpoint("penalty");
            dsf.resume();
            dsf.resume();
            dsf.resume();
            assertEquals("3", dsf.evaluate("i"));
            assertEquals(StateChangeReason.BREAKPOINT, dsf.reverseResume().getReason());
            assertEquals("penalty", dsf.topFrame().getFunction());
            assertEquals("2", dsf.evaluate("i"));
        } finally {
            dsf.dispose();
            launch.terminate();
            Files.deleteIfExists(recording);
        }
    }
}
