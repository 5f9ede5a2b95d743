package dev.rewind.replay;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;

import dev.rewind.emulator.BootFiles;
import dev.rewind.emulator.StopReason;
import dev.rewind.replay.FirmwareConsole.Step;
import dev.rewind.replay.log.EventKind;
import dev.rewind.replay.log.ReplayEvent;
import dev.rewind.replay.log.ReplayLog;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Debian 13's riscv64 Linux on several harts with an ext4 file system on a qcow2 disk (issue 15):
 * OpenSBI fw_dynamic + the kernel + the initramfs of scripts/linux-initramfs.sh, whose /init loads
 * the kernel's own virtio_blk and ext4 modules (from the same package) and mounts /dev/vda. Commands
 * are typed at the shell prompt at pseudo-random icounts (a seeded number of instructions after
 * each prompt). The first run checks a host file on the disk and writes one; its recording replays
 * with the same console bytes, icount and final state digest, every time; a second boot finds the
 * written file intact; qemu-img check passes on the image and the host reads the file back with
 * debugfs (e2fsck: clean). The recording persists its snapshots by default, disk changes included:
 * opened again, a seek to its end jumps to the one close to it and finds the disk as recorded.
 *
 * <p>CI runs 2 harts and one replay (~1.2e9 instructions per boot). The issue's figure:
 * {@code JAVA_TOOL_OPTIONS="-Drewind.linux.harts=2,4 -Drewind.linux.replays=3"
 * scripts/quick-test.sh dev.rewind.replay LinuxOnSeveralHartsKeepsFilesOnItsVirtioDiskTest}
 * ({@code -Drewind.linux.seed=N} changes the moments).
 */
public class LinuxOnSeveralHartsKeepsFilesOnItsVirtioDiskTest {

    static final int[] HARTS = java.util.Arrays.stream(System.getProperty("rewind.linux.harts", "2").split(","))
            .mapToInt(Integer::parseInt).toArray();
    static final int REPLAYS = Integer.getInteger("rewind.linux.replays", 1);
    static final long SEED = Long.getLong("rewind.linux.seed", 15);
    /** Keys go in 0 to this many instructions after their prompt appeared. */
    static final long MAX_DELAY = 3_000_000;
    static final long RAM = 128L << 20;
    /**
     * The crypto self-tests cost about half of the boot's instructions (scripts/linux-disk.sh says
     * more); the disk, not the crypto API, is under test here.
     */
    static final String APPEND = "console=ttyS0 cryptomgr.notests";
    /** Bound on a run: a boot with the typed commands takes ~1.2e9 instructions on 2 harts, ~1.5e9 on 4. */
    static final long MAX_INSTRUCTIONS = 4_000_000_000L;
    static final int DATA_SIZE = 100_000;
    /** What the guest writes: seq 1 5000. */
    static final String NUMBERS = IntStream.rangeClosed(1, 5_000).mapToObj(i -> i + "\n")
            .collect(java.util.stream.Collectors.joining());

    private static Path dir;
    private static BootFiles boot;
    private static byte[] data;

    @BeforeClass
    public static void fixtures() throws Exception {
        Path kernel = FirmwareFixtures.debianKernel();
        assumeTrue("qemu-img, mkfs.ext4, debugfs and e2fsck are needed (test.sh installs them)",
                FirmwareFixtures.tool("qemu-img") != null && FirmwareFixtures.tool("mkfs.ext4") != null
                        && FirmwareFixtures.tool("debugfs") != null && FirmwareFixtures.tool("e2fsck") != null);
        dir = Files.createTempDirectory("rewind-linux-disk");
        Path initrd = dir.resolve("initrd.cpio");
        FirmwareFixtures.output(dir, "bash", GuestPrograms.root().resolve("scripts/linux-initramfs.sh").toString(),
                initrd.toString());
        boot = new BootFiles(FirmwareConsole.require(FirmwareConsole.FW_DYNAMIC_BIN), kernel, initrd, APPEND, null);
        data = FirmwareFixtures.data(DATA_SIZE, SEED);
    }

