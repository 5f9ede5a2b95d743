package dev.rewind.dsf.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.File;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.cdt.debug.core.ICDTLaunchConfigurationConstants;
import org.eclipse.cdt.debug.core.model.IChangeReverseMethodHandler.ReverseDebugMethod;
import org.eclipse.cdt.dsf.debug.service.IRunControl.ISuspendedDMEvent;
import org.eclipse.cdt.dsf.debug.service.IRunControl.StateChangeReason;
import org.eclipse.cdt.dsf.debug.service.IRunControl.StepType;
import org.eclipse.cdt.dsf.debug.service.IStack.IFrameDMData;
import org.eclipse.cdt.dsf.gdb.IGDBLaunchConfigurationConstants;
import org.eclipse.cdt.dsf.gdb.launching.GdbLaunch;
import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfigurationType;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.junit.After;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

import dev.rewind.debug.core.launch.LaunchAttributes;
import dev.rewind.dsf.launch.RewindLaunchAttributes;

/**
 * A "Record Run (Rewind)" launch of guests/build/sample.elf through CDT's DSF-GDB and real
 * gdb-multiarch, driven with DSF services as CDT's Debug view does (line numbers refer to
 * guests/src/sample.c).
 */
public class RecordRunLaunchTest {

    private static final BigInteger RESET_VECTOR = BigInteger.valueOf(0x1000);

    private ILaunch launch;
    private DsfSessionDriver dsf;
    private Path recording;

    @BeforeClass
    public static void needsGdb() {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            found |= new File(dir, "gdb-multiarch").canExecute();
        }
        assumeTrue("gdb-multiarch not on PATH", found);
    }

    @Before
    public void recordAndConnect() throws Exception {
        recording = Files.createTempFile("rewind-dsf", ".rrlog");
        ILaunchManager manager = DebugPlugin.getDefault().getLaunchManager();
        ILaunchConfigurationType type = manager.getLaunchConfigurationType(RewindLaunchAttributes.RECORD_RUN_TYPE);
        ILaunchConfigurationWorkingCopy wc = type.newInstance(null, "sample-record-run");
        wc.setAttribute(ICDTLaunchConfigurationConstants.ATTR_PROGRAM_NAME, Guests.elf("sample").toString());
        wc.setAttribute(LaunchAttributes.RECORDING, recording.toString());
        wc.setAttribute(LaunchAttributes.SNAPSHOT_INTERVAL, "2000");
        wc.setAttribute(IGDBLaunchConfigurationConstants.ATTR_DEBUG_NAME, "gdb-multiarch");
        launch = wc.launch(ILaunchManager.DEBUG_MODE, new NullProgressMonitor());
        assertTrue("a DSF-GDB launch", launch instanceof GdbLaunch);
        dsf = new DsfSessionDriver(((GdbLaunch) launch).getSession());
        assertTrue(Files.size(recording) > 0);
    }

    @After
    public void terminate() throws Exception {
        if (dsf != null) {
            dsf.dispose();
        }
        if (launch != null && launch.canTerminate()) {
            launch.terminate();
        }
        if (recording != null) {
            Files.deleteIfExists(recording);
        }
    }

    private static void assertAt(IFrameDMData frame, String function, int line) {
        assertEquals(frame.getFunction() + ":" + frame.getLine(), function, frame.getFunction());
        assertEquals(frame.getFunction() + ":" + frame.getLine(), line, frame.getLine());
    }

    @Test
    public void sessionOpensAtTheStartOfHistoryWithReverseModeOn() throws Exception {
        assertTrue("stopped after connecting", dsf.isSuspended());
        assertEquals(RESET_VECTOR, dsf.topFrame().getAddress().getValue());
        assertTrue("reverse mode needs no toggling", dsf.reverseModeEnabled());
        assertTrue(dsf.canReverseResume());
    }

    @Test
    public void breakpointHitThenReverseResumeStopsAtThePreviousHit() throws Exception {
        dsf.insertFunctionBreakpoint("add_square");
        ISuspendedDMEvent first = dsf.resume();
        assertEquals(StateChangeReason.BREAKPOINT, first.getReason());
        assertAt(dsf.topFrame(), "add_square", 17);
        assertEquals("1", dsf.evaluate("i"));
        dsf.resume();
        assertAt(dsf.topFrame(), "add_square", 17);
        assertEquals("2", dsf.evaluate("i"));

        ISuspendedDMEvent back = dsf.reverseResume();
        assertEquals(StateChangeReason.BREAKPOINT, back.getReason());
        assertAt(dsf.topFrame(), "add_square", 17);
        assertEquals("the previous hit is the first call", "1", dsf.evaluate("i"));
        // Rewind's history answered: gdb's own recorder was never started (CDT sends no "record")
        assertEquals(ReverseDebugMethod.OFF, dsf.gdbRecorder());
        assertTrue(dsf.reverseModeEnabled());
    }

    @Test
    public void reverseStepIntoEntersThePreviousLinesCall() throws Exception {
        dsf.insertLineBreakpoint("sample.c", 43);
        dsf.resume();
        assertAt(dsf.topFrame(), "main", 43);
        // line 42 called add_square(1): Reverse Step Into lands on its last line, then the one before
        ISuspendedDMEvent step = dsf.reverseStep(StepType.STEP_INTO);
        assertEquals(StateChangeReason.STEP, step.getReason());
        assertAt(dsf.topFrame(), "add_square", 20);
        dsf.reverseStep(StepType.STEP_INTO);
        assertAt(dsf.topFrame(), "add_square", 19);
    }

    @Test
    public void reverseResumeWithoutEarlierHitsStopsAtTheStartOfHistory() throws Exception {
        dsf.insertFunctionBreakpoint("report");
        dsf.resume();
        assertAt(dsf.topFrame(), "report", 30);
        dsf.reverseResume();
        assertEquals(RESET_VECTOR, dsf.topFrame().getAddress().getValue());
        assertTrue("reverse mode stays on at the start of history", dsf.reverseModeEnabled());
        // and forward again: replay is deterministic, the first hit is the same
        dsf.resume();
        assertAt(dsf.topFrame(), "report", 30);
        assertEquals("1", dsf.evaluate("i"));
    }
}
