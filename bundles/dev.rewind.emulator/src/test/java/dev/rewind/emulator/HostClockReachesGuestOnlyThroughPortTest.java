package dev.rewind.emulator;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/** The goldfish RTC shows the guest whatever host time the InputPort reports, stamped with icount. */
public class HostClockReachesGuestOnlyThroughPortTest {

    @Test
    public void rtcReadsComeFromThePort() throws Exception {
        List<Long> stamps = new ArrayList<>();
        InputPort port = new IdleWarpsThroughInputPortTest.CountingPort() {
            @Override
            public long hostClockNs(long icount) {
                stamps.add(icount);
                return 0x1234_5678_9abc_def0L;
            }
        };
        VirtMachine m = new VirtMachine(MachineConfig.builder().inputPort(port).build());
        m.load(Guests.assemble("li t0, 0x101000\n lwu a0, 0(t0)\n lwu a1, 4(t0)\n j pass\n"));
        assertEquals(StopReason.EXIT, m.run(1000));
        assertEquals(0x9abc_def0L, m.reg(10));
        assertEquals(0x1234_5678L, m.reg(11));
        assertEquals(1, stamps.size());
        // six ROM instructions (icount 0..5), li = one lui (6), then the lwu (7)
        assertEquals(7, (long) stamps.get(0));
    }
}
