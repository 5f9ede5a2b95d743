package dev.rewind.debug.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.model.IBreakpoint;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

import dev.rewind.debug.core.launch.LaunchAttributes;
import dev.rewind.debug.core.model.ReplayStackFrame;
import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.debug.core.model.RewindLineBreakpoint;
import dev.rewind.replay.Stop;

/**
 * A breakpoint set while a resume or a reverse resume runs stops that same movement (the
 * Platform calls the target's breakpoint listener at once; the replay applies the change where
 * it is). The recording is the first 1e9 instructions of compute-endless, whose loop line runs
 * every ~20 instructions all along: a move over it takes long enough (most of a second with
 * translated blocks) to still be running when the breakpoint arrives a few ms later.
 */
public class BreakpointsDuringMovesTest {

    /** compute.c line 22: {@code table[i & 255] += acc >> 3;} in round_'s loop. */
    private static final int LOOP_LINE = 22;
    /** compute.c line 35: {@code sum += round_(x, r);} in main, the call of that loop (~1.2e9 instructions). */
    private static final int CALL_LINE = 35;
    private static final long RECORDED = 1_000_000_000L;

    private static Path elf;
    private static Path recording;
    private ILaunch launch;
    private ReplayTarget target;

    @BeforeClass
    public static void record() throws Exception {
        elf = Guests.elf("compute-endless");
        recording = Files.createTempDirectory("rewind-bp-moves").resolve("compute.rrlog");
        ILaunchConfigurationWorkingCopy wc = Launches.record("record compute", elf, recording);
        wc.setAttribute(LaunchAttributes.MAX_ICOUNT, Long.toString(RECORDED));
        Launches.awaitTerminated(wc.launch(ILaunchManager.RUN_MODE, null));
        assertTrue("no recording", Files.size(recording) > 0);
    }

    @Before
    public void startReplay() throws Exception {
        launch = Launches.replay("replay compute", elf, recording).launch(ILaunchManager.DEBUG_MODE, null);
        target = (ReplayTarget) launch.getDebugTarget();
        assertNotNull("no debug target", target);
        assertTrue(target.endIcount() >= RECORDED - 1000);
    }

    @After
    public void stopReplay() throws Exception {
        removeBreakpoints();
        launch.terminate();
    }

    @AfterClass
    public static void removeBreakpoints() throws Exception {
        var bm = DebugPlugin.getDefault().getBreakpointManager();
        bm.removeBreakpoints(bm.getBreakpoints(RewindDebugCore.MODEL_ID), true);
    }

    @Test
    public void breakpointSetDuringResumeStopsThatResume() throws Exception {
        target.resume();
        assertFalse("the resume ended before the breakpoint was set", target.isSuspended());
        IBreakpoint bp = RewindLineBreakpoint.create(Guests.source("compute.c"), LOOP_LINE);
        Launches.awaitSuspended(target);

        assertEquals(Stop.Kind.BREAKPOINT, target.state().stop().kind());
        assertTrue("stopped at the end of history", target.state().icount() < target.endIcount());
        ReplayStackFrame top = (ReplayStackFrame) target.hart().getTopStackFrame();
        assertEquals(LOOP_LINE, top.getLineNumber());
        assertTrue(target.installedAddresses(bp).contains(target.state().pc()));
        // the Debug view names the privilege level (a trap handler's entry adds the trap)
        assertTrue(target.hart().getName(), target.hart().getName().endsWith(", M-mode)"));
    }

    @Test
    public void breakpointSetDuringReverseResumeStopsAtItsLastHitBeforeTheStart() throws Exception {
        target.seek(target.endIcount());
        Launches.awaitSuspended(target);
        long end = target.state().icount();

        target.reverseResume();
        assertFalse("the reverse resume ended before the breakpoint was set", target.isSuspended());
        IBreakpoint bp = RewindLineBreakpoint.create(Guests.source("compute.c"), LOOP_LINE);
        Launches.awaitSuspended(target);

        assertEquals(Stop.Kind.BREAKPOINT, target.state().stop().kind());
        long hit = target.state().icount();
        assertTrue("hit " + hit + " not shortly before " + end, hit < end && hit > end - 100);
        assertTrue(target.installedAddresses(bp).contains(target.state().pc()));
        // and it is the last one: going forward again meets no other hit before the end
        target.resume();
        Launches.awaitSuspended(target);
        assertEquals(Stop.Kind.HISTORY_END, target.state().stop().kind());
    }

    @Test
    public void breakpointSetDuringStepOverStopsInsideTheCall() throws Exception {
        IBreakpoint call = RewindLineBreakpoint.create(Guests.source("compute.c"), CALL_LINE);
        target.resume();
        Launches.awaitSuspended(target);
        assertEquals(CALL_LINE, ((ReplayStackFrame) target.hart().getTopStackFrame()).getLineNumber());
        call.delete();

        target.stepOver();
        assertFalse("the step over ended before the breakpoint was set", target.isSuspended());
        IBreakpoint bp = RewindLineBreakpoint.create(Guests.source("compute.c"), LOOP_LINE);
        Launches.awaitSuspended(target);

        assertEquals(Stop.Kind.BREAKPOINT, target.state().stop().kind());
        ReplayStackFrame top = (ReplayStackFrame) target.hart().getTopStackFrame();
        assertEquals(LOOP_LINE, top.getLineNumber());
        assertTrue(target.installedAddresses(bp).contains(target.state().pc()));
    }
}
