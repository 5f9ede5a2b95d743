package dev.rewind.replay;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import dev.rewind.emulator.BootFiles;
import dev.rewind.emulator.StopReason;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Debian's real, unmodified U-Boot at its prompt (M-mode alone; S-mode under OpenSBI fw_jump and
 * fw_dynamic), typed at as a user would: the same keys sent
 * to QEMU 7.2 ({@code -icount shift=0}) at the same prompts give the same console bytes, apart
 * from the lines {@link #EXCLUDED} names; U-Boot's CRC-32 of a file it loaded from an ext4 disk
 * (made by mkfs.ext4, converted to qcow2 by qemu-img) is the host's; the M-mode U-Boot also
 * erases, programs, compares and protects the second CFI flash bank with its own flash driver.
 */
public class UbootPromptScenariosTest {

    /** The file U-Boot loads: 100,000 bytes (0x186a0). */
    static final int DATA_SIZE = 100_000;
    static final long DATA_SEED = 13;
    static final Duration STEP = Duration.ofSeconds(120);

    /** Console lines that may differ from QEMU's, each with the reason. */
    static final List<Exclusion> EXCLUDED = List.of(
            new Exclusion(Pattern.compile("CPU: .*"),
                    "U-Boot prints the device tree's riscv,isa: QEMU's default CPU adds H and"
                            + " Zba/Zbb/Zbc/Zbs/Sstc/Zihintpause, which this hart does not have"),
            new Exclusion(Pattern.compile("Boot HART Base ISA +: .*"),
                    "OpenSBI prints misa: QEMU's default CPU has H (the hypervisor extension) besides IMAFDC"),
            new Exclusion(Pattern.compile("Boot HART ISA Extensions  : .*"),
                    "OpenSBI lists Sstc (stimecmp), which QEMU 7.2's default CPU has and this hart has not"),
            new Exclusion(Pattern.compile("Boot HART MHPM Count      : .*"),
                    "QEMU 7.2's default CPU has 16 programmable counters (OpenSBI finds them writable); here"
                            + " mhpmcounter3-31 read zero"),
            new Exclusion(Pattern.compile("Boot HART MEDELEG         : .*"),
                    "OpenSBI also delegates the hypervisor's exceptions (causes 10, 20-23) when misa has H"),
            new Exclusion(Pattern.compile("Core: .*"),
                    "U-Boot counts the devices it bound from the device tree: QEMU's also has a PCIe host"
                            + " (pci@30000000, not emulated here)"),
            new Exclusion(Pattern.compile("Working FDT set to [0-9a-f]+"),
                    "the S-mode U-Boot moves the device tree just below itself, so its address depends on the"
                            + " tree's size, and QEMU's tree has nodes for devices not emulated here (PCIe, fw-cfg,"
                            + " platform bus, PMU) and a random rng-seed"),
            new Exclusion(Pattern.compile("Hit any key to stop autoboot:  2 \b\b\b 0 ?"),
                    "U-Boot checks for a key once right after the countdown prompt (then it prints '\\b\\b\\b 0') and"
                            + " then in its countdown loop ('\\b\\b\\b 0 '); the key is typed after the prompt is out, yet"
                            + " QEMU's I/O thread sometimes has it in the UART by the first check. Either form is accepted;"
                            + " a countdown that ran on (' 1 ') is not"),
            new Exclusion(Pattern.compile("(\\d+) bytes read in \\d+ ms.*"),
                    "QEMU completes virtio requests on its I/O thread, so the time U-Boot measures for a load depends"
                            + " on the host (0-3 ms seen); the byte count is compared (see assertLoaded)"));

    record Exclusion(Pattern line, String reason) {
    }

    private static Path dir;
    private static Path disk;
    private static byte[] data;

    @BeforeClass
    public static void fixtures() throws Exception {
        assumeTrue("qemu-system-riscv64, qemu-img and mkfs.ext4 are needed (test.sh installs them)",
                FirmwareFixtures.tool(QemuConsole.QEMU) != null && FirmwareFixtures.tool("qemu-img") != null
                        && FirmwareFixtures.tool("mkfs.ext4") != null);
        dir = Files.createTempDirectory("rewind-uboot");
        data = FirmwareFixtures.data(DATA_SIZE, DATA_SEED);
        Path file = dir.resolve("data.bin");
        Files.write(file, data);
        disk = FirmwareFixtures.ext4Qcow2(dir, 4, List.of(file));
    }

    @AfterClass
    public static void removeFixtures() throws Exception {
        if (dir != null) {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * Stops the autoboot countdown at once, then the commands of the scenario; the run ends at
     * the prompt after the last one. The key goes in after the whole countdown prompt is out
     * (see the autoboot exclusion). {@code ownCode} is an address of U-Boot's image for md.q
     * (an S-mode U-Boot may not read OpenSBI's memory).
     */
    static ConsoleScript script(long ownCode) {
        return commands(ownCode).end("\n=> ");
    }

    private static ConsoleScript commands(long ownCode) {
        return new ConsoleScript()
                .then(FirmwareConsole.COUNTDOWN + ":  2 ", "x")
                .then("\n=> ", "version\r")
                .then("\n=> ", String.format("md.q %x 4\r", ownCode))
                .then("\n=> ", "virtio scan\r")
                .then("\n=> ", "virtio info\r")
                .then("\n=> ", "load virtio 0 84000000 data.bin\r")
                .then("\n=> ", String.format("crc32 84000000 %x\r", DATA_SIZE))
                .then("\n=> ", "md.q 84000000 4\r");
    }

    /**
     * The M-mode scenario also writes the second flash bank through U-Boot's CFI driver (erase
     * two 128 KiB sectors, program the first 4 KiB of the loaded file with buffered writes,
     * compare, checksum it there, protect and fail to write) and reads it back.
     */
    static ConsoleScript mmodeScript() {
        return commands(0x80000000L)
                .then("\n=> ", "erase 22000000 +40000\r")
                .then("\n=> ", "cp.b 84000000 22000000 1000\r")
                .then("\n=> ", "cmp.b 84000000 22000000 1000\r")
                .then("\n=> ", "crc32 22000000 1000\r")
                .then("\n=> ", "md.q 22000ff0 4\r")
                .then("\n=> ", "protect on 22000000 +40000\r")
                .then("\n=> ", "cp.b 84000000 22000000 10\r")
                .end("\n=> ");
    }

    /** The disk as QEMU's modern (version 2) virtio-mmio block device in slot 0, as Rewind's. */
    static List<String> qemuDiskArgs(Path qcow2) {
        return List.of("-global", "virtio-mmio.force-legacy=false",
                "-drive", "file=" + qcow2 + ",if=none,format=qcow2,id=disk0",
                "-device", "virtio-blk-device,drive=disk0,bus=virtio-mmio-bus.0");
    }

    /** QEMU's -bios/-kernel arguments for the same boot files. */
    static List<String> qemuBootArgs(BootFiles boot) {
        return List.of("-bios", boot.bios() == null ? "none" : boot.bios().toString(), "-kernel", boot.kernel().toString());
    }

    static String onQemu(BootFiles boot, Path qcow2, ConsoleScript script) throws Exception {
        List<String> args = new ArrayList<>(List.of("-m", "128M", "-icount", "shift=0"));
        args.addAll(qemuBootArgs(boot));
        args.addAll(qemuDiskArgs(qcow2));
        try (QemuConsole q = new QemuConsole(args)) {
            ConsoleScript.Typist t = script.start(q.console(), q::type, 0, 0, STEP, q::stop);
            q.awaitExit(Duration.ofMinutes(3));
            t.finish(Duration.ofSeconds(10));
            return q.console().text();
        }
    }

    /** The console with excluded lines replaced by a marker naming the rule, CR LF kept as they were. */
    static String withExclusions(String console) {
        StringBuilder out = new StringBuilder();
        for (String line : console.split("\n", -1)) {
            String bare = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            for (Exclusion e : EXCLUDED) {
                if (e.line().matcher(bare).matches()) {
                    line = "<excluded " + e.line().pattern() + ">" + (line.endsWith("\r") ? "\r" : "");
                    break;
                }
            }
            out.append(line).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }

    /** Equal texts, or a failure listing the lines that differ (control characters spelled out). */
    static void assertSameConsole(String what, String qemu, String rewind) {
        if (qemu.equals(rewind)) {
            return;
        }
        String[] a = qemu.split("\n", -1);
        String[] b = rewind.split("\n", -1);
        StringBuilder m = new StringBuilder(what + ": lines that differ (QEMU, then Rewind):\n");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "<none>";
            String y = i < b.length ? b[i] : "<none>";
            if (!x.equals(y)) {
                m.append("line ").append(i + 1).append(":\n  ").append(GuestConsole.printable(x)).append("\n  ")
                        .append(GuestConsole.printable(y)).append('\n');
            }
        }
        throw new AssertionError(m + "Rewind's console:\n" + rewind);
    }

    static void assertCrcIsTheHosts(String console) {
        String want = String.format("crc32 for 84000000 ... %08x ==> %08x", 0x84000000L + DATA_SIZE - 1,
                FirmwareFixtures.crc32(data));
        assertTrue("U-Boot's CRC-32 of data.bin is the host's (" + want + "):\n" + console, console.contains(want));
    }

    static void assertLoaded(String console) {
        assertTrue("U-Boot loaded all of data.bin:\n" + console, console.contains("\n" + DATA_SIZE + " bytes read in "));
    }

    /** Safety bound on a recording: U-Boot idles by polling, so a lost key would run forever. */
    static final long MAX_INSTRUCTIONS = 3_000_000_000L;

    /**
     * Records the scenario on Rewind with the script typed live from another thread (each key
     * after a random pause of up to 20 ms once its prompt shows, so input lands at different
     * instructions from run to run), then replays the recording: same console bytes, same final
     * icount, same machine state digest.
     */
    static FirmwareConsole.Recorded onRewind(BootFiles boot, Path qcow2, ConsoleScript script, long seed) throws Exception {
        Path log = dir.resolve("rewind-" + seed + "-" + System.nanoTime() + ".rrlog");
        GuestConsole console = new GuestConsole();
        Keyboard keys = new Keyboard();
        RecordSession.Options o = RecordSession.Options.of(boot, log).withInput(keys, console.sink())
                .withDisk(qcow2, "init");
        FirmwareConsole.Recorded rec;
        try (RecordSession s = RecordSession.start(o)) {
            ConsoleScript.Typist t = script.start(console, keys::type, seed, 20, STEP, s::requestStop);
            RecordSession.Result r = s.run(MAX_INSTRUCTIONS);
            keys.close();
            console.close();
            t.finish(Duration.ofSeconds(10));
            assertEquals("the recording ends when the scenario is over (seed " + seed + "):\n" + console.text(),
                    StopReason.REQUESTED, r.reason());
            rec = new FirmwareConsole.Recorded(r.reason(), r.icount(), console.text(), s.machine().digestHex(), log);
        }
        FirmwareConsole.Replayed rep = FirmwareConsole.replay(log);
        assertEquals(Stop.Kind.HISTORY_END, rep.stop());
        assertEquals("replayed icount (seed " + seed + ")", rec.icount(), rep.icount());
        assertEquals("replayed final state (seed " + seed + ")", rec.digest(), rep.digest());
        assertEquals("replayed console (seed " + seed + ")", rec.console(), rep.console());
        return rec;
    }

    private static String scenario(String name, BootFiles boot, ConsoleScript script) throws Exception {
        String q = onQemu(boot, Files.copy(disk, dir.resolve("qemu-" + name + ".qcow2")), script);
        assertCrcIsTheHosts(q);
        assertLoaded(q);
        long seed = System.nanoTime() % 1000;
        String r = onRewind(boot, Files.copy(disk, dir.resolve("rewind-" + name + ".qcow2")), script, seed).console();
        assertCrcIsTheHosts(r);
        assertLoaded(r);
        assertSameConsole("console bytes, QEMU vs Rewind (seed " + seed + ")", withExclusions(q), withExclusions(r));
        return r;
    }

    @Test
    public void typedCommandsAtTheMmodeUbootPromptPrintWhatQemuPrints() throws Exception {
        String r = scenario("mmode", BootFiles.program(FirmwareConsole.require(FirmwareConsole.UBOOT_M_ELF)), mmodeScript());
        for (String flash : new String[] {"Erased 2 sectors", "Copy to Flash... done", "Total of 4096 byte(s) were the same",
                String.format("crc32 for 22000000 ... 22000fff ==> %08x", FirmwareFixtures.crc32(java.util.Arrays.copyOf(data, 4096))),
                "Protected 2 sectors", "Can't write to protected Flash sectors"}) {
            assertTrue("U-Boot's flash commands: " + flash + " in\n" + r, r.contains(flash));
        }
    }

    @Test
    public void typedCommandsAtTheUbootPromptUnderOpenSbiFwJumpPrintWhatQemuPrints() throws Exception {
        scenario("fw_jump", new BootFiles(FirmwareConsole.require(FirmwareConsole.FW_JUMP_ELF),
                FirmwareConsole.require(FirmwareConsole.UBOOT_S_BIN), null, null, null), script(0x80200000L));
    }

    @Test
    public void typedCommandsAtTheUbootPromptUnderOpenSbiFwDynamicPrintWhatQemuPrints() throws Exception {
        scenario("fw_dynamic", new BootFiles(FirmwareConsole.require(FirmwareConsole.FW_DYNAMIC_BIN),
                FirmwareConsole.require(FirmwareConsole.UBOOT_S_BIN), null, null, null), script(0x80200000L));
    }
}
