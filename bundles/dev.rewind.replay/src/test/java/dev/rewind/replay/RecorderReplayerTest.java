package dev.rewind.replay;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.Test;

import dev.rewind.emulator.InputPort;
import dev.rewind.emulator.InputSink;
import dev.rewind.replay.log.ReplayLog;
import dev.rewind.replay.log.ReplayLogWriter;

/**
 * The port contract without a machine: a scripted "machine" drives the port the way
 * VirtMachine does (deadline, poll, idle, clock, block submissions); what the devices receive
 * while recording must be received again, at the same icounts, while replaying.
 */
public class RecorderReplayerTest {

    /** A random live world: input arrives at random polls and idles; warps and clocks vary. */
    private static final class RandomLivePort implements InputPort {
        final SplittableRandom r;
        final List<Long> pending = new ArrayList<>();

        RandomLivePort(long seed) {
            r = new SplittableRandom(seed);
        }

        public long nextDeadline(long icount) {
            return icount + 1 + r.nextInt(50);
        }

        public void poll(long icount, InputSink sink) {
            while (!pending.isEmpty()) {
                sink.completeBlockRequest(pending.remove(0));
            }
            int n = Math.min(sink.uartRxSpace(), r.nextInt(4) == 0 ? r.nextInt(1, 20) : 0);
            for (int i = 0; i < n; i++) {
                sink.uartReceive(r.nextInt(256));
            }
        }

        public long idle(long icount, long nowNs, long deadlineNs, InputSink sink) {
            if (r.nextBoolean()) {
                poll(icount, sink);
                return 0;
            }
            return r.nextInt(300) == 0 ? IDLE_FOREVER : r.nextLong(0, 1_000_000);
        }

        public void blockSubmitted(long icount, long requestId) {
            pending.add(requestId);
        }

        public long hostClockNs(long icount) {
            return r.nextLong();
        }
    }

    /** Records every device-side effect with its icount. */
    private static final class Devices implements InputSink {
        final List<String> seen = new ArrayList<>();
        long icount;
        int fifo;

        public int uartRxSpace() {
            return 16 - fifo;
        }

        public void uartReceive(int b) {
            fifo++;
            seen.add(icount + ":rx:" + b);
        }

        public void completeBlockRequest(long requestId) {
            seen.add(icount + ":blk:" + requestId);
        }
    }

    /**
     * Drives a port like the machine does. Its own decisions (when to idle, submit, read the
     * clock, drain the FIFO) come from a fixed seed: the "guest" is deterministic.
     */
    private static List<String> drive(InputPort port, long guestSeed, long steps) {
        SplittableRandom guest = new SplittableRandom(guestSeed);
        Devices dev = new Devices();
        long icount = 0;
        long requests = 0;
        long deadline = port.nextDeadline(0);
        while (icount < steps) {
            if (icount >= deadline) {
                dev.icount = icount;
                port.poll(icount, dev);
                deadline = port.nextDeadline(icount);
                assertTrue("port asked to stop again at icount " + icount, deadline > icount);
            }
            icount++; // retire one instruction; the port never lets it pass the deadline
            int what = guest.nextInt(100);
            if (what < 3) {
                dev.fifo = 0; // the guest drains the UART
            } else if (what < 5) {
                dev.icount = icount;
                long warp = port.idle(icount, icount, icount + 1000, dev);
                dev.seen.add(icount + ":warp:" + warp);
                if (warp == InputPort.IDLE_FOREVER) {
                    break;
                }
            } else if (what < 6) {
                port.blockSubmitted(icount, requests++);
            } else if (what < 7) {
                dev.seen.add(icount + ":clock:" + port.hostClockNs(icount));
            }
            if (what >= 3 && what < 7) {
                deadline = port.nextDeadline(icount); // a port call may move the next deadline
            }
        }
        dev.seen.add("end:" + icount);
        return dev.seen;
    }

    @Test
    public void replayDeliversExactlyWhatTheRecordingDeliveredAtTheSameIcounts() throws IOException {
        Path dir = Files.createTempDirectory("rr");
        long total = 0;
        for (long seed = 0; seed < 100; seed++) {
            Path f = dir.resolve("run" + seed + ".rrlog");
            Recorder rec = new Recorder(new RandomLivePort(seed), ReplayLogWriter.create(f, dev.rewind.replay.log.ReplayLogTest.header()));
            List<String> recorded = drive(rec, 1000 + seed, 20_000);
            rec.end(20_000);
            ReplayLog log = ReplayLog.read(f);
            List<String> replayed = drive(new Replayer(log.events()), 1000 + seed, 20_000);
            assertEquals("seed " + seed, recorded, replayed);
            total += recorded.size();
        }
        assertTrue("the random worlds delivered too little to test anything: " + total, total > 100 * 50);
    }

    @Test
    public void aGuestThatBehavesDifferentlyIsCaughtAsDivergence() throws IOException {
        Path f = Files.createTempFile("rr", ".rrlog");
        Recorder rec = new Recorder(new RandomLivePort(7), ReplayLogWriter.create(f, dev.rewind.replay.log.ReplayLogTest.header()));
        drive(rec, 42, 20_000);
        rec.end(20_000);
        try {
            drive(new Replayer(ReplayLog.read(f).events()), 43, 20_000);
            fail("a different guest replayed without divergence");
        } catch (ReplayDivergenceException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("replay diverged at icount "));
        }
    }
}
