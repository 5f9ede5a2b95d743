package dev.rewind.debug.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.model.IProcess;
import org.junit.Test;

import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.replay.TimeTravel;

/** Typed console input reaches the guest while recording, and the replay reproduces the run from the log alone. */
public class RecordConsoleInputTest {

    @Test
    public void typedInputIsRecordedAndReplayed() throws Exception {
        Path dir = Files.createTempDirectory("rewind-echo");
        Path rec = dir.resolve("echo.rrlog");
        Path elf = Guests.elf("echo");
        ILaunch l = Launches.record("record echo", elf, rec).launch(ILaunchManager.RUN_MODE, null);
        IProcess p = l.getProcesses()[0];
        waitFor(p, "echo: type lines");
        p.getStreamsProxy().write("hello\n");
        waitFor(p, "[line 1: 5 chars]");
        p.getStreamsProxy().write("q");
        Launches.awaitTerminated(l);
        assertEquals(0, p.getExitValue());
        String out = p.getStreamsProxy().getOutputStreamMonitor().getContents();
        assertTrue(out, out.contains("hello\n[line 1: 5 chars]"));

        ILaunch replay = Launches.replay("replay echo", elf, rec).launch(ILaunchManager.DEBUG_MODE, null);
        ReplayTarget target = (ReplayTarget) replay.getDebugTarget();
        try {
            target.resume();
            Launches.awaitSuspended(target);
            assertEquals(TimeTravel.Stop.Kind.HISTORY_END, target.state().stop().kind());
            assertEquals("the replay prints what the recording printed", out, target.consoleText());
        } finally {
            replay.terminate();
        }
    }

    @Test
    public void terminatingARecordingStopsItAndKeepsWhatWasRecorded() throws Exception {
        Path dir = Files.createTempDirectory("rewind-stop");
        Path rec = dir.resolve("compute.rrlog");
        ILaunch l = Launches.record("record compute", Guests.elf("compute-1g"), rec).launch(ILaunchManager.RUN_MODE, null);
        Thread.sleep(300);
        assertTrue("still recording", !l.isTerminated());
        l.terminate();
        Launches.awaitTerminated(l);
        String report = l.getProcesses()[0].getStreamsProxy().getErrorStreamMonitor().getContents();
        assertTrue(report, report.contains("stopped on request"));

        ILaunch replay = Launches.replay("replay compute", Guests.elf("compute-1g"), rec).launch(ILaunchManager.DEBUG_MODE, null);
        ReplayTarget target = (ReplayTarget) replay.getDebugTarget();
        try {
            assertTrue("recorded some history", target.endIcount() > 1_000_000);
        } finally {
            replay.terminate();
        }
    }

    private static void waitFor(IProcess p, String text) throws InterruptedException {
        long end = System.currentTimeMillis() + Launches.TIMEOUT_MS;
        while (!p.getStreamsProxy().getOutputStreamMonitor().getContents().contains(text)) {
            assertTrue("process ended before printing '" + text + "'", !p.isTerminated());
            assertTrue("timed out waiting for '" + text + "'", System.currentTimeMillis() < end);
            Thread.sleep(10);
        }
    }
}
