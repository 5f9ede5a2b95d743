package dev.rewind.emulator;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/** WFI with nothing pending asks the InputPort how far to warp; the port's answers are all that matter. */
public class IdleWarpsThroughInputPortTest {

    /** Records every idle call and grants exactly the requested warp. */
    static class CountingPort implements InputPort {
        final List<long[]> idles = new ArrayList<>(); // {icount, nowNs, deadlineNs}

        @Override
        public long nextDeadline(long icount) {
            return Long.MAX_VALUE;
        }

        @Override
        public void poll(long icount, InputSink sink) {
        }

        @Override
        public long idle(long icount, long nowNs, long deadlineNs, InputSink sink) {
            idles.add(new long[] {icount, nowNs, deadlineNs});
            return deadlineNs == Long.MAX_VALUE ? IDLE_FOREVER : deadlineNs - nowNs;
        }

        @Override
        public void blockSubmitted(long icount, long requestId) {
        }

        @Override
        public long hostClockNs(long icount) {
            return 0;
        }
    }

    @Test
    public void timerGuestWarpsToEachDeadline() throws Exception {
        CountingPort port = new CountingPort();
        ByteArrayOutputStream uart = new ByteArrayOutputStream();
        VirtMachine m = new VirtMachine(MachineConfig.builder().inputPort(port).uartOut(uart).build());
        m.load(ElfImage.read(Guests.elf("timer")));
        assertEquals(StopReason.EXIT, m.run(10_000_000));
        assertEquals(10, port.idles.size()); // one sleep per 10 ms tick
        for (long[] idle : port.idles) {
            assertTrue(idle[2] > idle[1]);
        }
        // 10 ticks of 10 ms passed in virtual time although only a few thousand instructions ran
        assertTrue(m.virtualNs() >= 100_000_000L);
        assertTrue(m.icount() < 10_000);
    }

    @Test
    public void wfiWithNothingToWakeItStopsAsIdle() throws Exception {
        CountingPort port = new CountingPort();
        VirtMachine m = new VirtMachine(MachineConfig.builder().inputPort(port).build());
        // mtimecmp far in the future clears the reset-time MTIP and arms no deadline
        m.load(Guests.assemble("li t0, 0x2004000\n li t1, -1\n sd t1, 0(t0)\n li t1, 0x80\n csrw mie, t1\n"
                + "wfi\n j fail\n"));
        assertEquals(StopReason.IDLE, m.run(1000));
        assertTrue(m.waitingForInterrupt());
        assertEquals(1, port.idles.size());
    }

    @Test
    public void shiftScalesVirtualTime() throws Exception {
        VirtMachine m = new VirtMachine(MachineConfig.builder().icountShift(3).build());
        m.load(Guests.assemble("j pass\n"));
        m.run(100);
        assertEquals(m.icount() << 3, m.virtualNs());
    }
}
