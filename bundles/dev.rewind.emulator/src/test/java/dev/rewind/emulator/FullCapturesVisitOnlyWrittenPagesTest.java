package dev.rewind.emulator;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

/**
 * A full capture and a full restore visit only the pages something wrote (Memory's used pages),
 * not all of RAM, and still see exactly what a scan of every page sees: guest stores (plain,
 * AMO, page-table A/D updates), DMA, HTIF, the loader and debugger writes all mark their pages.
 */
public class FullCapturesVisitOnlyWrittenPagesTest {

    /** The non-zero pages of RAM found by reading every byte of it, as "page:hash" strings. */
    private static List<String> scanEveryPage(VirtMachine m) {
        byte[] data = m.ram().data;
        List<String> out = new ArrayList<>();
        for (int pg = 0; pg < data.length / Memory.PAGE; pg++) {
            if (!MachineState.isZero(data, pg * Memory.PAGE)) {
                out.add(pg + ":" + java.util.Arrays.hashCode(java.util.Arrays.copyOfRange(data, pg * Memory.PAGE, (pg + 1) * Memory.PAGE)));
            }
        }
        return out;
    }

    private static List<String> pagesOf(MachineState s) {
        List<String> out = new ArrayList<>();
        s.forEachPage((pg, page) -> out.add(pg + ":" + java.util.Arrays.hashCode(page)));
        return out;
    }

    private static VirtMachine run(String guest, MachineConfig.Builder b) throws Exception {
        VirtMachine m = new VirtMachine(b.uartOut(new ByteArrayOutputStream()).build());
        m.load(ElfImage.read(Guests.elf(guest)));
        m.run(20_000_000);
        return m;
    }

    @Test
    public void aFullCaptureAfterGuestsWriteThroughEveryPathHoldsExactlyTheNonZeroPages() throws Exception {
        // rv64a: AMOs and LR/SC; sv39: page tables with A/D updates; htif: tohost/fromhost;
        // bigmem would need 512 MiB, sample and compute: translated blocks' stores
        for (String guest : new String[] {"sample", "rv64a", "sv39", "htif", "compute-1g"}) {
            VirtMachine m = run(guest, MachineConfig.builder());
            List<String> scanned = scanEveryPage(m);
            assertTrue(guest + " wrote something", scanned.size() > 1);
            assertEquals(guest, scanned, pagesOf(m.saveState()));
        }
    }

    @Test
    public void dmaIntoRamIsSeenByAFullCapture() throws Exception {
        Path copy = Files.createTempFile("rewind-disk", ".img");
        try {
            Files.copy(Guests.disk(), copy, StandardCopyOption.REPLACE_EXISTING);
            try (RawFileBlockDevice disk = new RawFileBlockDevice(copy, false)) {
                VirtMachine m = run("blk", MachineConfig.builder().disk(disk));
                assertEquals(scanEveryPage(m), pagesOf(m.saveState()));
            }
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    @Test
    public void aFullRestoreZeroesEveryPageWrittenSinceAndTheCaptureAfterItMatchesTheScan() throws Exception {
        VirtMachine m = run("sample", MachineConfig.builder());
        MachineState before = m.saveState();
        long top = VirtMachine.RAM_BASE + m.ram().size - Memory.PAGE;
        m.writePhysical(top, new byte[] {1, 2, 3}, 0, 3); // a page nothing had used
        m.writePhysical(VirtMachine.RAM_BASE + (5L << 20), new byte[] {9}, 0, 1);
        m.restoreState(before);
        assertEquals(pagesOf(before), scanEveryPage(m));
        assertEquals(before.digestHex(), m.saveState().digestHex());

        // into a machine that never ran: its pages come only from the state
        VirtMachine fresh = new VirtMachine(MachineConfig.builder().uartOut(new ByteArrayOutputStream()).build());
        fresh.restoreState(before);
        assertEquals(pagesOf(before), scanEveryPage(fresh));
        assertArrayEquals(before.digest(), fresh.saveState().digest());
    }
}