    @AfterClass
    public static void removeFixtures() throws Exception {
        if (dir != null) {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    public void aFileWrittenToTheDiskInOneRunIsThereIntactInTheNextAndTheRecordingReplaysIdentically() throws Exception {
        for (int harts : HARTS) {
            Path work = Files.createDirectories(dir.resolve("smp" + harts));
            Path file = work.resolve("data.bin");
            Files.write(file, data);
            Path disk = FirmwareFixtures.ext4Qcow2(work, 16, List.of(file));
            long seed = SEED + harts;

            // First run: the host's file reads back right, the guest writes one, the file system is unmounted.
            List<Step> first = List.of(Step.await("init: busybox shell on"),
                    Step.type("# ", "md5sum /mnt/data.bin\r"),
                    Step.type("# ", "seq 1 5000 > /mnt/numbers; sync; md5sum /mnt/numbers\r"),
                    Step.type("# ", "umount /mnt; poweroff -f\r"));
            long t0 = System.nanoTime();
            FirmwareConsole.Recorded rec = FirmwareConsole.recordTypedAtRandomIcounts(options(work, "first", harts, disk)
                    .withSnapshotEvery(RecordSession.Options.DEFAULT_SNAPSHOT_EVERY), first, seed, MAX_DELAY, MAX_INSTRUCTIONS);
            long recordNs = System.nanoTime() - t0;
            String what = harts + " harts, seed " + seed;
            assertEquals("the guest powers off (" + what + "):\n" + rec.console(), StopReason.EXIT, rec.reason());
            assertTrue("/init loaded virtio_blk and ext4 and mounted the disk (" + what + "):\n" + rec.console(),
                    rec.console().contains("init: /dev/vda mounted on /mnt"));
            assertTrue("the kernel brought up " + harts + " harts:\n" + rec.console(),
                    rec.console().contains(", " + harts + " harts"));
            assertTrue("the guest's MD5 of the host's file is the host's (" + what + "):\n" + rec.console(),
                    rec.console().contains(md5(data) + "  /mnt/data.bin"));
            assertTrue("the guest wrote seq 1 5000 (" + what + "):\n" + rec.console(),
                    rec.console().contains(md5(NUMBERS.getBytes(StandardCharsets.US_ASCII)) + "  /mnt/numbers"));

            // The recording, replayed: the same console bytes, icount and final state, every time.
            List<Long> replayNs = new ArrayList<>();
            for (int i = 1; i <= REPLAYS; i++) {
                long r0 = System.nanoTime();
                FirmwareConsole.Replayed rep = FirmwareConsole.replay(rec.log());
                replayNs.add(System.nanoTime() - r0);
                assertEquals(Stop.Kind.HISTORY_END, rep.stop());
                assertEquals("replay " + i + ": icount (" + what + ")", rec.icount(), rep.icount());
                assertEquals("replay " + i + ": final state digest (" + what + ")", rec.digest(), rep.digest());
                assertEquals("replay " + i + ": console (" + what + ")", rec.console(), rep.console());
            }

            // Opened again, a seek to the end jumps to the snapshot persisted close to it, whose disk is the
            // recording's: every chunk of the replay's disk there reads as the recording left the image.
            try (Timeline t = Timeline.open(rec.log(), Timeline.Options.defaults());
                    dev.rewind.qcow2.Qcow2Image image = dev.rewind.qcow2.Qcow2Image.openReadOnly(disk)) {
                t.seek(t.endIcount());
                assertEquals("refused persisted snapshots (" + what + ")", List.of(), t.persistedSnapshotNotes());
                assertEquals("jumps to persisted snapshots (" + what + ")", 1, t.persistedSnapshotJumps());
                assertTrue("it jumped close to the end: in-memory snapshots " + java.util.Arrays.toString(t.snapshotIcounts()),
                        t.snapshotIcounts()[1] > rec.icount() - SavedSnapshots.WORTH_LOADING);
                assertEquals("icount after the jump (" + what + ")", rec.icount(), t.icount());
                assertEquals("final state digest after the jump (" + what + ")", rec.digest(), t.machine().digestHex());
                byte[] expected = new byte[OverlayDisk.CHUNK];
                byte[] actual = new byte[OverlayDisk.CHUNK];
                for (long at = 0; at < image.size(); at += OverlayDisk.CHUNK) {
                    image.read(at, expected, 0, expected.length);
                    t.session().disk().read(at, actual, 0, actual.length);
                    if (!java.util.Arrays.equals(expected, actual)) {
                        throw new AssertionError("disk byte range [" + at + ", +4096) after the jump differs from the"
                                + " recorded image (" + what + ")");
                    }
                }
            }

            // Second boot: the file is there, intact.
            List<Step> second = List.of(Step.await("init: busybox shell on"),
                    Step.type("# ", "md5sum /mnt/numbers\r"),
                    Step.type("# ", "umount /mnt; poweroff -f\r"));
            FirmwareConsole.Recorded next = FirmwareConsole.recordTypedAtRandomIcounts(options(work, "second", harts, disk),
                    second, seed + 1, MAX_DELAY, MAX_INSTRUCTIONS);
            assertEquals("the second run powers off (" + what + "):\n" + next.console(), StopReason.EXIT, next.reason());
            assertTrue("the second boot reads what the first wrote (" + what + "):\n" + next.console(),
                    next.console().contains(md5(NUMBERS.getBytes(StandardCharsets.US_ASCII)) + "  /mnt/numbers"));

            // The image: qemu-img finds no errors; the host reads the guest's file; e2fsck finds it clean.
            String check = FirmwareFixtures.output(work, FirmwareFixtures.tool("qemu-img"), "check", disk.toString());
            assertTrue("qemu-img check " + disk + ":\n" + check, check.contains("No errors were found on the image."));
            Path raw = work.resolve("after.raw");
            FirmwareFixtures.output(work, FirmwareFixtures.tool("qemu-img"), "convert", "-O", "raw", disk.toString(),
                    raw.toString());
            assertEquals("the host reads the guest's file from the image (debugfs)", NUMBERS,
                    FirmwareFixtures.output(work, FirmwareFixtures.tool("debugfs"), "-R", "cat /numbers", raw.toString()));
            FirmwareFixtures.output(work, FirmwareFixtures.tool("e2fsck"), "-f", "-n", raw.toString());

            System.out.printf("linux on %d harts with a virtio disk, seed %d: keys typed at icounts %s; record %,d"
                    + " instructions in %.1f s; %d replay(s) identical (console %d bytes, icount, digest %s) in %s s%n",
                    harts, seed, typedAt(rec.log()), rec.icount(), recordNs / 1e9, REPLAYS, rec.console().length(),
                    rec.digest().substring(0, 16), replayNs.stream().map(n -> String.format("%.1f", n / 1e9)).toList());
        }
    }

    private static RecordSession.Options options(Path work, String name, int harts, Path disk) {
        return RecordSession.Options.of(boot, work.resolve(name + ".rrlog")).withMachine(RAM, 0).withHarts(harts)
                .withDisk(disk, name).withPollInterval(10_000);
    }

    /** The icount of the first key of each typed line, from the recording's log. */
    private static List<Long> typedAt(Path log) throws Exception {
        List<Long> at = new ArrayList<>();
        boolean lineStart = true;
        for (ReplayEvent e : ReplayLog.read(log).events()) {
            if (e.kind() == EventKind.UART_RX || e.kind() == EventKind.UART_RX_IDLE) {
                if (lineStart) {
                    at.add(e.icount());
                }
                lineStart = e.value() == '\r';
            }
        }
        return at;
    }

    static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }
}
