package dev.rewind.emulator;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.junit.Assume.assumeTrue;

import dev.rewind.emulator.reference.QemuReference;
import dev.rewind.emulator.reference.QemuRun;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The CFI flash banks with files behind them, against QEMU 7.2 with the same file as
 * {@code -drive if=pflash,unit=1} (the command set itself is the pflash guest's, compared
 * instruction by instruction in {@link MatchesQemuInstructionByInstructionTest}).
 */
public class CfiFlashTest {

    private Path dir;

    @Before
    public void makeDir() throws IOException {
        dir = Files.createTempDirectory("rewind-flash");
    }

    @After
    public void removeDir() throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    /** 64 KiB of a counting pattern, a marker in the last page, 0xff elsewhere. */
    private Path patternFile(String name) throws IOException {
        byte[] b = new byte[(int) FlashImage.BANK_SIZE];
        Arrays.fill(b, (byte) 0xff);
        ByteBuffer w = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 0x10000; i += 4) {
            w.putInt(i, (int) (i * 2654435761L));
        }
        byte[] marker = "rewind flash end".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(marker, 0, b, 0x1fff000, marker.length);
        Path f = dir.resolve(name);
        Files.write(f, b);
        return f;
    }

    private static String runGuest(FlashImage bank1) throws Exception {
        ByteArrayOutputStream uart = new ByteArrayOutputStream();
        VirtMachine m = new VirtMachine(MachineConfig.builder().uartOut(uart).pflash(null, bank1).build());
        m.load(ElfImage.read(Guests.elf("pflash")));
        assertEquals(StopReason.EXIT, m.run(50_000_000));
        assertEquals(uart.toString(StandardCharsets.UTF_8), 0, m.exitCode());
        return uart.toString(StandardCharsets.UTF_8);
    }

    @Test
    public void aFlashFileStartsTheBankAndTakesTheGuestsWritesAsOnQemu() throws Exception {
        assumeTrue("qemu-system-riscv64 not installed", QemuReference.qemuAvailable());
        Path ours = patternFile("ours.img");
        Path theirs = patternFile("theirs.img");
        Path elf = Guests.elf("pflash");
        // -bios: with a pflash1 drive QEMU 7.2 hands -kernel to the firmware through fw_cfg instead of loading it.
        QemuRun q = new QemuReference(Guests.repoRoot()).runMachine(List.of("-bios", elf.toString(),
                "-drive", "if=pflash,format=raw,unit=1,file=" + theirs), new byte[0], Duration.ofSeconds(60));
        String out;
        try (FlashImage image = FlashImage.writeThrough(ours)) {
            out = runGuest(image);
            assertEquals(null, image.writeError());
        }
        assertEquals("UART output", q.uart(), out);
        assertTrue(out, out.contains("ALL") && !out.contains("sum bank 1, first 64 KiB: 0x0000000000000000"));
        assertArrayEquals("the file after the run", Files.readAllBytes(theirs), Files.readAllBytes(ours));
        assertTrue("the guest's writes reached the file", !Arrays.equals(Files.readAllBytes(patternFile("fresh.img")),
                Files.readAllBytes(ours)));
    }

    @Test
    public void aReadImageRunsTheSameButNeverWritesItsFile() throws Exception {
        Path f = patternFile("read.img");
        Path g = patternFile("through.img");
        byte[] before = Files.readAllBytes(f);
        String viaRead;
        String viaWriteThrough;
        try (FlashImage image = FlashImage.read(f)) {
            viaRead = runGuest(image);
            assertTrue(image.sha256Hex().matches("[0-9a-f]{64}"));
        }
        try (FlashImage image = FlashImage.writeThrough(g)) {
            viaWriteThrough = runGuest(image);
        }
        assertEquals(viaWriteThrough, viaRead);
        assertArrayEquals(before, Files.readAllBytes(f));
    }

    @Test
    public void restoringAStateBringsBackTheBanksAsTheyWere() throws Exception {
        Path f = patternFile("snap.img");
        try (FlashImage image = FlashImage.read(f)) {
            VirtMachine m = new VirtMachine(MachineConfig.builder().pflash(image, image).build());
            m.load(ElfImage.read(Guests.elf("pflash")));
            MachineState start = m.saveState();
            assertEquals(StopReason.EXIT, m.run(50_000_000));
            MachineState end = m.saveState();
            String endDigest = m.digestHex();
            assertTrue("the guest changed both banks: the end state carries their pages",
                    end.devices().get("flash0").length > 4096 && end.devices().get("flash1").length > 4096);

            m.restoreState(start);
            assertEquals(start.digestHex(), m.digestHex());
            assertEquals(StopReason.EXIT, m.run(50_000_000));
            assertEquals("a second run from the restored start ends in the same state", endDigest, m.digestHex());

            VirtMachine other = new VirtMachine(MachineConfig.builder().pflash(image, image).build());
            other.load(ElfImage.read(Guests.elf("pflash")));
            other.restoreState(MachineState.decode(end.encode()));
            assertEquals(endDigest, other.digestHex());
        }
    }

    @Test
    public void untouchedBanksCostAlmostNothingInAState() throws Exception {
        VirtMachine m = new VirtMachine(MachineConfig.builder().build());
        m.load(ElfImage.read(Guests.elf("rv64i")));
        MachineState s = m.saveState();
        assertTrue(s.devices().get("flash0").length < 64);
        assertTrue(s.devices().get("flash1").length < 64);
    }

    @Test
    public void aFileOfTheWrongSizeIsRefusedWithItsSize() throws Exception {
        Path small = dir.resolve("small.img");
        Files.write(small, new byte[1 << 20]);
        try {
            FlashImage.read(small);
            fail("a 1 MiB flash file was accepted");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(small.toString()) && e.getMessage().contains("1048576 bytes")
                    && e.getMessage().contains("33554432"));
        }
        try {
            FlashImage.writeThrough(dir.resolve("missing.img"));
            fail("a missing flash file was accepted");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("missing.img"));
        }
    }

    @Test
    public void moreThanTwoBanksAreRefused() {
        try {
            MachineConfig.builder().pflash(null, null, null);
            fail("three flash banks accepted");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("2 flash banks"));
        }
    }

    /**
     * Firmware in flash bank 0, run from there: QEMU 7.2 jumps to 0x2000_0000 when bank 0 has a
     * file and there is no -bios. The program prints from flash, calls a compressed routine
     * there, sums its own first 64 bytes through data loads (the CFI device), programs a word of
     * bank 1 and exits through the finisher.
     */
    private static final String FLASH_FIRMWARE = """
            .section .text
            .globl _start
            _start:
                la a0, msg
                call puts
                la a1, _start
                li a2, 0
                li a3, 16
            1:  lw t0, 0(a1)
                add a2, a2, t0
                addi a1, a1, 4
                addi a3, a3, -1
                bnez a3, 1b
                call puthex
                li t0, 0x22000000
                li t1, 0x40
                sw t1, 0(t0)
                li t1, 0x12345678
                sw t1, 0(t0)
                li t1, 0xff
                sw t1, 0(t0)
                lw a2, 0(t0)
                call puthex
                li t0, 0x100000
                li t1, 0x5555
                sw t1, 0(t0)
            2:  j 2b
            puts:
                li t0, 0x10000000
            3:  lbu t1, 0(a0)
                beqz t1, 4f
                sb t1, 0(t0)
                addi a0, a0, 1
                j 3b
            4:  ret
            puthex:
                li t0, 0x10000000
                li t2, 60
            5:  srl t1, a2, t2
                andi t1, t1, 15
                addi t1, t1, 48
                li t3, 58
                blt t1, t3, 6f
                addi t1, t1, 39
            6:  sb t1, 0(t0)
                addi t2, t2, -4
                bgez t2, 5b
                li t1, 10
                sb t1, 0(t0)
                ret
            msg: .asciz "running from flash\\n"
            """;

    /** The firmware above as a 32 MiB flash image (code at offset 0, the rest erased). */
    private Path flashFirmware(String name) throws Exception {
        Path src = dir.resolve("fw.S");
        Path elf = dir.resolve("fw.elf");
        Path bin = dir.resolve("fw.bin");
        Files.writeString(src, FLASH_FIRMWARE);
        exec("riscv64-unknown-elf-gcc", "-march=rv64imac", "-mabi=lp64", "-nostdlib", "-Wl,-Ttext=0x20000000",
                "-Wl,--no-warn-rwx-segments", "-o", elf.toString(), src.toString());
        exec("riscv64-unknown-elf-objcopy", "-O", "binary", elf.toString(), bin.toString());
        byte[] image = new byte[(int) FlashImage.BANK_SIZE];
        Arrays.fill(image, (byte) 0xff);
        byte[] code = Files.readAllBytes(bin);
        System.arraycopy(code, 0, image, 0, code.length);
        Path f = dir.resolve(name);
        Files.write(f, image);
        return f;
    }

    private void exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(String.join(" ", cmd) + "\n" + out, 0, p.waitFor());
    }

    @Test
    public void firmwareInFlashBank0RunsFromThereAsOnQemu() throws Exception {
        assumeTrue("qemu-system-riscv64 not installed", QemuReference.qemuAvailable());
        Path ours = flashFirmware("ours.img");
        Path theirs = Files.copy(ours, dir.resolve("theirs.img"));
        QemuRun q = new QemuReference(Guests.repoRoot()).runMachine(List.of("-bios", "none",
                "-drive", "if=pflash,format=raw,unit=0,file=" + theirs), new byte[0], Duration.ofSeconds(60));
        ByteArrayOutputStream uart = new ByteArrayOutputStream();
        try (FlashImage image = FlashImage.read(ours)) {
            VirtMachine m = new VirtMachine(MachineConfig.builder().uartOut(uart).pflash(image).build());
            m.boot(new BootFiles(null, null, null, null, null, List.of(ours)));
            assertEquals(StopReason.EXIT, m.run(1_000_000));
            assertEquals(0, m.exitCode());
        }
        String out = uart.toString(StandardCharsets.UTF_8);
        assertTrue(out, out.startsWith("running from flash\n"));
        assertEquals("UART output", q.uart(), out);
        assertEquals(0, q.exitCode());
    }

}
