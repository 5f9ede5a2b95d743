package dev.rewind.debug.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.eclipse.core.runtime.IStatus;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.commands.IDebugCommandHandler;
import org.eclipse.debug.core.commands.IEnabledStateRequest;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.model.IProcess;
import org.junit.Test;

import dev.rewind.debug.core.commands.IReverseResumeHandler;
import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.replay.Stop;

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
            assertEquals(Stop.Kind.HISTORY_END, target.state().stop().kind());
            assertEquals("the replay prints what the recording printed", out, target.consoleText());
        } finally {
            replay.terminate();
        }
    }

    @Test
    public void terminatingARecordingStopsItAndKeepsWhatWasRecorded() throws Exception {
        Path dir = Files.createTempDirectory("rewind-stop");
        Path rec = dir.resolve("compute.rrlog");
        // A guest that outlives the test: the fast emulator finishes compute-1g in a fraction of a second.
        ILaunch l = Launches.record("record compute", Guests.elf("compute-endless"), rec).launch(ILaunchManager.RUN_MODE, null);
        Thread.sleep(300);
        assertTrue("still recording", !l.isTerminated());
        l.terminate();
        Launches.awaitTerminated(l);
        String report = l.getProcesses()[0].getStreamsProxy().getErrorStreamMonitor().getContents();
        assertTrue(report, report.contains("stopped on request"));

        ILaunch replay = Launches.replay("replay compute", Guests.elf("compute-endless"), rec).launch(ILaunchManager.DEBUG_MODE, null);
        ReplayTarget target = (ReplayTarget) replay.getDebugTarget();
        try {
            assertTrue("recorded some history", target.endIcount() > 1_000_000);
            IReverseResumeHandler reverse = (IReverseResumeHandler) DebugPlugin.getAdapter(target.hart(), IReverseResumeHandler.class);
            assertTrue("reverse resume enabled while suspended", enabled(reverse, target));
            target.resume();
            assertFalse("reverse resume enabled while running", enabled(reverse, target) && !target.isSuspended());
            target.suspend();
            Launches.awaitSuspended(target);
            assertTrue(enabled(reverse, target));
        } finally {
            replay.terminate();
        }
    }

    /** Asks a debug command handler whether it is enabled for the target's thread, as the toolbar does. */
    private static boolean enabled(IDebugCommandHandler handler, ReplayTarget target) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        boolean[] result = new boolean[1];
        handler.canExecute(new IEnabledStateRequest() {
            private boolean enabled;
            private IStatus status;

            @Override
            public void setEnabled(boolean result) {
                enabled = result;
            }

            @Override
            public Object[] getElements() {
                return new Object[] {target.hart()};
            }

            @Override
            public void done() {
                result[0] = enabled && (status == null || status.isOK());
                done.countDown();
            }

            @Override
            public void cancel() {
                done.countDown();
            }

            @Override
            public boolean isCanceled() {
                return false;
            }

            @Override
            public void setStatus(IStatus s) {
                status = s;
            }

            @Override
            public IStatus getStatus() {
                return status;
            }
        });
        assertTrue("no answer from canExecute", done.await(30, TimeUnit.SECONDS));
        return result[0];
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
