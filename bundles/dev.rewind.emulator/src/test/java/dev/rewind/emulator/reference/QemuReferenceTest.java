package dev.rewind.emulator.reference;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.BeforeClass;
import org.junit.Test;

/** Checks the QEMU reference harness against real QEMU runs of guests from guests/. */
public class QemuReferenceTest {
    private static QemuReference qemu;
    private static Path rv64i;

    @BeforeClass
    public static void buildGuest() {
        qemu = new QemuReference();
        rv64i = qemu.guest("rv64i");
    }

    @Test
    public void traceStartsAtTheResetVectorThenEntersTheKernel() throws IOException {
        QemuTrace t = qemu.trace(rv64i, 3000);
        assertEquals(3000, t.size());
        assertFalse("the guest runs longer than 3000 instructions", t.wholeRun());
        for (int i = 0; i < 6; i++) {
            assertEquals("boot ROM instruction " + i, 0x1000L + 4 * i, t.pc(i));
        }
        assertEquals("ELF entry after the boot ROM's jump", elfEntry(rv64i), t.pc(6));
        assertEquals(0x80000000L, t.pc(6));
        assertEquals("auipc t0 at 0x1000", 0x1000L, t.x(1, 5));
        assertEquals("a0 = hartid", 0, t.x(6, 10));
        long dtb = t.x(6, 11);
        assertTrue("a1 = device tree in RAM: " + Long.toHexString(dtb), dtb >= 0x80000000L && dtb < 0x88000000L);
        assertEquals("a2 = fw_dyn info address", 0x1028L, t.x(6, 12));
        assertEquals("registers start at zero", 0, t.x(0, 5));
    }

    @Test
    public void cursorAndRandomAccessAgree() {
        QemuTrace t = qemu.trace(rv64i, 2500);   // spans two checkpoints
        QemuTrace.Cursor c = t.cursor();
        int n = 0;
        int changes = 0;
        long[] previous = new long[32];
        while (c.next()) {
            assertEquals(n, c.index());
            assertEquals(t.pc(n), c.pc());
            long[] regs = t.registers(n);
            assertArrayEquals("instruction " + n, regs, c.x());
            assertEquals(0, c.x(0));
            assertEquals(regs[2], t.x(n, 2));
            for (int r = 0; r < 32; r++) {
                changes += regs[r] != previous[r] ? 1 : 0;
            }
            previous = regs;
            n++;
        }
        assertEquals(t.size(), n);
        assertTrue("registers change along the trace", changes > 1000);
    }

    @Test
    public void wholeRunTraceLengthEqualsIcountAtExitAndIcountIsStable() {
        QemuTrace t = qemu.trace(rv64i, 1_000_000);
        assertTrue("rv64i exits well before 1e6 instructions", t.wholeRun());
        assertTrue(t.uart(), t.uart().contains("CHECKS PASSED"));
        long first = qemu.icountAtExit(rv64i);
        long second = qemu.icountAtExit(rv64i);
        assertTrue(first > 1000);
        assertEquals("icount of two recordings", first, second);
        // rv64i takes no traps, so every traced instruction retires: the two counts must agree.
        assertEquals("instructions traced vs icount at exit", t.size(), first);
    }

    @Test
    public void entriesAbandonedForAnInterruptAreDropped() {
        // uart_irq takes 9 external interrupts; QEMU logs the interrupted instruction twice
        // (once abandoned). With those dropped the trace has one entry per executed instruction,
        // and its only exception (an ecall, which QEMU's icount counts) keeps the counts equal.
        Path elf = qemu.guest("uart_irq");
        QemuTrace t = qemu.trace(elf, 1_000_000);
        assertTrue(t.wholeRun());
        assertEquals(qemu.icountAtExit(elf), t.size());
    }

    @Test
    public void runReportsUartOutputAndTheFinisherCode() {
        QemuRun pass = qemu.run(rv64i);
        assertEquals(pass.uart(), 0, pass.exitCode());
        assertTrue(pass.uart(), pass.uart().startsWith("rv64i: base integer instructions\n"));
        assertTrue(pass.uart(), pass.uart().contains("[rv64i.jumps] ok"));
        QemuRun fail = qemu.run(qemu.guest("htif_fail"));
        assertEquals(fail.uart(), 3, fail.exitCode());
    }

    @Test
    public void everySelfCheckingGuestPassesOnQemu() {
        for (String name : new String[] {"boot", "rv64i", "rv64m", "rv64a", "rvc", "zicsr", "fencei", "traps",
                "timer_irq", "uart_irq", "sv39", "htif", "sample"}) {
            QemuRun r = qemu.run(qemu.guest(name));
            assertEquals(name + ":\n" + r.uart(), 0, r.exitCode());
            assertFalse(name + ":\n" + r.uart(), r.uart().contains("FAIL"));
        }
        QemuRun icount = qemu.run(qemu.guest("icount"), new byte[0], java.util.List.of("-icount", "shift=0"),
                java.time.Duration.ofSeconds(60));
        assertEquals(icount.uart(), 0, icount.exitCode());
        QemuRun blk = qemu.run(qemu.guest("blk"), new byte[0], QemuReference.virtioBlkArgs(qemu.diskImage()),
                java.time.Duration.ofSeconds(60));
        assertEquals(blk.uart(), 0, blk.exitCode());
        assertTrue(blk.uart(), blk.uart().contains("[blk.write] ok"));
        QemuRun echo = qemu.run(qemu.guest("echo"), "one\ntwo\nq".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                java.util.List.of(), java.time.Duration.ofSeconds(60));
        assertEquals(echo.uart(), 0, echo.exitCode());
        assertTrue(echo.uart(), echo.uart().contains("echo: bye, 2 lines, 8 bytes"));
    }

