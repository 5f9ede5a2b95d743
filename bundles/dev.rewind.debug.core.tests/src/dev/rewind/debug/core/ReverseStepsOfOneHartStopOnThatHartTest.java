package dev.rewind.debug.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchManager;
import org.junit.Test;

import dev.rewind.debug.core.launch.LaunchAttributes;
import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.replay.Stop;

/**
 * A replay of guests/src/smp.c (-O0) on 4 harts: Reverse Step Into on one hart's thread, again and
 * again, stops on that hart every time, also where its previous instruction was the first of its
 * turn (where the gdb stub once named the hart whose turn had ended: f03c92b; the model seeks
 * there, and the machine names the hart about to run).
 */
public class ReverseStepsOfOneHartStopOnThatHartTest {

    @Test
    public void everyReverseStepOfOneHartStopsOnThatHartAlsoAtTheStartOfItsTurns() throws Exception {
        Path elf = Guests.elf("smp-O0");
        Path rec = Files.createTempDirectory("rewind-hart-steps").resolve("smp4.rrlog");
        var wc = Launches.record("record smp-O0 on 4 harts", elf, rec);
        wc.setAttribute(LaunchAttributes.HARTS, 4);
        ILaunch recorded = wc.launch(ILaunchManager.RUN_MODE, null);
        Launches.awaitTerminated(recorded);

        ILaunch launch = Launches.replay("replay smp-O0 on 4 harts", elf, rec).launch(ILaunchManager.DEBUG_MODE, null);
        ReplayTarget target = (ReplayTarget) launch.getDebugTarget();
        try {
            target.seek(target.endIcount() / 2);
            Launches.awaitSuspended(target);
            int crossedTurns = 0;
            for (int k = 0; k < 300; k++) {
                long retired = target.state(2).retired();
                long othersRetired = target.state(0).retired() + target.state(1).retired() + target.state(3).retired();
                target.reverseStepInstruction(2);
                Launches.awaitSuspended(target);
                assertEquals(Stop.Kind.STEP, target.state().stop().kind());
                assertEquals("reverse step " + (k + 1) + " stops on hart 2 at icount " + target.state().icount(), 2,
                        target.hart().id());
                assertEquals("hart 2 is one instruction back", retired - 1, target.state(2).retired());
                assertEquals("the stop is at hart 2's pc", target.state(2).pc(), target.state().stop().pc());
                long others = target.state(0).retired() + target.state(1).retired() + target.state(3).retired();
                crossedTurns += others != othersRetired ? 1 : 0;
            }
            assertTrue("the steps went back across other harts' turns", crossedTurns > 0);
        } finally {
            launch.terminate();
            Launches.manager().removeLaunches(new ILaunch[] {launch, recorded});
        }
    }
}
