package dev.rewind.emulator;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.Test;

public class SeveralHartsTest {

    private static VirtMachine machine(int harts, ByteArrayOutputStream uart) throws Exception {
        VirtMachine m = new VirtMachine(MachineConfig.builder().harts(harts).uartOut(uart).build());
        m.load(ElfImage.read(Guests.elf("smp")));
        return m;
    }

    private record Run(String console, long icount, String digest, long[] retired) {
    }

    private static Run run(int harts) throws Exception {
        ByteArrayOutputStream uart = new ByteArrayOutputStream();
        VirtMachine m = machine(harts, uart);
        assertEquals(StopReason.EXIT, m.run(200_000_000));
        String console = uart.toString(StandardCharsets.UTF_8);
        assertEquals(console, 0, m.exitCode());
        long[] retired = new long[harts];
        for (int h = 0; h < harts; h++) {
            retired[h] = m.retired(h);
        }
        return new Run(console, m.icount(), m.digestHex(), retired);
    }

    @Test
    public void hartsCountAndPassMessagesWithExactTotalsIdenticallyOnEveryRun() throws Exception {
        for (int n : new int[] {2, 4, 8}) {
            Run a = run(n);
            Run b = run(n);
            int ring = n * (n + 1) / 2;
            assertTrue(a.console, a.console.startsWith("harts " + n + " amo " + 2000 * n + " lrsc " + 2000 * n + " token "
                    + 25 * ring + " ipis " + 25 * n + "\n"));
            assertTrue(a.console, a.console.contains("ALL 4 CHECKS PASSED"));
            assertEquals(a.console, b.console);
            assertEquals(a.icount, b.icount);
            assertEquals(a.digest, b.digest);
            long sum = 0;
            for (int h = 0; h < n; h++) {
                assertTrue("hart " + h + " ran", a.retired[h] > 10_000);
                sum += a.retired[h];
            }
            assertEquals("every instruction is some hart's", a.icount, sum);
        }
    }

    @Test
    public void theTotalsAreWhatQemuPrintsWithAsManyHarts() throws Exception {
        // QEMU interleaves its harts differently (and not reproducibly): the totals must agree, not the retries.
        for (int n : new int[] {2, 4, 8}) {
            dev.rewind.emulator.reference.QemuRun q = new dev.rewind.emulator.reference.QemuReference().run(
                    Guests.elf("smp"), new byte[0], java.util.List.of("-smp", Integer.toString(n)),
                    java.time.Duration.ofSeconds(60));
            assertEquals(q.uart(), 0, q.exitCode());
            String totals = q.uart().substring(0, q.uart().indexOf('\n') + 1);
            assertTrue(totals, run(n).console.startsWith(totals));
        }
    }

    @Test
    public void aSnapshotOfFourHartsRestoresToTheSameFuture() throws Exception {
        VirtMachine m = machine(4, new ByteArrayOutputStream());
        assertEquals(StopReason.LIMIT, m.run(123_457)); // inside a turn, harts waiting in WFI
        MachineState mid = MachineState.decode(m.saveState().encode());
        assertEquals(StopReason.EXIT, m.run(200_000_000));
        String end = m.digestHex();
        long icount = m.icount();

        VirtMachine fresh = machine(4, new ByteArrayOutputStream());
        fresh.restoreState(mid);
        assertEquals(123_457, fresh.icount());
        assertEquals(StopReason.EXIT, fresh.run(200_000_000));
        assertEquals(icount, fresh.icount());
        assertEquals(end, fresh.digestHex());
    }

    @Test
    public void eachHartReadsItsOwnIdAndStartsAtTheResetRom() throws Exception {
        VirtMachine m = new VirtMachine(MachineConfig.builder().harts(3).build());
        assertEquals(3, m.harts());
        for (int h = 0; h < 3; h++) {
            assertEquals(h, m.hart(h).csr(0xf14).getAsLong());
            assertEquals(VirtMachine.ROM_BASE, m.hart(h).pc());
        }
    }

    @Test
    public void aHartCountOutsideOneToEightIsRefusedNamingTheSetting() {
        for (int n : new int[] {0, 9, -1}) {
            try {
                MachineConfig.builder().harts(n).build();
                fail("built with " + n + " harts");
            } catch (IllegalArgumentException e) {
                assertEquals("harts (--smp) must be 1 to 8, got " + n, e.getMessage());
            }
        }
    }
}
