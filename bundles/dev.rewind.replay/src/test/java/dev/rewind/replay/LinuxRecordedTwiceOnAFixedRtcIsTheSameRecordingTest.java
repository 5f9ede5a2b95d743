package dev.rewind.replay;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import dev.rewind.emulator.BootFiles;
import dev.rewind.emulator.RtcConfig;
import dev.rewind.emulator.StopReason;
import dev.rewind.replay.FirmwareConsole.Step;

/**
 * Debian 13's riscv64 Linux recorded twice with the same keys typed at the same seeded icounts and
 * {@code -rtc base=2026-01-01T00:00:00,clock=vm}: the kernel sets its clock from the goldfish RTC,
 * which now counts virtual time from a fixed moment, so the two replay logs are the same bytes,
 * with the same console, icount and final digest (with the host's clock the kernel's time, and
 * with it the moments of the prompts, differ between recordings). {@code date} in the shell shows
 * the base. Harts: {@code -Drewind.linux.harts=2} (default 1).
 */
public class LinuxRecordedTwiceOnAFixedRtcIsTheSameRecordingTest {

    static final int HARTS = Integer.getInteger("rewind.linux.harts", 1);
    static final long SEED = Long.getLong("rewind.linux.seed", 15);
    static final RtcConfig RTC = RtcConfig.parse("base=2026-01-01T00:00:00,clock=vm");

    private static Path dir;
    private static BootFiles boot;

    @BeforeClass
    public static void fixtures() throws Exception {
        Path kernel = FirmwareFixtures.debianKernel();
        dir = Files.createTempDirectory("rewind-linux-rtc");
        Path initrd = dir.resolve("initrd.cpio");
        FirmwareFixtures.output(dir, "bash", GuestPrograms.root().resolve("scripts/linux-initramfs.sh").toString(),
                initrd.toString());
        boot = new BootFiles(FirmwareConsole.require(FirmwareConsole.FW_DYNAMIC_BIN), kernel, initrd,
                LinuxOnSeveralHartsKeepsFilesOnItsVirtioDiskTest.APPEND, null);
    }

    @AfterClass
    public static void removeFixtures() throws Exception {
        if (dir != null) {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static FirmwareConsole.Recorded record(String name) throws Exception {
        List<Step> script = List.of(Step.await("init: busybox shell on"),
                Step.type("# ", "date -u '+DATE %F'\r"),
                Step.type("# ", "poweroff -f\r"));
        RecordSession.Options o = RecordSession.Options.of(boot, dir.resolve(name + ".rrlog"))
                .withMachine(LinuxOnSeveralHartsKeepsFilesOnItsVirtioDiskTest.RAM, 0).withHarts(HARTS).withRtc(RTC)
                .withPollInterval(10_000);
        return FirmwareConsole.recordTypedAtRandomIcounts(o, script, SEED, LinuxOnSeveralHartsKeepsFilesOnItsVirtioDiskTest.MAX_DELAY,
                LinuxOnSeveralHartsKeepsFilesOnItsVirtioDiskTest.MAX_INSTRUCTIONS);
    }

    @Test
    public void twoRecordingsOfTheSameTypedInputAreTheSameLogConsoleIcountAndDigest() throws Exception {
        long t0 = System.nanoTime();
        FirmwareConsole.Recorded a = record("a");
        long t1 = System.nanoTime();
        FirmwareConsole.Recorded b = record("b");
        long t2 = System.nanoTime();
        assertEquals("the guest powers off:\n" + a.console(), StopReason.EXIT, a.reason());
        assertTrue("the kernel's clock starts at the RTC's base:\n" + a.console(), a.console().contains("DATE 2026-01-01"));
        assertEquals(a.console(), b.console());
        assertEquals(a.icount(), b.icount());
        assertEquals(a.digest(), b.digest());
        assertEquals("the two logs are the same bytes", -1L, Files.mismatch(a.log(), b.log()));
        System.out.printf("linux on %d hart(s), -rtc %s, seed %d: two recordings of %,d instructions, %,d log bytes,"
                + " identical (console %d bytes, digest %s); %.1f s and %.1f s%n", HARTS, RTC.text(), SEED, a.icount(),
                Files.size(a.log()), a.console().length(), a.digest().substring(0, 16), (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }
}
