package dev.rewind.replay;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.rewind.emulator.StopReason;

/**
 * The guest's own debug triggers (Sdtrig; the sdtrig guest arms execute, load and store triggers
 * in M, S and U mode and counts the breakpoints they raise) fire at the same instructions in a
 * replay, also after seeks that restore snapshots taken while triggers were armed.
 */
public class DebugTriggersReplayExactlyTest {

    @Rule
    public final TemporaryFolder dir = new TemporaryFolder();

    @Test
    public void triggersFireAtTheSameInstructionsInReplayAndAfterSeeks() throws Exception {
        Path log = dir.getRoot().toPath().resolve("sdtrig.rrlog");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordSession.Result rec;
        String digest;
        try (RecordSession s = RecordSession.start(RecordSession.Options.of(GuestPrograms.elf("sdtrig"), log)
                .withInput(null, out).withDigestInterval(1000))) {
            rec = s.run(Long.MAX_VALUE);
            digest = s.machine().digestHex();
        }
        String output = out.toString(StandardCharsets.ISO_8859_1);
        assertEquals(output, StopReason.EXIT, rec.reason());
        assertTrue(output, output.contains("ALL") && output.contains("CHECKS PASSED"));

        long end = rec.icount();
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults().withSnapshotInterval(500))) {
            // Hart digests every 1000 instructions: a trigger that fired elsewhere fails the run at once.
            assertEquals(Stop.Kind.HISTORY_END, s.replayTo(Long.MAX_VALUE).kind());
            assertEquals(end, s.icount());
            assertEquals(digest, s.machine().digestHex());
            for (long target : new long[] {end / 2, end / 3, end * 3 / 4, end / 5}) {
                s.seek(target);
                assertEquals(Stop.Kind.HISTORY_END, s.replayTo(Long.MAX_VALUE).kind());
                assertEquals("run to the end after a seek to " + target, digest, s.machine().digestHex());
            }
            assertEquals(output, new String(s.session().console().toByteArray(), StandardCharsets.ISO_8859_1));
        }
    }
}
