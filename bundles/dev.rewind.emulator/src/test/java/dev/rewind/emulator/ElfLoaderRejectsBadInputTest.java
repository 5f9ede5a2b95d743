package dev.rewind.emulator;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.Test;

public class ElfLoaderRejectsBadInputTest {

    private static String rejection(byte[] bytes) {
        try {
            VirtMachine m = new VirtMachine(MachineConfig.builder().build());
            m.load(ElfImage.parse(bytes));
        } catch (ElfFormatException e) {
            return e.getMessage();
        }
        fail("accepted bad input");
        return null;
    }

    private static byte[] good() throws Exception {
        return Files.readAllBytes(Guests.elf("rv64i"));
    }

    @Test
    public void aShellScriptOrEmptyFileIsNotAnElf() {
        assertTrue(rejection("#!/bin/sh\necho hi\n".getBytes()).contains("not an ELF"));
        assertTrue(rejection(new byte[0]).contains("not an ELF"));
    }

    @Test
    public void truncatedHeadersAndSegmentsAreRejected() throws Exception {
        byte[] elf = good();
        assertTrue(rejection(Arrays.copyOf(elf, 40)).contains("truncated"));
        assertTrue(rejection(Arrays.copyOf(elf, 200)).contains("truncated"));
        assertTrue(rejection(Arrays.copyOf(elf, elf.length / 2)).contains("truncated"));
    }

    @Test
    public void anotherMachineOrClassIsRejected() throws Exception {
        byte[] elf = good();
        ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putShort(18, (short) 62); // EM_X86_64
        assertTrue(rejection(elf).contains("not RISC-V"));
        byte[] elf32 = good();
        elf32[4] = 1;
        assertTrue(rejection(elf32).contains("not a 64-bit"));
        Path host = Path.of("/bin/true");
        if (Files.exists(host)) {
            assertTrue(rejection(Files.readAllBytes(host)).contains("not RISC-V"));
        }
    }

    @Test
    public void aSegmentOutsideRamIsRejected() throws Exception {
        byte[] elf = good();
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(32);
        int phentsize = b.getShort(54);
        for (int i = 0; i < b.getShort(56); i++) {
            int p = (int) (phoff + (long) i * phentsize);
            if (b.getInt(p) == 1) {
                b.putLong(p + 24, 0x4000_0000L);
                break;
            }
        }
        String msg = rejection(elf);
        assertTrue(msg, msg.contains("outside RAM") && msg.contains("0x40000000"));
    }

    @Test
    public void aMissingFileIsReportedAsNoSuchFile() {
        try {
            ElfImage.read(Path.of("/nonexistent/prog.elf"));
            fail();
        } catch (ElfFormatException e) {
            assertTrue(e.getMessage().contains("no such file"));
        } catch (Exception e) {
            fail(e.toString());
        }
    }

    @Test
    public void symbolsAreKept() throws Exception {
        ElfImage elf = ElfImage.parse(good());
        assertTrue(elf.symbol("main").isPresent());
        assertEquals(0x8000_0000L, (long) elf.symbol("_start").orElseThrow());
    }

    @Test
    public void jumpToUnmappedMemoryIsAGuestAccessFault() throws Exception {
        // mtvec points at a handler that exits with mcause as the code; jump to nowhere.
        ElfImage elf = Guests.assemble(
                "la t0, handler\n csrw mtvec, t0\n li t1, 0x40000000\n jr t1\n"
                + ".align 2\nhandler:\n csrr a0, mcause\n csrr a1, mtval\n li t2, 0x40000000\n bne a1, t2, fail\n"
                + " li t2, 1\n bne a0, t2, fail\n j pass\n");
        VirtMachine m = Guests.machine(elf, new java.io.ByteArrayOutputStream());
        assertEquals(StopReason.EXIT, m.run(1000));
        assertEquals(0, m.exitCode());
    }
}
