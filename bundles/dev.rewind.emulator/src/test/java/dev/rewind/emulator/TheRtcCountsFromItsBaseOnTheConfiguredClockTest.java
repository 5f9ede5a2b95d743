package dev.rewind.emulator;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.junit.Assume.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import dev.rewind.emulator.reference.QemuReference;
import dev.rewind.emulator.reference.QemuRun;

/**
 * The goldfish RTC as QEMU's {@code -rtc base=...,clock=...} sets it (guests/src/rtc.c prints the
 * RTC at the start, after a loop, after a WFI, after setting TIME_HIGH and after setting TIME_LOW).
 */
public class TheRtcCountsFromItsBaseOnTheConfiguredClockTest {

    static final String BASE = "2006-06-17T16:01:21";
    static final long BASE_NS = 1_150_560_081L * 1_000_000_000L;
    static final long HOST_NS = 1_765_000_000_123_456_789L;

    /** A port whose host clock moves 1 ms per read, recording the icount of every read. */
    static final class HostPort extends IdleWarpsThroughInputPortTest.CountingPort {
        final List<Long> reads = new ArrayList<>();

        @Override
        public long hostClockNs(long icount) {
            reads.add(icount);
            return HOST_NS + reads.size() * 1_000_000L;
        }
    }

    private static Map<String, Long> run(String rtc, HostPort port) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        VirtMachine m = new VirtMachine(MachineConfig.builder().rtc(RtcConfig.parse(rtc)).inputPort(port).uartOut(out)
                .build());
        m.load(ElfImage.read(Guests.elf("rtc")));
        assertEquals(StopReason.EXIT, m.run(10_000_000));
        assertEquals(0, m.exitCode());
        return values(out.toString(StandardCharsets.US_ASCII));
    }

    private static Map<String, Long> values(String console) {
        Map<String, Long> v = new LinkedHashMap<>();
        for (String line : console.split("\n")) {
            String[] w = line.split(" ");
            if (w.length == 2 && w[1].startsWith("0x")) {
                v.put(w[0], Long.parseUnsignedLong(w[1].substring(2), 16));
            }
        }
        return v;
    }

    @Test
    public void onVirtualTimeFromADateTheRtcReadsWhatQemuReadsAndNeverAsksTheHost() throws Exception {
        HostPort port = new HostPort();
        Map<String, Long> ours = run("base=" + BASE + ",clock=vm", port);
        assertEquals("no host-clock read", List.of(), port.reads);
        assertEquals(5, ours.size());
        long start = ours.get("start");
        assertTrue("starts at the base plus the virtual time run: " + start, start > BASE_NS && start < BASE_NS + 1_000);
        assertTrue("the WFI slept 1 ms of virtual time", ours.get("after-wfi") - ours.get("after-loop") > 1_000_000);
        assertEquals(0x1234_5678L, ours.get("after-high") >>> 32);
        assertEquals(0x9abc_def0L, ours.get("after-low") & 0xffff_ffffL, 0x100);

        assumeTrue("qemu-system-riscv64 not on PATH", QemuReference.qemuAvailable());
        QemuRun q = new QemuReference().run(Guests.elf("rtc"), new byte[0],
                List.of("-icount", "shift=0,sleep=off", "-rtc", "base=" + BASE + ",clock=vm"), Duration.ofSeconds(60));
        assertEquals(q.uart(), 0, q.exitCode());
        assertEquals("QEMU 7.2's values, to the nanosecond", values(q.uart()), ours);
    }

    @Test
    public void onVirtualTimeFromUtcTheHostIsAskedOnceThroughThePortAndVirtualTimeMovesIt() throws Exception {
        HostPort port = new HostPort();
        Map<String, Long> v = run("base=utc,clock=vm", port);
        assertEquals("one host-clock read, at the first RTC read", 1, port.reads.size());
        assertEquals("the RTC starts at the host's time", HOST_NS + 1_000_000L, (long) v.get("start"));

        Map<String, Long> onBase = run("base=" + BASE + ",clock=vm", new HostPort());
        assertEquals("and then moves exactly as on a fixed base",
                onBase.get("after-loop") - onBase.get("start"), v.get("after-loop") - v.get("start"));
    }

    @Test
    public void onTheHostClockEveryReadAsksThePortAndADateBaseShiftsIt() throws Exception {
        HostPort port = new HostPort();
        Map<String, Long> v = run("base=" + BASE + ",clock=host", port);
        // five reads and the two writes (each deposits into the count it reads)
        assertEquals(7, port.reads.size());
        long start = v.get("start");
        assertTrue("starts at the base plus the virtual time run: " + start, start > BASE_NS && start < BASE_NS + 1_000);
        assertEquals("then moves with the host's clock (1 ms per read here)", start + 1_000_000L, (long) v.get("after-loop"));

        HostPort utc = new HostPort();
        Map<String, Long> def = run("base=utc,clock=host", utc);
        assertEquals("QEMU's default reads the host's time as it is", HOST_NS + 1_000_000L, (long) def.get("start"));
        assertEquals(7, utc.reads.size());
    }

    @Test
    public void withoutTheOptionTheRtcIsQemusDefault() {
        assertEquals(RtcConfig.DEFAULT, MachineConfig.builder().build().rtc());
        assertEquals("base=utc,clock=host", RtcConfig.DEFAULT.text());
    }

    @Test
    public void theOptionTextReadsBackAsQemuWritesIt() {
        assertEquals("base=2006-06-17T16:01:21,clock=vm", RtcConfig.parse("clock=vm,base=" + BASE).text());
        assertEquals("base=2006-06-17T00:00:00,clock=host", RtcConfig.parse("base=2006-06-17").text());
        assertEquals("base=localtime,clock=vm", RtcConfig.parse("base=localtime,clock=vm,driftfix=slew").text());
        RtcConfig c = RtcConfig.parse("base=2026-01-01,clock=vm");
        assertEquals(c, RtcConfig.parse(c.text()));
        assertTrue(c.deterministic());
        assertTrue(c.replayable());
        assertTrue(!RtcConfig.parse("base=localtime").replayable());
        assertNotEquals(c, RtcConfig.parse("base=2026-01-01,clock=host"));
    }

    @Test
    public void badValuesAreRefusedNamingTheSettingAndWhatItTakes() {
        refused("base=2006-13-01", "-rtc base='2006-13-01'", "'2006-06-17T16:01:21' and '2006-06-17'");
        refused("base=yesterday", "-rtc base='yesterday'", "valid formats");
        refused("base=1969-12-31", "out of range", "1970-01-01");
        refused("base=2200-01-01", "out of range", "before 2200-01-01");
        assertEquals("base=2199-12-31T23:59:59,clock=vm", RtcConfig.parse("base=2199-12-31T23:59:59,clock=vm").text());
        refused("clock=wall", "-rtc clock='wall' is invalid", "clock=host or clock=vm");
        refused("clock=rt", "clock=rt", "not supported");
        refused("driftfix=fast", "-rtc driftfix='fast'", "none or slew");
        refused("speed=2", "invalid parameter 'speed'", "base=utc|localtime|DATETIME");
        refused("", "-rtc needs", "clock=host|vm");
    }

    private static void refused(String text, String... says) {
        try {
            RtcConfig.parse(text);
            fail("accepted -rtc " + text);
        } catch (IllegalArgumentException e) {
            for (String s : says) {
                assertTrue(e.getMessage(), e.getMessage().contains(s));
            }
        }
    }
}
