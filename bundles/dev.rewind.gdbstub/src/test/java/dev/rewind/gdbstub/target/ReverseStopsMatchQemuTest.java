package dev.rewind.gdbstub.target;

import static org.junit.Assert.assertEquals;
import static org.junit.Assume.assumeTrue;

import java.util.List;

import org.junit.Test;

/**
 * The same gdb script against QEMU 7.2's record/replay and against Rewind's replay of the sample
 * guest: forward breakpoint stops and reverse-continue/reverse-stepi stops must be at the same
 * icounts (QEMU's own {@code info replay} and ours), since both count instructions alike.
 */
public class ReverseStopsMatchQemuTest {

    private static GdbScript script() {
        GdbScript g = new GdbScript().add("break add_square").mark("FWD");
        for (int k = 0; k < 6; k++) {
            g.add("continue").icount();
        }
        g.mark("BACK");
        for (int k = 0; k < 3; k++) {
            g.add("reverse-continue").icount();
        }
        g.add("delete", "reverse-stepi", "reverse-stepi").icount().add("stepi").icount();
        return g.mark("END");
    }

    @Test
    public void breakpointAndStepStopsAreAtQemusIcounts() throws Exception {
        assumeTrue("gdb-multiarch, qemu-system-riscv64 and qemu-img needed", QemuReplayGdb.available());
        RecordedGuest sample = RecordedGuest.of("sample", null);
        String qemuOut = QemuReplayGdb.run(sample.elf, script());
        String ours;
        try (RecordedGuest.Served s = sample.serve(1000)) {
            ours = script().run(s.port(), sample.elf);
        }
        List<Long> q = GdbScript.icounts(qemuOut);
        List<Long> r = GdbScript.icounts(ours);
        assertEquals(qemuOut, 11, q.size());
        assertEquals("QEMU:\n" + qemuOut + "\nRewind:\n" + ours, q, r);
        // and the reverse stops are the forward hits 5, 4, 3
        assertEquals(ours, List.of(r.get(4), r.get(3), r.get(2)), r.subList(6, 9));
    }
}
