package dev.rewind.emulator;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.junit.Assume.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.After;
import org.junit.Test;

import dev.rewind.emulator.reference.QemuReference;

/**
 * QEMU 7.2's boot protocol ({@code -bios}, {@code -kernel}, {@code -initrd}, {@code -append},
 * {@code -dtb}): where each file lands, what the reset ROM hands over, what /chosen says (checked
 * against QEMU's own {@code dumpdtb} for the same arguments), and one-line refusals of boot files
 * that cannot work, which leave the machine untouched.
 */
public class BootProtocolTest {

    private final Path dir;

    public BootProtocolTest() throws IOException {
        dir = Files.createTempDirectory("rewind-boot");
    }

    @After
    public void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    private Path file(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    private static VirtMachine machine(long ram) {
        return new VirtMachine(MachineConfig.builder().ramSize(ram).uartOut(new ByteArrayOutputStream()).build());
    }

    private static long romLong(VirtMachine m, long addr) {
        byte[] b = new byte[8];
        m.readMemory(addr, b, 0, 8);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** A RISC-V Linux Image: the 64-byte header (code0/1, text_offset, image_size, magic, magic2) and a body. */
    static byte[] linuxImage(int fileSize, long imageSize) {
        ByteBuffer b = ByteBuffer.allocate(fileSize).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0x0000006f); // j . (never run here)
        b.putLong(8, 0x200000).putLong(16, imageSize).putInt(32, 2);
        b.putLong(48, 0x5643534952L).putInt(56, 0x05435352);
        return b.array();
    }

    @Test
    public void theResetRomHandsFirmwareTheHartIdTheFdtAndFwDynamicInfoForTheKernel() throws Exception {
        VirtMachine m = machine(128L << 20);
        m.boot(new BootFiles(RealFirmware.require(RealFirmware.FW_DYNAMIC_BIN), RealFirmware.require(RealFirmware.UBOOT_S_BIN),
                null, null, null));
        assertEquals(StopReason.LIMIT, m.run(6));
        assertEquals(0x8000_0000L, m.pc());
        assertEquals(0, m.reg(10));
        assertEquals(0x87e0_0000L, m.reg(11));
        assertEquals(0x1028, m.reg(12));
        assertEquals("magic 'OSBI'", 0x4942534fL, romLong(m, 0x1028));
        assertEquals("version", 2, romLong(m, 0x1030));
        assertEquals("next_addr: the firmware's end rounded up to 2 MiB", 0x8020_0000L, romLong(m, 0x1038));
        assertEquals("next_mode S", 1, romLong(m, 0x1040));
        assertEquals("options", 0, romLong(m, 0x1048));
        assertEquals("boot_hart", 0, romLong(m, 0x1050));
        byte[] uboot = Files.readAllBytes(RealFirmware.UBOOT_S_BIN);
        byte[] placed = new byte[64];
        m.readMemory(0x8020_0000L, placed, 0, 64);
        assertArrayEquals(java.util.Arrays.copyOf(uboot, 64), placed);
    }

    @Test
    public void anElfKernelWithoutFirmwareIsEnteredAtTheStartOfRamWithItsLowestAddressAsNextAddr() throws Exception {
        VirtMachine m = machine(128L << 20);
        m.boot(BootFiles.program(Guests.elf("echo")));
        m.run(6);
        assertEquals(0x8000_0000L, m.pc());
        assertEquals(0x8000_0000L, romLong(m, 0x1038));
    }

    @Test
    public void chosenAndPlacementEqualQemusForTheSameArguments() throws Exception {
        assumeTrue("qemu-system-riscv64 not installed", QemuReference.qemuAvailable());
        Path initrd = file("initrd.img", new byte[100_000]);
        Path echo = Guests.elf("echo");
        record Case(long ram, BootFiles files, List<String> qemuArgs) {
        }
        List<Case> cases = new ArrayList<>();
        cases.add(new Case(128L << 20, new BootFiles(null, echo, initrd, "console=ttyS0 quiet", null),
                List.of("-kernel", echo.toString(), "-initrd", initrd.toString(), "-append", "console=ttyS0 quiet")));
        if (Files.isRegularFile(RealFirmware.FW_JUMP_ELF) && Files.isRegularFile(RealFirmware.UBOOT_S_BIN)) {
            cases.add(new Case(128L << 20, new BootFiles(RealFirmware.FW_JUMP_ELF, RealFirmware.UBOOT_S_BIN, initrd, null, null),
                    List.of("-bios", RealFirmware.FW_JUMP_ELF.toString(), "-kernel", RealFirmware.UBOOT_S_BIN.toString(),
                            "-initrd", initrd.toString())));
            cases.add(new Case(512L << 20, new BootFiles(RealFirmware.FW_DYNAMIC_BIN, RealFirmware.UBOOT_S_BIN, initrd, "a=b", null),
                    List.of("-m", "512M", "-bios", RealFirmware.FW_DYNAMIC_BIN.toString(), "-kernel",
                            RealFirmware.UBOOT_S_BIN.toString(), "-initrd", initrd.toString(), "-append", "a=b")));
        }
        QemuReference qemu = new QemuReference();
        for (Case c : cases) {
            VirtMachine m = machine(c.ram());
            m.boot(c.files());
            FdtNode ours = FdtNode.parse(m.deviceTree()).find("chosen").orElseThrow();
            List<String> args = new ArrayList<>(QemuReference.RV64IMAC_CPU);
            args.addAll(c.qemuArgs());
            FdtNode theirs = FdtNode.parse(qemu.deviceTree(args)).find("chosen").orElseThrow();
            for (String prop : List.of("bootargs", "linux,initrd-start", "linux,initrd-end", "stdout-path")) {
                assertArrayEquals(c.qemuArgs() + ": /chosen/" + prop, theirs.prop(prop), ours.prop(prop));
            }
        }
    }

    @Test
    public void aLinuxImageGoesToTheFirmwaresEndAndItsHeaderSizeIsItsExtent() throws Exception {
        Path image = file("Image", linuxImage(4096, 0x500_0000));
        Path fw = file("fw.bin", new byte[70_000]);
        VirtMachine m = machine(256L << 20);
        m.boot(new BootFiles(fw, image, null, null, null));
        assertEquals(0x8020_0000L, romLong(m, 0x1038));
        // 80 MiB of kernel (bss included) reach past where a 128 MiB machine puts the initrd.
        Path initrd = file("initrd", new byte[1000]);
        String msg = refusal(128L << 20, new BootFiles(fw, image, initrd, null, null));
        assertTrue(msg, msg.matches("initrd .*initrd \\[0x84200000, 0x842003e8\\) overlaps kernel .*Image \\[0x80200000, 0x85200000\\)"));
    }

    @Test
    public void aUserDtbGetsBootargsAndIsPlacedByQemusRule() throws Exception {
        FdtNode tree = new FdtNode("");
        tree.cells("#address-cells", 2).cells("#size-cells", 2).child("memory@80000000").str("device_type", "memory");
        Path dtb = file("my.dtb", tree.flatten());
        VirtMachine m = machine(128L << 20);
        m.boot(new BootFiles(null, Guests.elf("echo"), null, "root=/dev/vda", dtb));
        FdtNode passed = FdtNode.parse(m.deviceTree());
        assertEquals(List.of("root=/dev/vda"), passed.find("chosen").orElseThrow().strings("bootargs"));
        assertTrue(passed.find("memory@80000000").isPresent());
        m.run(6);
        assertEquals(0x87e0_0000L, m.reg(11));
    }

    private String refusal(long ram, BootFiles files) throws Exception {
        VirtMachine m = machine(ram);
        try {
            m.boot(files);
            fail("booted " + files);
            return null;
        } catch (BootException e) {
            assertFalse(e.getMessage(), e.getMessage().contains("\n"));
            assertEquals("a refused boot leaves the machine at reset", 0x1000, m.pc());
            assertEquals(0, m.icount());
            assertEquals(0, m.deviceTree().length);
            return e.getMessage();
        }
    }

    @Test
    public void aKernelOverlappingTheFirmwareIsRefusedNamingBothRanges() throws Exception {
        Path bios = Guests.elf("echo");
        Path kernel = Guests.elf("timer");
        String msg = refusal(128L << 20, new BootFiles(bios, kernel, null, null, null));
        assertTrue(msg, msg.startsWith("kernel " + kernel + " [0x80000000, 0x"));
        assertTrue(msg, msg.contains(" overlaps bios " + bios + " [0x80000000, 0x"));
    }

    @Test
    public void anInitrdThatDoesNotFitInRamIsRefusedWithItsAddresses() throws Exception {
        Path initrd = file("big.initrd", new byte[9 << 20]);
        String msg = refusal(16L << 20, new BootFiles(null, Guests.elf("echo"), initrd, null, null));
        assertEquals("initrd " + initrd + " (9437184 bytes) at 0x80800000 does not fit in RAM [0x80000000, 0x81000000):"
                + " it would end at 0x81100000", msg);
    }

    @Test
    public void unrecognisedKernelFormatsAreRefused() throws Exception {
        Path gz = file("Image.gz", new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0});
        assertTrue(refusal(128L << 20, new BootFiles(null, gz, null, null, null)).startsWith("kernel " + gz
                + ": unrecognised kernel format: gzip-compressed data"));
        byte[] x86 = new byte[64];
        x86[0] = 0x7f;
        x86[1] = 'E';
        x86[2] = 'L';
        x86[3] = 'F';
        x86[4] = 2;
        x86[5] = 1;
        x86[16] = 2;
        x86[18] = 62;
        Path elf = file("x86.elf", x86);
        String msg = refusal(128L << 20, new BootFiles(null, elf, null, null, null));
        assertTrue(msg, msg.startsWith("kernel " + elf + ": unrecognised kernel format: ELF is for machine 62"));
    }

