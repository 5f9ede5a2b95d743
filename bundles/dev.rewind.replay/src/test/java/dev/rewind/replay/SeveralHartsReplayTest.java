package dev.rewind.replay;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.After;
import org.junit.Test;

import dev.rewind.emulator.BootFiles;
import dev.rewind.emulator.StopReason;
import dev.rewind.emulator.VirtMachine;

public class SeveralHartsReplayTest {

    private final Path dir;

    public SeveralHartsReplayTest() throws IOException {
        dir = Files.createTempDirectory("rewind-smp");
    }

    @After
    public void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    private record Recorded(Path log, String console, long icount) {
    }

    private Recorded record(int harts) throws Exception {
        Path log = dir.resolve("smp-" + harts + ".rrlog");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordSession.Options o = RecordSession.Options.of(GuestPrograms.elf("smp"), log)
                .withInput(new ByteArrayInputStream(new byte[0]), out).withMachine(16L << 20, 0).withHarts(harts)
                .withDigestInterval(5_000);
        try (RecordSession s = RecordSession.start(o)) {
            RecordSession.Result r = s.run(Long.MAX_VALUE);
            assertEquals(StopReason.EXIT, r.reason());
            assertEquals(0, r.exitCode());
            return new Recorded(log, out.toString(StandardCharsets.UTF_8), r.icount());
        }
    }

    @Test
    public void recordingsOfTwoFourAndEightHartsReplayWithTheirDigestsAndConsole() throws Exception {
        for (int n : new int[] {2, 4, 8}) {
            Recorded rec = record(n);
            assertTrue(rec.console, rec.console.startsWith("harts " + n + " amo " + 2000 * n + " lrsc " + 2000 * n));
            ByteArrayOutputStream echo = new ByteArrayOutputStream();
            try (Timeline s = Timeline.open(rec.log, Timeline.Options.defaults().withEcho(echo))) {
                assertEquals(n, s.machine().harts());
                assertEquals(Stop.Kind.HISTORY_END, s.replayTo(Long.MAX_VALUE).kind()); // hart digests + final state
                assertEquals(rec.icount, s.icount());
            }
            assertEquals(rec.console, echo.toString(StandardCharsets.UTF_8));
        }
    }

    private static String where(VirtMachine m) {
        StringBuilder sb = new StringBuilder("icount " + m.icount() + " current " + m.currentHart());
        for (int h = 0; h < m.harts(); h++) {
            sb.append(String.format(" [%d pc %x retired %d]", h, m.hart(h).pc(), m.retired(h)));
        }
        return sb.toString();
    }

    @Test
    public void seekingBackAndForthAmongFourHartsReachesTheSameStates() throws Exception {
        Recorded rec = record(4);
        try (Timeline s = Timeline.open(rec.log, Timeline.Options.defaults().withSnapshotInterval(20_000))) {
            HartDigest digest = new HartDigest();
            long[] points = {101_234, 37_000, 150_001, 12_345};
            String[] seen = new String[points.length];
            byte[][] digests = new byte[points.length][];
            for (int i = 0; i < points.length; i++) {
                s.seek(points[i]);
                seen[i] = where(s.machine());
                digests[i] = digest.of(s.machine());
            }
            for (int i = points.length - 1; i >= 0; i--) {
                s.seek(points[i]);
                assertEquals(seen[i], where(s.machine()));
                assertArrayEquals(digests[i], digest.of(s.machine()));
            }
            TimeTravel tt = new TimeTravel(s);
            s.seek(101_234);
            tt.stepBack();
            assertEquals(101_233, s.icount());
            tt.stepForward();
            assertEquals(seen[0], where(s.machine()));
        }
    }

    @Test
    public void aReplayOnAnotherHartCountIsRefusedNamingTheSetting() throws Exception {
        Recorded rec = record(2);
        var header = dev.rewind.replay.log.ReplayLog.read(rec.log).header();
        MachineSetup other = new MachineSetup(BootFiles.program(GuestPrograms.elf("smp")), header.ramSize(),
                header.icountShift(), 0, 4);
        try {
            other.verify(header);
            fail("verified");
        } catch (ReplaySetupException e) {
            assertEquals("harts (--smp): the recording used 2, this machine has 4", e.getMessage());
        }
    }
}
