package dev.rewind.debug.core;

import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.junit.Test;

import dev.rewind.debug.core.launch.LaunchAttributes;
import dev.rewind.debug.core.model.ReplayTarget;

/** Wherever the replay moves, its console holds exactly the recorded output up to there. */
public class ReplayConsoleFollowsPositionTest {

    @Test
    public void consoleIsAPrefixOfTheRecordedOutputAfterEveryMove() throws Exception {
        Path elf = Guests.elf("sample");
        Path rec = Files.createTempDirectory("rewind-console").resolve("sample.rrlog");
        ILaunch l = Launches.record("record console", elf, rec).launch(ILaunchManager.RUN_MODE, null);
        Launches.awaitTerminated(l);
        String full = l.getProcesses()[0].getStreamsProxy().getOutputStreamMonitor().getContents();

        ILaunchConfigurationWorkingCopy wc = Launches.replay("replay console", elf, rec);
        wc.setAttribute(LaunchAttributes.SNAPSHOT_INTERVAL, "1000");
        ILaunch launch = wc.launch(ILaunchManager.DEBUG_MODE, null);
        ReplayTarget t = (ReplayTarget) launch.getDebugTarget();
        try {
            long end = t.endIcount();
            long[] moves = {end / 2, end / 4, end - 1, 3 * end / 8, end / 3, 10, end / 2 + 7, end / 2 - 500, end};
            String previous = "";
            for (long icount : moves) {
                t.seek(icount);
                Launches.awaitSuspended(t);
                String c = t.consoleText();
                assertTrue("at icount " + icount + " the console is not a prefix of the output:\n" + c, full.startsWith(c));
                previous = c;
            }
            assertTrue(previous.equals(full));
        } finally {
            launch.terminate();
        }
    }
}
