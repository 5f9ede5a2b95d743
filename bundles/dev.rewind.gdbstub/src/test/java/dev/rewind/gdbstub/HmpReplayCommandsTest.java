package dev.rewind.gdbstub;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

public class HmpReplayCommandsTest {

    /** Records what the commands asked of the replay session. */
    private static final class FakeReplay implements ReplayControl {
        boolean replaying = true;
        boolean recording;
        long icount = 42;
        final List<String> calls = new ArrayList<>();
        List<Snapshot> snapshots = List.of();

        @Override
        public boolean isReplaying() {
            return replaying;
        }

        @Override
        public boolean isRecording() {
            return recording;
        }

        @Override
        public String recordingName() {
            return "run.rrlog";
        }

        @Override
        public long icount() {
            return icount;
        }

        @Override
        public void setReplayBreak(long at) {
            calls.add("break " + at);
        }

        @Override
        public void deleteReplayBreak() {
            calls.add("delete");
        }

        @Override
        public void seek(long at) {
            calls.add("seek " + at);
            icount = at;
        }

        @Override
        public List<Snapshot> snapshots() {
            return snapshots;
        }

        String memory;

        @Override
        public String snapshotMemory() {
            return memory;
        }
    }

    @Test
    public void infoReplayMatchesQemuFormat() throws Exception {
        FakeReplay r = new FakeReplay();
        HmpReplayCommands hmp = new HmpReplayCommands(r);
        assertEquals("Replaying execution 'run.rrlog': instruction count = 42\n", hmp.execute("info replay"));
        r.replaying = false;
        r.recording = true;
        assertEquals("Recording execution 'run.rrlog': instruction count = 42\n", hmp.execute("info  replay "));
        r.recording = false;
        assertEquals("Record/replay is not active\n", hmp.execute("info replay"));
    }

    @Test
    public void breakSeekAndDeleteReachTheReplaySession() throws Exception {
        FakeReplay r = new FakeReplay();
        HmpReplayCommands hmp = new HmpReplayCommands(r);
        assertEquals("", hmp.execute("replay_break 1000"));
        assertEquals("", hmp.execute("replay_seek 0x10"));
        assertEquals("", hmp.execute("replay_delete_break"));
        assertEquals(List.of("break 1000", "seek 16", "delete"), r.calls);
        assertEquals(16, r.icount);
    }

    @Test
    public void badArgumentsAndModesGiveClearErrors() {
        FakeReplay r = new FakeReplay();
        HmpReplayCommands hmp = new HmpReplayCommands(r);
        expectError(hmp, "replay_seek", "usage: replay_seek ICOUNT");
        expectError(hmp, "replay_seek -5", "not an instruction count");
        expectError(hmp, "replay_break ten", "not an instruction count");
        expectError(hmp, "replay_delete_break now", "takes no arguments");
        expectError(hmp, "frobnicate", "unknown command: 'frobnicate'");
        r.replaying = false;
        expectError(hmp, "replay_seek 5", "only available while replaying");
        assertTrue(r.calls.isEmpty());
    }

    @Test
    public void snapshotsAreListedWithTheirIcount() throws Exception {
        FakeReplay r = new FakeReplay();
        HmpReplayCommands hmp = new HmpReplayCommands(r);
        assertEquals("There is no snapshot available.\n", hmp.execute("info snapshots"));
        r.snapshots = List.of(new ReplayControl.Snapshot("1", "init", 0), new ReplayControl.Snapshot("2", "auto-1", 1000000));
        String out = hmp.execute("info snapshots");
        assertTrue(out, out.matches("(?s)ID\\s+TAG\\s+ICOUNT\\n1\\s+init\\s+0\\n2\\s+auto-1\\s+1000000\\n"));
    }

    @Test
    public void snapshotsEndWithTheMemoryTheyHoldAgainstTheirBudget() throws Exception {
        FakeReplay r = new FakeReplay();
        r.snapshots = List.of(new ReplayControl.Snapshot("m1", "(memory)", 0));
        r.memory = "in-memory snapshots: 1.5 MiB of a 256.0 MiB budget";
        String out = new HmpReplayCommands(r).execute("info snapshots");
        assertTrue(out, out.matches("(?s).*\\nm1\\s+\\(memory\\)\\s+0\\n" + java.util.regex.Pattern.quote(r.memory) + "\\n"));
    }

    @Test
    public void otherCommandsGoToTheFallback() throws Exception {
        HmpReplayCommands hmp = new HmpReplayCommands(new FakeReplay(), line -> "fallback:" + line);
        assertEquals("fallback:xp /4x 0", hmp.execute("xp /4x 0"));
        assertTrue(hmp.execute("help").contains("replay_seek N"));
        assertTrue(hmp.execute("help").endsWith("fallback:help"));
    }

    private static void expectError(MonitorCommands m, String line, String message) {
        try {
            m.execute(line);
            fail(line + " was accepted");
        } catch (TargetException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(message));
        }
    }
}
