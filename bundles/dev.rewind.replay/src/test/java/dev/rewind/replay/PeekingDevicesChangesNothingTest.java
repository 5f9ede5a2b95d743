package dev.rewind.replay;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.rewind.emulator.PhysicalView;
import dev.rewind.emulator.StopReason;
import dev.rewind.emulator.VirtMachine;

/**
 * A debugger may peek at devices at any position of a replay without changing it: at 1,000
 * random positions of a recording of the echo guest (typed input, so the UART's receive FIFO
 * holds bytes at some of them), reading every register offset of every device with every
 * access size leaves the machine's state digest as it was, and the replay afterwards still
 * matches the recording's digests to its end.
 */
public class PeekingDevicesChangesNothingTest {

    private static final int POSITIONS = 1000;
    /** Register windows of every device: its first 0x120 bytes (all of the UART, CLINT's msip, virtio's registers and config)... */
    private static final long WINDOW = 0x120;
    /** ... and the registers further in: CLINT mtimecmp/mtime, PLIC pending, enables, threshold and claim of both contexts. */
    private static final long[][] FURTHER = {{0x0200_4000L, 8}, {0x0200_bff8L, 8}, {0x0c00_1000L, 0x10},
        {0x0c00_2000L, 0x10}, {0x0c00_2080L, 0x10}, {0x0c20_0000L, 8}, {0x0c20_1000L, 8}};

    @Rule
    public final TemporaryFolder dir = new TemporaryFolder();

    @Test
    public void peekingEveryRegisterAtAThousandPositionsLeavesTheReplayUnchanged() throws Exception {
        Path log = dir.getRoot().toPath().resolve("echo.rrlog");
        RecordSession.Options o = RecordSession.Options.of(GuestPrograms.elf("echo"), log)
                .withInput(new RecordReplayTest.TypedInput("peek\nat the uart\nq", 7), new ByteArrayOutputStream())
                .withMachine(16L << 20, 0).withPollInterval(500).withDigestInterval(20_000);
        long end;
        try (RecordSession s = RecordSession.start(o)) {
            RecordSession.Result r = s.run(Long.MAX_VALUE);
            assertEquals(StopReason.EXIT, r.reason());
            end = r.icount();
        }
        SplittableRandom random = new SplittableRandom(1000);
        int withRxData = 0;
        long peeks = 0;
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults().withSnapshotInterval(50_000))) {
            VirtMachine m = s.machine();
            PhysicalView view = m.physicalView();
            for (int i = 0; i < POSITIONS; i++) {
                s.seek(random.nextLong(s.startIcount(), end + 1));
                String before = m.digestHex();
                for (PhysicalView.Device d : view.devices()) {
                    peeks += peekRange(view, d.base(), Math.min(d.size(), WINDOW));
                }
                for (long[] range : FURTHER) {
                    peeks += peekRange(view, range[0], range[1]);
                }
                if ((view.peek(0x1000_0005L, 1).getAsLong() & 1) != 0) {
                    withRxData++;
                }
                assertEquals("peeking changed the machine at icount " + s.icount(), before, m.digestHex());
            }
            assertTrue("no position had received bytes waiting in the UART", withRxData > 0);
            s.seek(s.startIcount());
            assertEquals(Stop.Kind.HISTORY_END, s.replayTo(Long.MAX_VALUE).kind()); // checks every recorded digest
        }
        assertTrue(peeks > POSITIONS * 1000L);
    }

    /** Peeks [base, base + len) with every aligned access size; returns the number of peeks. */
    private static long peekRange(PhysicalView view, long base, long len) {
        long n = 0;
        for (int size = 1; size <= 8; size <<= 1) {
            for (long a = base; a + size <= base + len; a += size) {
                view.peek(a, size);
                n++;
            }
        }
        return n;
    }
}
