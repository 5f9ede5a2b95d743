package dev.rewind.replay;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.After;
import org.junit.Test;

import dev.rewind.emulator.BootFiles;
import dev.rewind.emulator.RtcConfig;
import dev.rewind.emulator.StopReason;
import dev.rewind.replay.log.EventKind;
import dev.rewind.replay.log.ReplayEvent;
import dev.rewind.replay.log.ReplayLog;

/**
 * QEMU's {@code -rtc} on a recording (guests/src/rtc.c reads the goldfish RTC five times and sets
 * it): with a DATETIME base on virtual time two recordings of the same input are
 * the same events, console and digest; on the host's clock they differ in the logged clock reads,
 * and each recording still replays exactly.
 */
public class RecordingsWithAFixedRtcBaseOnVirtualTimeAreIdenticalTest {

    static final RtcConfig FIXED = RtcConfig.parse("base=2026-01-01T00:00:00,clock=vm");

    private final Path dir;

    public RecordingsWithAFixedRtcBaseOnVirtualTimeAreIdenticalTest() throws Exception {
        dir = Files.createTempDirectory("rewind-rtc");
    }

    @After
    public void cleanUp() throws Exception {
        try (var s = Files.walk(dir)) {
            s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    private record Recording(Path log, String console, long icount, String digest, List<ReplayEvent> events) {
    }

    private Recording record(String name, RtcConfig rtc) throws Exception {
        Path log = dir.resolve(name + ".rrlog");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordSession.Options o = RecordSession.Options.of(BootFiles.program(GuestPrograms.elf("rtc")), log)
                .withInput(null, out).withRtc(rtc);
        try (RecordSession s = RecordSession.start(o)) {
            RecordSession.Result r = s.run(Long.MAX_VALUE);
            assertEquals(StopReason.EXIT, r.reason());
            String console = out.toString(StandardCharsets.US_ASCII);
            return new Recording(log, console, r.icount(), s.machine().digestHex(), ReplayLog.read(log).events());
        }
    }

    private static void replaysExactly(Recording r) throws Exception {
        FirmwareConsole.Replayed rep = FirmwareConsole.replay(r.log());
        assertEquals(Stop.Kind.HISTORY_END, rep.stop());
        assertEquals(r.console(), rep.console());
        assertEquals(r.icount(), rep.icount());
        assertEquals(r.digest(), rep.digest());
    }

    private static long clockReads(Recording r) {
        return r.events().stream().filter(e -> e.kind() == EventKind.HOST_CLOCK).count();
    }

    @Test
    public void twoRecordingsFromAFixedBaseOnVirtualTimeAreTheSameEventsConsoleAndDigest() throws Exception {
        Recording a = record("a", FIXED);
        Recording b = record("b", FIXED);
        assertTrue(a.console(), a.console().startsWith("start 0x18867251edfa00"));
        assertEquals("no host-clock read is logged", 0, clockReads(a));
        assertEquals(a.console(), b.console());
        assertEquals(a.icount(), b.icount());
        assertEquals(a.digest(), b.digest());
        assertEquals(a.events().toString(), b.events().toString());
        assertEquals("the header keeps the setting", FIXED.text(), ReplayLog.read(a.log()).header().rtc());
        replaysExactly(a);
    }

    @Test
    public void onTheHostClockTwoRecordingsDifferInTheirLoggedReadsAndEachReplaysExactly() throws Exception {
        Recording a = record("a", RtcConfig.DEFAULT);
        Recording b = record("b", RtcConfig.DEFAULT);
        assertEquals("every TIME_LOW read and RTC write asks the host", 7, clockReads(a));
        assertNotEquals(a.console(), b.console());
        assertNotEquals(a.events().toString(), b.events().toString());
        assertEquals("a default recording's header names no RTC", null, ReplayLog.read(a.log()).header().rtc());
        replaysExactly(a);
        replaysExactly(b);
    }

    @Test
    public void fromUtcOnVirtualTimeTheHostIsReadOnceAndTheReplayReadsItFromTheLog() throws Exception {
        Recording a = record("a", RtcConfig.parse("base=utc,clock=vm"));
        assertEquals(1, clockReads(a));
        replaysExactly(a);
    }

    @Test
    public void aReplayOnAnotherRtcSettingIsRefusedNamingIt() throws Exception {
        Recording a = record("a", FIXED);
        MachineSetup other = new MachineSetup(BootFiles.program(GuestPrograms.elf("rtc")), dev.rewind.emulator.MachineConfig.DEFAULT_RAM,
                0, 0, 1, RtcConfig.parse("base=2026-01-02,clock=vm"));
        try {
            other.verify(ReplayLog.read(a.log()).header());
            fail("replayed on another RTC");
        } catch (ReplaySetupException e) {
            assertEquals("RTC (-rtc): the recording used base=2026-01-01T00:00:00,clock=vm, this machine has"
                    + " base=2026-01-02T00:00:00,clock=vm", e.getMessage());
        }
    }

    @Test
    public void theHostsLocalTimeIsRefusedForARecordingAsQemuRefusesIt() throws Exception {
        try {
            record("local", RtcConfig.parse("base=localtime,clock=vm"));
            fail("recorded base=localtime");
        } catch (ReplaySetupException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("-rtc base=localtime cannot be recorded"));
        }
        assertTrue("nothing was written", !Files.exists(dir.resolve("local.rrlog")));
    }
}