    @Test
    public void traceOfAnIdleGuestStopsAtTheTimeout() {
        // echo without input sleeps in WFI between 10 ms idle ticks: the trace must come back.
        // 5 s, not 1: on a loaded machine QEMU had not printed its banner after 1 s (10 M
        // instructions of idle ticks take far longer, so the run cannot end whole).
        QemuTrace t = qemu.trace(qemu.guest("echo"), 10_000_000, java.util.List.of(), java.time.Duration.ofSeconds(5));
        assertFalse(t.wholeRun());
        assertTrue(t.size() > 100);
        assertTrue(t.uart(), t.uart().startsWith("echo: type lines"));
    }

    @Test
    public void deviceTreeDumpFollowsTheCpuArguments() {
        byte[] imac = qemu.deviceTree(QemuReference.RV64IMAC_CPU);
        assertEquals(0xd00dfeedL, ByteBuffer.wrap(imac).getInt(0) & 0xffffffffL);
        assertEquals("totalsize", imac.length, ByteBuffer.wrap(imac).getInt(4));
        String text = new String(imac, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("rv64imac_zicsr_zifencei"));
        String dflt = new String(qemu.deviceTree(java.util.List.of()), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(dflt.contains("rv64imafdch_"));
    }

    @Test
    public void imacCpuArgumentsShowInMisa() throws IOException {
        // boot reads misa with "csrr s2, misa"; find it in the disassembly-free way: the first
        // instruction word 0x30102973 in the ELF's text, then look at s2 after it.
        Path elf = qemu.guest("boot");
        long at = findWord(elf, 0x30102973);
        QemuTrace t = qemu.trace(elf, 20_000, QemuReference.RV64IMAC_CPU);
        int i = 0;
        while (i + 1 < t.size() && t.pc(i) != at) {
            i++;
        }
        assertEquals("csrr s2, misa reached", at, t.pc(i));
        assertEquals(0x8000000000141105L, t.x(i + 1, 18));
    }

    @Test
    public void replayLogParserRejectsForeignFiles() throws IOException {
        Path f = Files.createTempFile("rewind-rr", ".bin");
        try {
            Files.write(f, log(new byte[] {0, (byte) 0xe0, 0x20, 0x0a}, 39));
            expectRejected(f, "version");
            Files.write(f, log(header(), 0, 0, 0, 0, 7, 200));              // INSTRUCTION(7), unknown kind
            expectRejected(f, "not understood");
            Files.write(f, log(header(), 0, 0, 0, 0, 7, 22, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3, 39));
            assertEquals("INSTRUCTION(7) CHAR_WRITE EXCEPTION INSTRUCTION(3) END", 10,
                    QemuReplayLog.instructionCount(f));
            Files.write(f, log(header(), 0, 0, 0, 0, 7));
            expectRejected(f, "without an END");
        } finally {
            Files.deleteIfExists(f);
        }
    }

    private static byte[] header() {
        return new byte[] {0, (byte) 0xe0, 0x20, 0x0c};
    }

    /** A log: version bytes, 8 reserved zero bytes, then the given event bytes. */
    private static byte[] log(byte[] version, int... events) {
        byte[] b = new byte[12 + events.length];
        System.arraycopy(version, 0, b, 0, 4);
        for (int i = 0; i < events.length; i++) {
            b[12 + i] = (byte) events[i];
        }
        return b;
    }

    private static void expectRejected(Path f, String why) {
        try {
            QemuReplayLog.instructionCount(f);
            fail("accepted a log that should fail with: " + why);
        } catch (QemuReferenceException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(why));
        }
    }

    /** Address of the first 4-byte-aligned occurrence of word in the ELF's first PT_LOAD segment. */
    private static long findWord(Path elf, int word) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(elf)).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(32);
        int phentsize = b.getShort(54) & 0xffff;
        for (int k = 0; k < (b.getShort(56) & 0xffff); k++) {
            int ph = (int) (phoff + (long) k * phentsize);
            if (b.getInt(ph) != 1) {
                continue;
            }
            long offset = b.getLong(ph + 8);
            long vaddr = b.getLong(ph + 16);
            long filesz = b.getLong(ph + 32);
            for (long o = 0; o + 4 <= filesz; o += 2) {
                if (b.getInt((int) (offset + o)) == word) {
                    return vaddr + o;
                }
            }
        }
        throw new AssertionError("word not found");
    }

    private static long elfEntry(Path elf) throws IOException {
        byte[] h = Files.readAllBytes(elf);
        return ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN).getLong(24);
    }
}
