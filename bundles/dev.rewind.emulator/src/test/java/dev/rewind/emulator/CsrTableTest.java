package dev.rewind.emulator;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.Test;

public class CsrTableTest {

    @Test
    public void everyCsrTheHartReadsIsInTheTableAndNoOther() throws Exception {
        VirtMachine m = new VirtMachine(MachineConfig.builder().build());
        for (int n = 0; n < 4096; n++) {
            assertEquals(String.format("0x%03x", n), Csr.byNumber(n).isPresent(), m.csr(n).isPresent());
        }
    }

    @Test
    public void namesAreUniqueAndUnknownNumbersGetAHexName() {
        List<String> names = Csr.all().stream().map(Csr::name).toList();
        assertEquals(names.size(), names.stream().distinct().count());
        assertEquals("mstatus", Csr.nameOf(0x300));
        assertEquals("pmpaddr15", Csr.nameOf(0x3bf));
        assertEquals("csr7c0", Csr.nameOf(0x7c0));
    }

    @Test
    public void theSaveOrderKeepsTheFirstFormatsRowsInFront() {
        // Version 1 states list exactly these rows in this order; new rows are appended.
        String[] v1 = {"mstatus", "medeleg", "mideleg", "mie", "mtvec", "mcounteren", "mscratch", "mepc", "mcause",
            "mtval", "stvec", "scounteren", "sscratch", "sepc", "scause", "stval", "satp", "menvcfg", "senvcfg",
            "mcountinhibit", "cycle offset", "instret offset", "mip written by software", "mip driven by devices",
            "pmpcfg0", "pmpcfg2", "reservation address", "reserved value"};
        List<Csr> saved = Csr.saved();
        for (int i = 0; i < v1.length; i++) {
            assertEquals(v1[i], saved.get(i).name());
        }
        for (int i = 0; i < 16; i++) {
            assertEquals("pmpaddr" + i, saved.get(v1.length + i).name());
        }
    }

    @Test
    public void theDigestCoversTheSameCsrsInTheSameOrderAsRecordedLogsExpect() {
        assertArrayEquals(new int[] {0x300, 0x302, 0x303, 0x304, 0x305, 0x340, 0x341, 0x342, 0x343, 0x344, 0x180, 0x105,
            0x140, 0x141, 0x142, 0x143}, Csr.digested());
    }

    @Test
    public void privilegeAndReadOnlyFollowTheNumber() {
        Csr mstatus = Csr.byNumber(0x300).orElseThrow();
        assertEquals(Hart.M, mstatus.privilege());
        assertFalse(mstatus.readOnly());
        Csr cycle = Csr.byNumber(0xc00).orElseThrow();
        assertEquals(Hart.U, cycle.privilege());
        assertTrue(cycle.readOnly());
        assertEquals(Csr.Group.SUPERVISOR, Csr.byNumber(0x180).orElseThrow().group());
    }

    @Test
    public void aStateSavedInTheFirstFormatRestoresAndRunsToTheSameEnd() throws Exception {
        // Saved by the emulator before the CSR table (format 1, main at c5fb2fa) from guests/sv39 at
        // icount 155,000, with Sv39 on; that emulator then ran it to exit 0 at icount 158,884.
        MachineState state = MachineState.decode(resource("sv39-at-155000-state-v1.gz"));
        assertEquals(1, state.formatVersion());
        VirtMachine m = new VirtMachine(MachineConfig.builder().build());
        m.restoreState(state);
        assertEquals(155_000, m.icount());
        assertEquals(-9223372036854251505L, m.csr(0x180).getAsLong());
        assertEquals(StopReason.EXIT, m.run(10_000_000));
        assertEquals(0, m.exitCode());
        assertEquals(158_884, m.icount());
    }

    @Test
    public void aFirstFormatStateWhoseDevicesChangedSinceIsRefusedWithAClearMessage() throws Exception {
        // Saved before the UART kept its RBR and line errors (c5fb2fa): format 1 did not say.
        MachineState state = MachineState.decode(resource("sv39-at-155000-state-v1-old-uart.gz"));
        VirtMachine m = new VirtMachine(MachineConfig.builder().build());
        try {
            m.restoreState(state);
            throw new AssertionError("restored");
        } catch (StateFormatException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("older Rewind") && e.getMessage().contains("format 1"));
        }
    }

    private byte[] resource(String name) throws java.io.IOException {
        try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream(name))) {
            return in.readAllBytes();
        }
    }

    @Test
    public void aStateFromANewerRewindIsRefusedWithAClearMessage() throws Exception {
        VirtMachine m = new VirtMachine(MachineConfig.builder().build());
        byte[] bytes = m.saveState().encode();
        bytes[7] = 99; // format version
        try {
            MachineState.decode(bytes);
            throw new AssertionError("decoded");
        } catch (StateFormatException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("version 99") && e.getMessage().contains("newer Rewind"));
        }
    }
}