    @Test
    public void aDtbThatDoesNotParseIsRefused() throws Exception {
        Path dtb = file("bad.dtb", "not a tree at all, just text long enough for a header".getBytes());
        String msg = refusal(128L << 20, new BootFiles(null, Guests.elf("echo"), null, null, dtb));
        assertTrue(msg, msg.startsWith("dtb " + dtb + ": not a device tree blob: bad magic 0x6e6f7420"));
    }

    @Test
    public void aMissingFileIsRefusedNamingIt() throws Exception {
        Path missing = dir.resolve("no-such-fw.bin");
        assertEquals("bios " + missing + ": no such file",
                refusal(128L << 20, new BootFiles(missing, Guests.elf("echo"), null, null, null)));
        assertEquals("initrd " + missing + ": no such file",
                refusal(128L << 20, new BootFiles(null, Guests.elf("echo"), missing, null, null)));
    }

    @Test
    public void anInitrdOrCommandLineWithoutAKernelIsRefused() throws Exception {
        Path fw = file("fw.bin", new byte[16]);
        assertTrue(refusal(128L << 20, new BootFiles(fw, null, fw, null, null)).contains("without a kernel"));
        assertTrue(refusal(128L << 20, new BootFiles(fw, null, null, "quiet", null)).contains("without a kernel"));
    }
}
