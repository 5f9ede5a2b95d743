package dev.rewind.emulator;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import org.junit.Test;

public class RunsAreDeterministicTest {

    private static VirtMachine machine(String guest) throws Exception {
        VirtMachine m = new VirtMachine(MachineConfig.builder().uartOut(new ByteArrayOutputStream()).build());
        m.load(ElfImage.read(Guests.elf(guest)));
        return m;
    }

    @Test
    public void sameProgramTwiceGivesSameIcountAndDigest() throws Exception {
        for (String guest : new String[] {"timer", "sv39", "uart_irq"}) {
            VirtMachine a = machine(guest);
            VirtMachine b = machine(guest);
            assertEquals(StopReason.EXIT, a.run(50_000_000));
            assertEquals(StopReason.EXIT, b.run(50_000_000));
            assertEquals(guest, a.icount(), b.icount());
            assertEquals(guest, a.virtualNs(), b.virtualNs());
            assertEquals(guest, a.digestHex(), b.digestHex());
        }
    }

    @Test
    public void restoringASnapshotAndRerunningReachesTheSameState() throws Exception {
        VirtMachine m = machine("timer"); // timer interrupts and WFI warps inside the interval
        long n = 900, end = 2_500;
        assertEquals(StopReason.LIMIT, m.run(n));
        MachineState atN = m.saveState();
        assertEquals(StopReason.LIMIT, m.run(end));
        String first = m.digestHex();
        assertNotEquals(atN.digestHex(), first);

        m.restoreState(atN);
        assertEquals(n, m.icount());
        assertEquals(atN.digestHex(), m.digestHex());
        assertEquals(StopReason.LIMIT, m.run(end));
        assertEquals(first, m.digestHex());

        VirtMachine fresh = machine("timer");
        fresh.restoreState(MachineState.decode(atN.encode()));
        assertEquals(StopReason.LIMIT, fresh.run(end));
        assertEquals(first, fresh.digestHex());
    }

    @Test
    public void deltaCapturesHoldOnlyPagesWrittenSinceTheLastCapture() throws Exception {
        VirtMachine m = machine("sv39");
        m.run(10_000);
        MachineState base = m.saveState();
        m.run(60_000);
        MachineState delta = m.saveDelta();
        assertTrue(!delta.isFull() && delta.pages().size() > 0 && delta.pages().size() < base.pages().size() + 64);
        MachineState full = m.saveState();
        assertEquals(full.digestHex(), delta.over(base).digestHex());
    }
}
