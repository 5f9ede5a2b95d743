package dev.rewind.cli;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.After;
import org.junit.Test;

/**
 * {@code --bios/--kernel/--initrd/--append/--dtb/--dumpdtb/--pflash/--smp} of run, record and gdbserver:
 * bad boot files are one line naming the file and the addresses, exit status 2, and nothing
 * starts (no guest output, no recording); {@code --dumpdtb} writes the tree and runs nothing.
 * {@code run} writes the guest's flash changes back to the {@code --pflash} file as QEMU does,
 * {@code record} and {@code replay} never write it (the pflash guest programs bank 1 at offset
 * 8 and at its last word).
 */
public class BootOptionsTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Path dir;

    public BootOptionsTest() throws IOException {
        dir = Files.createTempDirectory("rewind-boot-cli");
    }

    @After
    public void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    private int rewind(String... args) {
        out.reset();
        err.reset();
        Console console = new Console(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Main(CommandCatalog.standard()).run(args, console);
    }

    private String oneLineError() {
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(e, 1, e.strip().split("\n").length);
        assertFalse(e, e.contains("Exception"));
        assertEquals("nothing ran", "", out.toString(StandardCharsets.UTF_8));
        return e.strip();
    }

    private void refusedByEveryVerb(String expected, String... bootArgs) throws Exception {
        Path log = dir.resolve("never.rrlog");
        String[][] verbs = {{"run"}, {"record", "--rrfile", log.toString()}, {"gdbserver", "--listen", "0"}};
        for (String[] verb : verbs) {
            String[] args = new String[verb.length + bootArgs.length];
            System.arraycopy(verb, 0, args, 0, verb.length);
            System.arraycopy(bootArgs, 0, args, verb.length, bootArgs.length);
            assertEquals(String.join(" ", args), 2, rewind(args));
            String e = oneLineError();
            assertTrue(verb[0] + ": " + e, e.startsWith("rewind " + verb[0] + ": ") && e.contains(expected));
        }
        assertFalse("a refused recording writes no log", Files.exists(log));
    }

    @Test
    public void aKernelOverlappingTheFirmwareIsRefusedNamingBothRanges() throws Exception {
        String bios = RunCommandTest.guest("echo");
        String kernel = RunCommandTest.guest("timer");
        refusedByEveryVerb("kernel " + kernel + " [0x80000000, 0x", "--bios", bios, "--kernel", kernel);
        assertTrue(err.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8).contains("overlaps bios " + bios
                + " [0x80000000, 0x"));
    }

    @Test
    public void anInitrdThatDoesNotFitInRamIsRefusedWithItsAddresses() throws Exception {
        Path initrd = dir.resolve("big.cpio");
        Files.write(initrd, new byte[9 << 20]);
        refusedByEveryVerb("initrd " + initrd + " (9437184 bytes) at 0x80800000 does not fit in RAM [0x80000000, 0x81000000)",
                RunCommandTest.guest("echo"), "--ram", "16M", "--initrd", initrd.toString());
    }

    @Test
    public void anUnrecognisedKernelFormatIsRefused() throws Exception {
        Path gz = dir.resolve("Image.gz");
        Files.write(gz, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3});
        refusedByEveryVerb("kernel " + gz + ": unrecognised kernel format: gzip-compressed data", "--bios", "none",
                "--kernel", gz.toString());
    }

    @Test
    public void aDtbThatDoesNotParseIsRefused() throws Exception {
        Path dtb = dir.resolve("broken.dtb");
        Files.write(dtb, new byte[64]);
        refusedByEveryVerb("dtb " + dtb + ": not a device tree blob: bad magic 0x00000000", RunCommandTest.guest("echo"),
                "--dtb", dtb.toString());
    }

    @Test
    public void aMissingBootFileIsRefusedNamingIt() throws Exception {
        Path missing = dir.resolve("fw_missing.bin");
        refusedByEveryVerb("bios " + missing + ": no such file", "--bios", missing.toString(), "--kernel",
                RunCommandTest.guest("echo"));
    }

    @Test
    public void aProgramAndAKernelTogetherAreRefused() throws Exception {
        assertEquals(2, rewind("run", RunCommandTest.guest("echo"), "--kernel", RunCommandTest.guest("timer")));
        assertTrue(oneLineError().contains("not both"));
    }

    @Test
    public void dumpdtbWritesTheTreeTheGuestWouldGetAndRunsNothing() throws Exception {
        Path dtb = dir.resolve("virt.dtb");
        assertEquals(0, rewind("run", "--dumpdtb", dtb.toString(), RunCommandTest.guest("echo"), "--append", "console=ttyS0"));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        byte[] blob = Files.readAllBytes(dtb);
        assertEquals(0xd00dfeed, ByteBuffer.wrap(blob).getInt(0));
        assertEquals(blob.length, ByteBuffer.wrap(blob).getInt(4));
        assertTrue(new String(blob, StandardCharsets.ISO_8859_1).contains("console=ttyS0"));
    }

    @Test
    public void aRecordingNamesItsBootFilesAndInfoShowsThem() throws Exception {
        Path log = dir.resolve("fw.rrlog");
        String kernel = RunCommandTest.guest("rv64i");
        assertEquals(0, rewind("record", "--rrfile", log.toString(), "--bios", "none", "--kernel", kernel,
                "--append", "console=ttyS0"));
        assertEquals(0, rewind("info", log.toString()));
        String info = out.toString(StandardCharsets.UTF_8);
        assertTrue(info, info.contains("boot files:\n  bios    none\n  kernel  " + Path.of(kernel).toAbsolutePath() + " (sha256 "));
        assertTrue(info, info.contains("  append  console=ttyS0\n"));
        assertTrue(info, info.contains("machine:        virt, rv64imafdc_zicsr_zifencei, "));
        assertEquals(0, rewind("replay", log.toString()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("CHECKS PASSED"));
    }

    @Test
    public void firmwareAloneBootsFromTheStartOfRam() throws Exception {
        assertEquals(0, rewind("run", "--bios", RunCommandTest.guest("rv64i")));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("CHECKS PASSED"));
    }

    private Path erasedFlashBank(String name) throws IOException {
        Path f = dir.resolve(name);
        byte[] b = new byte[32 << 20];
        java.util.Arrays.fill(b, (byte) 0xff);
        Files.write(f, b);
        return f;
    }

    private static int word(byte[] bank, int offset) {
        return ByteBuffer.wrap(bank).order(ByteOrder.LITTLE_ENDIAN).getInt(offset);
    }

    @Test
    public void runWritesTheGuestsFlashChangesBackToTheFile() throws Exception {
        Path bank1 = erasedFlashBank("bank1.img");
        // With a pflash1 file QEMU 7.2 hands -kernel to the firmware through fw_cfg: the guest boots as -bios.
        assertEquals(err.toString(), 0, rewind("run", "--bios", RunCommandTest.guest("pflash"), "--pflash", "none",
                "--pflash", bank1.toString()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("CHECKS PASSED"));
        byte[] b = Files.readAllBytes(bank1);
        assertEquals(0xcafef00d, word(b, 8));
        assertEquals(0x600df00d, word(b, 0x1fffffc));
        assertEquals(-1, word(b, 0x1000));
    }

    @Test
    public void recordLeavesTheFlashFileAndReplayStartsFromItOrRefusesAChangedOne() throws Exception {
        Path bank1 = erasedFlashBank("bank1.img");
        byte[] before = Files.readAllBytes(bank1);
        Path log = dir.resolve("run.rrlog");
        assertEquals(err.toString(), 0, rewind("record", "--bios", RunCommandTest.guest("pflash"), "--pflash", "none",
                "--pflash", bank1.toString(), "--rrfile", log.toString()));
        String recorded = out.toString(StandardCharsets.UTF_8);
        assertTrue(recorded, recorded.contains("CHECKS PASSED"));
        assertArrayEquals("record never writes the flash file", before, Files.readAllBytes(bank1));

        assertEquals(0, rewind("info", log.toString()));
        assertTrue(out.toString(StandardCharsets.UTF_8), out.toString(StandardCharsets.UTF_8).contains("pflash1"));

        assertEquals(err.toString(), 0, rewind("replay", log.toString()));
        assertEquals(recorded, out.toString(StandardCharsets.UTF_8));
        assertArrayEquals("replay never writes the flash file", before, Files.readAllBytes(bank1));

        byte[] changed = before.clone();
        changed[100] = 0;
        Files.write(bank1, changed);
        assertEquals(2, rewind("replay", log.toString()));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e, e.contains("pflash1") && e.contains(bank1.toString()));
    }

    @Test
    public void aFlashFileOfTheWrongSizeIsRefusedWithItsSize() throws Exception {
        Path small = dir.resolve("small.img");
        Files.write(small, new byte[4096]);
        refusedByEveryVerb("pflash " + small + ": 4096 bytes; a virt flash bank is exactly 33554432 bytes", "--bios",
                RunCommandTest.guest("pflash"), "--pflash", small.toString());
    }

    @Test
    public void aMissingFlashFileIsRefusedNamingIt() throws Exception {
        Path missing = dir.resolve("missing.img");
        refusedByEveryVerb("pflash " + missing + " does not exist", "--bios", RunCommandTest.guest("pflash"), "--pflash",
                missing.toString());
    }

    @Test
    public void aThirdFlashBankIsRefused() throws Exception {
        refusedByEveryVerb("the virt machine has 2 flash banks", "--bios", RunCommandTest.guest("pflash"), "--pflash", "none",
                "--pflash", "none", "--pflash", "none");
    }

    @Test
    public void aHartCountOutsideOneToEightIsOneLineAndNothingRuns() throws Exception {
        for (String n : new String[] {"0", "9", "two"}) {
            refusedByEveryVerb("--smp must be between 1 and 8, got " + n, RunCommandTest.guest("smp"), "--smp", n);
            assertEquals(2, rewind("replay", dir.resolve("never.rrlog").toString(), "--smp", n));
            assertTrue(oneLineError().contains("--smp must be between 1 and 8, got " + n));
        }
    }

    @Test
    public void aFourHartRecordingReplaysItsTotalsAndRefusesAnotherHartCountNamingTheSetting() throws Exception {
        Path log = dir.resolve("smp4.rrlog");
        assertEquals(0, rewind("record", "--rrfile", log.toString(), "--smp", "4", RunCommandTest.guest("smp")));
        String recorded = out.toString(StandardCharsets.UTF_8);
        assertTrue(recorded, recorded.startsWith("harts 4 amo 8000 lrsc 8000 token 250 ipis 100\n"));
        assertEquals(0, rewind("info", log.toString()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains(", 4 harts, "));
        assertEquals(0, rewind("replay", log.toString(), "--smp", "4"));
        assertEquals(recorded, out.toString(StandardCharsets.UTF_8));

        String[][] others = {{"replay", log.toString(), "--smp", "2"}, {"gdbserver", "--replay", log.toString(), "--smp", "2",
                "--listen", "0"}};
        for (String[] args : others) {
            assertEquals(String.join(" ", args), 2, rewind(args));
            assertEquals("rewind " + args[0] + ": harts (--smp): the recording used 4, --smp asks for 2 (a replay runs on the"
                    + " recorded machine; drop --smp)", oneLineError());
        }
    }

    @Test
    public void aBadRtcSettingIsOneLineNamingTheOptionAndNothingRuns() throws Exception {
        refusedByEveryVerb("--rtc clock=wall: clock='wall' is invalid: use clock=host or clock=vm", RunCommandTest.guest("rtc"),
                "--rtc", "clock=wall");
        refusedByEveryVerb("--rtc base=2026-02-30: base='2026-02-30' is neither utc, localtime nor a valid date: valid"
                + " formats are '2006-06-17T16:01:21' and '2006-06-17'", RunCommandTest.guest("rtc"), "--rtc", "base=2026-02-30");
        assertEquals(2, rewind("replay", dir.resolve("never.rrlog").toString(), "--rtc", "speed=2"));
        assertTrue(oneLineError().contains("--rtc speed=2: invalid parameter 'speed'"));
        assertEquals(2, rewind("record", "--rrfile", dir.resolve("local.rrlog").toString(), "--rtc", "base=localtime",
                RunCommandTest.guest("rtc")));
        assertTrue(oneLineError().contains("-rtc base=localtime cannot be recorded"));
        assertFalse(Files.exists(dir.resolve("local.rrlog")));
    }

    @Test
    public void aRecordingWithAFixedRtcPrintsTheSameOnEveryVerbAndRefusesAnotherSettingInReplay() throws Exception {
        String rtc = "base=2026-01-01,clock=vm";
        assertEquals(0, rewind("run", "--rtc", rtc, RunCommandTest.guest("rtc")));
        String ran = out.toString(StandardCharsets.UTF_8);
        assertTrue(ran, ran.startsWith("start 0x18867251edfa00"));
        Path log = dir.resolve("rtc.rrlog");
        assertEquals(0, rewind("record", "--rrfile", log.toString(), "--rtc", rtc, RunCommandTest.guest("rtc")));
        assertEquals("record and run print the same values", ran, out.toString(StandardCharsets.UTF_8));
        assertEquals(0, rewind("info", log.toString()));
        assertTrue(out.toString(StandardCharsets.UTF_8), out.toString(StandardCharsets.UTF_8)
                .contains(", rtc base=2026-01-01T00:00:00,clock=vm"));
        assertEquals(0, rewind("replay", log.toString(), "--rtc", "clock=vm,base=2026-01-01T00:00:00"));
        assertEquals(ran, out.toString(StandardCharsets.UTF_8));

        String[][] others = {{"replay", log.toString(), "--rtc", "base=utc"}, {"gdbserver", "--replay", log.toString(),
                "--rtc", "base=utc", "--listen", "0"}};
        for (String[] args : others) {
            assertEquals(String.join(" ", args), 2, rewind(args));
            assertEquals("rewind " + args[0] + ": RTC (--rtc): the recording used base=2026-01-01T00:00:00,clock=vm, --rtc asks"
                    + " for base=utc,clock=host (a replay runs on the recorded machine; drop --rtc)", oneLineError());
        }
    }
}
