package dev.rewind.emulator;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.BitSet;

import org.junit.Test;

/**
 * Incremental captures of a machine whose RAM is all in use cost the pages written since the
 * previous capture, not the pages in use: the delta lists only those, the full state laid over
 * the previous one shares every other page and page-table leaf with it, and the pages two such
 * states differ in are found without visiting the rest.
 */
public class SnapshotsCostTheirWrittenPagesTest {

    private static final long RAM = 64L << 20;
    private static final int PAGES = (int) (RAM / MachineState.PAGE_SIZE);

    private static VirtMachine fullMachine() {
        VirtMachine m = new VirtMachine(MachineConfig.builder().ramSize(RAM).uartOut(new ByteArrayOutputStream()).build());
        byte[] page = new byte[MachineState.PAGE_SIZE];
        for (int pg = 0; pg < PAGES; pg++) {
            page[0] = (byte) (pg | 1);
            page[4095] = (byte) (pg >> 8);
            m.writePhysical(VirtMachine.RAM_BASE + (long) pg * MachineState.PAGE_SIZE, page, 0, page.length);
        }
        return m;
    }

    private static void write(VirtMachine m, int pg, int value) {
        m.writePhysical(VirtMachine.RAM_BASE + (long) pg * MachineState.PAGE_SIZE + 100, new byte[] {(byte) value}, 0, 1);
    }

    @Test
    public void aDeltaOverAFullRamHoldsOnlyTheWrittenPagesAndSharesEverythingElse() throws Exception {
        VirtMachine m = fullMachine();
        MachineState base = m.saveState();
        assertEquals(PAGES, base.pageCount());
        int[] written = {3, 4, 700, PAGES - 1};
        for (int pg : written) {
            write(m, pg, 42);
        }
        write(m, 700, 43); // twice, listed once
        MachineState delta = m.saveDelta();
        assertEquals(written.length, delta.pageCount());
        MachineState next = delta.over(base);

        // pages 3 and 4 share a leaf; 700 and the last page have one each; the root is copied
        long expected = 16 + 4L * ((PAGES + PageTree.LEAF - 1) / PageTree.LEAF) + 3 * PageTree.LEAF_BYTES
                + written.length * (16L + MachineState.PAGE_SIZE);
        assertEquals(expected, next.pageBytesNotIn(base));
        assertSame(base.page(5), next.page(5));
        assertSame(base.page(100_000 % PAGES), next.page(100_000 % PAGES));

        BitSet differ = new BitSet();
        MachineState.differingPages(base, next, differ);
        assertEquals("{3, 4, 700, " + (PAGES - 1) + "}", differ.toString());
        assertEquals(m.saveState().digestHex(), next.digestHex());
        assertTrue("nothing written since the last capture", m.saveDelta().pageCount() == 0);
    }

    @Test
    public void restoringWritesBackOnlyTheDirtyAndDifferingPagesAndLeavesTheMachineEqualToTheState() throws Exception {
        VirtMachine m = fullMachine();
        MachineState base = m.saveState();
        write(m, 10, 1);
        MachineState later = m.saveDelta().over(base);
        write(m, 11, 2); // dirty since the last capture, not in either state
        BitSet pages = m.dirtyPages();
        assertEquals("{11}", pages.toString());
        MachineState.differingPages(later, base, pages);
        m.restoreState(base, pages);
        assertEquals(base.digestHex(), m.digestHex());
        assertEquals(0, m.dirtyPages().cardinality());
    }

    @Test
    public void aPageWrittenBackToZeroLeavesTheFullStateAndItsEncodingIsUnchanged() throws Exception {
        VirtMachine m = new VirtMachine(MachineConfig.builder().ramSize(RAM).uartOut(new ByteArrayOutputStream()).build());
        write(m, 9, 7);
        MachineState base = m.saveState();
        write(m, 9, 0);
        MachineState next = m.saveDelta().over(base);
        assertNull(next.page(9));
        assertEquals(base.pageCount() - 1, next.pageCount());
        MachineState decoded = MachineState.decode(next.encode());
        assertArrayEquals(next.encode(), decoded.encode());
        assertEquals(m.saveState().digestHex(), next.digestHex());
    }
}
