package dev.rewind.gdbstub.target;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

import dev.rewind.gdbstub.Interruption;
import dev.rewind.gdbstub.ResumeMode;
import dev.rewind.replay.Timeline;

/**
 * {@code rewind gdbserver --replay} warms the reverse path before gdb connects
 * ({@link ReplayTarget#warmUp}): it steps back a little ahead of the current position and comes
 * back. The replay must be exactly where it was (position, machine state, console), and step
 * back afterwards exactly as a replay that was never warmed.
 */
public class WarmingUpLeavesTheReplayWhereItWasTest {

    @Test
    public void afterTheWarmUpTheReplayIsWhereItWasAndStepsBackAsAColdOne() throws Exception {
        RecordedGuest timer = RecordedGuest.of("timer", null);
        try (Timeline warm = Timeline.open(timer.log, Timeline.Options.defaults());
                Timeline cold = Timeline.open(timer.log, Timeline.Options.defaults())) {
            ReplayTarget warmTarget = new ReplayTarget(warm);
            ReplayTarget coldTarget = new ReplayTarget(cold);
            long at = warm.icount();
            byte[] state = warm.captureState().digest();
            int snapshots = warm.snapshotIcounts().length;

            warmTarget.warmUp();

            assertEquals(at, warm.icount());
            assertArrayEquals(state, warm.captureState().digest());
            assertArrayEquals(new byte[0], warm.session().console().toByteArray());
            assertEquals(0, warmTarget.selectedThread());
            assertTrue("the warm-up stepped back (it left approach snapshots)", warm.snapshotIcounts().length > snapshots);

            long target = Math.min(warm.endIcount(), 2 * ReplayTarget.WARM_UP_DISTANCE / 3);
            warmTarget.seek(target);
            coldTarget.seek(target);
            for (int i = 0; i < 3; i++) {
                warmTarget.resume(ResumeMode.REVERSE_STEP, Interruption.NEVER);
                coldTarget.resume(ResumeMode.REVERSE_STEP, Interruption.NEVER);
                assertEquals(cold.icount(), warm.icount());
                assertArrayEquals(cold.captureState().digest(), warm.captureState().digest());
                assertArrayEquals(cold.session().console().toByteArray(), warm.session().console().toByteArray());
            }
        }
    }
}
