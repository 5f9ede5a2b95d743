package dev.rewind.emulator;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import org.junit.Test;

/** PC breakpoints stop before the instruction; watchpoints report the access after it retires. */
public class DebugHooksTest {

    private static final String PROGRAM = "la t0, data\n li t1, 7\n"
            + "target:\n sd t1, 0(t0)\n ld t2, 8(t0)\n addi t1, t1, 1\n"
            + "after:\n li t3, 2\n blt t1, t3, fail\n j pass\n"
            + ".data\n.balign 8\ndata: .dword 0, 42\n";

    private static VirtMachine machine() throws Exception {
        return Guests.machine(Guests.assemble(PROGRAM), new ByteArrayOutputStream());
    }

    @Test
    public void breakpointStopsBeforeTheInstructionAndContinueStepsOffIt() throws Exception {
        VirtMachine m = machine();
        long target = m.program().symbol("target").orElseThrow();
        m.addBreakpoint(target);
        assertEquals(StopReason.BREAKPOINT, m.run(10_000));
        assertEquals(target, m.pc());
        long icount = m.icount();
        byte[] b = new byte[8];
        m.readMemory(m.program().symbol("data").orElseThrow(), b, 0, 8);
        assertEquals(0, b[0]); // the store has not happened
        assertEquals(StopReason.EXIT, m.run(10_000));
        assertTrue(m.icount() > icount);
        assertEquals(0, m.exitCode());
    }

    @Test
    public void breakpointsCanBeRemoved() throws Exception {
        VirtMachine m = machine();
        long target = m.program().symbol("target").orElseThrow();
        m.addBreakpoint(target);
        m.removeBreakpoint(target);
        assertEquals(StopReason.EXIT, m.run(10_000));
    }

    @Test
    public void writeWatchpointReportsAddressKindAndStopsAfterTheStore() throws Exception {
        VirtMachine m = machine();
        long data = m.program().symbol("data").orElseThrow();
        long target = m.program().symbol("target").orElseThrow();
        m.addWatchpoint(data, 8, WatchKind.WRITE);
        assertEquals(StopReason.WATCHPOINT, m.run(10_000));
        WatchHit hit = m.lastWatchHit();
        assertEquals(data, hit.address());
        assertEquals(8, hit.size());
        assertTrue(hit.write());
        assertEquals(m.icount(), hit.icount());
        assertEquals(target + 4, m.pc());
        byte[] b = new byte[1];
        m.readMemory(data, b, 0, 1);
        assertEquals(7, b[0]);
        assertEquals(StopReason.EXIT, m.run(10_000)); // the read of data+8 is not watched
    }

    @Test
    public void readWatchpointIgnoresWritesAndCatchesTheLoad() throws Exception {
        VirtMachine m = machine();
        long data = m.program().symbol("data").orElseThrow();
        m.addWatchpoint(data, 16, WatchKind.READ);
        assertEquals(StopReason.WATCHPOINT, m.run(10_000));
        assertEquals(data + 8, m.lastWatchHit().address());
        assertTrue(!m.lastWatchHit().write());
        assertEquals(42, m.reg(7));
        m.removeWatchpoint(data, 16, WatchKind.READ);
        assertEquals(StopReason.EXIT, m.run(10_000));
    }

    @Test
    public void stepExecutesOneInstructionAndReportsItsPc() throws Exception {
        VirtMachine m = machine();
        long[] seen = {-1};
        assertNull(m.step((pc, icount) -> seen[0] = pc));
        assertEquals(0x1000, seen[0]);
        assertEquals(1, m.icount());
        assertEquals(0x1004, m.pc());
    }

    @Test
    public void aWatchpointOnADeviceRegisterStopsAfterTheAccess() throws Exception {
        // the UART's LCR: a device access ends the block too, which must not hide the watchpoint
        VirtMachine m = Guests.machine(Guests.assemble("li t0, 0x10000000\n li t1, 3\n"
                + "target:\n sb t1, 3(t0)\n lb t2, 5(t0)\n j pass\n"), new ByteArrayOutputStream());
        long target = m.program().symbol("target").orElseThrow();
        m.addWatchpoint(0x1000_0003L, 1, WatchKind.WRITE);
        m.addWatchpoint(0x1000_0005L, 1, WatchKind.READ);
        assertEquals(StopReason.WATCHPOINT, m.run(10_000));
        assertEquals(0x1000_0003L, m.lastWatchHit().address());
        assertEquals(target + 4, m.pc());
        assertEquals(StopReason.WATCHPOINT, m.run(10_000));
        assertEquals(0x1000_0005L, m.lastWatchHit().address());
        assertTrue(!m.lastWatchHit().write());
        assertEquals(StopReason.EXIT, m.run(10_000));
    }

    @Test
    public void aPhysicalWatchpointStopsAfterTheStoreAndSaysItIsPhysical() throws Exception {
        VirtMachine m = machine();
        long data = m.program().symbol("data").orElseThrow();
        m.addWatchpoint(data, 8, WatchKind.WRITE, WatchHit.PHYSICAL);
        assertEquals(StopReason.WATCHPOINT, m.run(10_000));
        assertEquals(data, m.lastWatchHit().address());
        assertTrue(m.lastWatchHit().physical());
        m.removeWatchpoint(data, 8, WatchKind.WRITE, WatchHit.PHYSICAL);
        assertEquals(StopReason.EXIT, m.run(10_000));
    }

    @Test
    public void aWatchpointOfOnePageTableIgnoresAccessesThatAreNotTranslatedByIt() throws Exception {
        VirtMachine m = machine();
        long data = m.program().symbol("data").orElseThrow();
        // M-mode accesses are untranslated: they belong to no page table's address space
        assertEquals(WatchHit.ANY_SPACE, m.debugView().addressSpace());
        m.addWatchpoint(data, 8, WatchKind.WRITE, 0x80123L);
        assertEquals(StopReason.EXIT, m.run(10_000));
    }
}
