package dev.rewind.replay;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import dev.rewind.emulator.BootFiles;
import dev.rewind.emulator.RtcConfig;

/**
 * Reverse continue to a breakpoint with the recording's code-page index ({@code RUN.rrlog.codepages})
 * skips the stretches that ran none of the breakpoint's page and stops exactly where a forward run
 * says the last hit before the position is: on Debian's Linux booting (kernel code spread over
 * hundreds of pages, with traps and interrupts) and on four bare-metal harts. Breakpoints are pcs
 * the recording executed at spread-out positions, plus one on a page it never ran (page 0); each is
 * reverse-continued to from the end three times in a row and from seeded positions. A damaged
 * index is refused with the reason, and reverse continue then scans every stretch, with the same
 * answers.
 */
public class ReverseContinueSkipsStretchesThatRanNoBreakpointPageTest {

    private static final long LINUX_LENGTH = 150_000_000L;
    private static final long STRETCH = 1_000_000L;
    private static final int MAX_HITS = 100;
    /** On page 0: below the reset ROM (0x1000), unmapped in Linux; nothing runs there. */
    private static final long NEVER = 0x10;
    private static Path dir;

    @BeforeClass
    public static void directory() throws Exception {
        dir = Files.createTempDirectory("rewind-codepages");
    }

    @AfterClass
    public static void cleanUp() throws Exception {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    public void onLinuxBootingReverseContinueStopsAtTheLastHitAForwardRunFinds() throws Exception {
        Path kernel = FirmwareFixtures.debianKernel();
        Path initrd = dir.resolve("initrd.cpio");
        FirmwareFixtures.output(dir, "bash", GuestPrograms.root().resolve("scripts/linux-initramfs.sh").toString(),
                initrd.toString());
        BootFiles boot = new BootFiles(FirmwareConsole.require(FirmwareConsole.FW_DYNAMIC_BIN), kernel, initrd,
                LinuxOnSeveralHartsKeepsFilesOnItsVirtioDiskTest.APPEND, null);
        Path log = dir.resolve("linux.rrlog");
        try (RecordSession s = RecordSession.start(RecordSession.Options.of(boot, log)
                .withMachine(LinuxOnSeveralHartsKeepsFilesOnItsVirtioDiskTest.RAM, 0)
                .withRtc(RtcConfig.parse("base=2026-01-01T00:00:00,clock=vm"))
                .withInput(null, new ByteArrayOutputStream()).withDigestInterval(STRETCH))) {
            assertEquals(LINUX_LENGTH, s.run(LINUX_LENGTH).icount());
        }
        checkAgainstAForwardRun(log, rarePagePcs(log, 6), true);
    }

    @Test
    public void onFourHartsReverseContinueStopsAtTheLastHitAForwardRunFinds() throws Exception {
        Path log = dir.resolve("smp.rrlog");
        long length;
        try (RecordSession s = RecordSession.start(RecordSession.Options.of(GuestPrograms.elf("smp"), log)
                .withMachine(16L << 20, 0).withHarts(4).withInput(null, new ByteArrayOutputStream())
                .withDigestInterval(10_000))) {
            length = s.run(Long.MAX_VALUE).icount();
        }
        assertTrue(length > 100_000);
        checkAgainstAForwardRun(log, functions("smp"), false);
    }

    @Test
    public void aDamagedIndexIsRefusedWithWhyAndReverseContinueScansEveryStretchInstead() throws Exception {
        Path log = dir.resolve("damaged.rrlog");
        try (RecordSession s = RecordSession.start(RecordSession.Options.of(GuestPrograms.elf("smp"), log)
                .withMachine(16L << 20, 0).withHarts(4).withInput(null, new ByteArrayOutputStream())
                .withDigestInterval(10_000))) {
            s.run(Long.MAX_VALUE);
        }
        Path index = CodePageIndex.beside(log);
        byte[] b = Files.readAllBytes(index);
        b[b.length / 2] ^= 1;
        Files.write(index, b);
        try (Timeline t = Timeline.open(log, Timeline.Options.defaults())) {
            CodePageIndex.Loaded loaded = t.codePageIndex();
            assertNull(loaded.index());
            assertTrue(loaded.whyNot(), loaded.whyNot().contains("damaged: its checksum does not match"));
        }
        checkAgainstAForwardRun(log, functions("smp"), false);
        Files.delete(index);
        try (Timeline t = Timeline.open(log, Timeline.Options.defaults())) {
            assertTrue(t.codePageIndex().whyNot(), t.codePageIndex().whyNot().contains("does not exist"));
        }
    }

    /** Entries of functions a bare-metal guest calls a few times. */
    private static List<Long> functions(String guest) throws Exception {
        dev.rewind.emulator.ElfImage elf = dev.rewind.emulator.ElfImage.read(GuestPrograms.elf(guest));
        List<Long> pcs = new ArrayList<>();
        for (String f : new String[] {"main", "secondary_main", "group", "group_end.part.0", "checks_done", "uart_puthex", "finish"}) {
            elf.symbol(f).ifPresent(pcs::add);
        }
        return pcs;
    }

    /**
     * Up to {@code count} pcs on pages that ran in few stretches (the index names the pages; the
     * replay, watched in chunks of 1000 instructions with a {@link dev.rewind.emulator.CodePages}
     * of the test's own, then stepped, finds an instruction there).
     */
    private static List<Long> rarePagePcs(Path log, int count) throws Exception {
        List<Long> pcs = new ArrayList<>();
        try (Timeline t = Timeline.open(log, Timeline.Options.defaults())) {
            CodePageIndex index = t.codePageIndex().index();
            assertNotNull(t.codePageIndex().whyNot(), index);
            List<long[]> rare = new ArrayList<>(); // page, its first stretch
            index.forEachPage((page, stretches) -> {
                if (stretches.length <= 3 && stretches[0] > 5 && rare.size() < count) {
                    rare.add(new long[] {page, stretches[0]});
                }
            });
            for (long[] r : rare) {
                long page = r[0];
                t.seek(index.stretchStart((int) r[1]));
                long end = index.stretchStart((int) r[1] + 1);
                dev.rewind.emulator.CodePages seen = new dev.rewind.emulator.CodePages();
                t.machine().observeCodePages(seen);
                long chunk = -1;
                while (t.icount() < end && chunk < 0) {
                    long from = t.icount();
                    seen.drain();
                    t.run(Math.min(end, from + 1000));
                    if (java.util.Arrays.binarySearch(seen.drain(), page) >= 0) {
                        chunk = from;
                    }
                }
                t.machine().observeCodePages(null);
                assertTrue("page 0x" + Long.toHexString(page) + " ran in its stretch", chunk >= 0);
                t.seek(chunk);
                while (t.machine().pc() >>> 12 != page && t.icount() < end) {
                    t.run(t.icount() + 1);
                }
                if (t.machine().pc() >>> 12 == page) { // else only a trap's epc or a hart waiting there
                    pcs.add(t.machine().pc());
                }
            }
        }
        return pcs;
    }

    /**
     * Takes the {@code candidates} hit at most {@link #MAX_HITS} times (each hit is a stop of the
     * scan) and a pc on page 0, which never runs; one forward run lists every hit of each; reverse
     * continue from the end (three in a row) and from seeded positions must stop at the last hit
     * before its start, or at the start of history if there is none.
     */
    private static void checkAgainstAForwardRun(Path log, List<Long> candidates, boolean mustSkip) throws Exception {
        TreeMap<Long, List<Long>> hits = new TreeMap<>();
        long end;
        try (Timeline t = Timeline.open(log, Timeline.Options.defaults())) {
            end = t.endIcount();
            for (long pc : candidates) {
                hits.put(pc, new ArrayList<>());
            }
        hits.put(NEVER, new ArrayList<>());
            t.seek(t.startIcount());
            for (long pc : hits.keySet()) {
                t.stops().addBreakpoint(pc);
            }
            if (hits.containsKey(t.machine().pc())) {
                hits.get(t.machine().pc()).add(t.icount());
            }
            while (true) {
                Stop s = t.run(Long.MAX_VALUE);
                if (s.kind() != Stop.Kind.BREAKPOINT) {
                    break;
                }
                List<Long> list = hits.get(s.pc());
                list.add(s.icount());
                if (list.size() > MAX_HITS) {
                    t.stops().removeBreakpoint(s.pc());
                }
            }
        }
        hits.values().removeIf(l -> l.size() > MAX_HITS);
        List<Long> pcs = new ArrayList<>(hits.keySet());
        pcs.remove(NEVER);
        assertTrue("pcs hit at most " + MAX_HITS + " times: " + pcs.size(), pcs.size() >= 2);
        pcs.add(NEVER);
        assertEquals(List.of(), hits.get(NEVER));
        for (long pc : pcs) {
            long[] at = hits.get(pc).stream().mapToLong(Long::longValue).toArray();
            try (Timeline t = Timeline.open(log, Timeline.Options.defaults())) {
                TimeTravel travel = new TimeTravel(t);
                t.stops().addBreakpoint(pc);
                t.seek(end);
                for (int i = 0; i < 3; i++) {
                    long from = t.icount();
                    assertStop(pc, at, from, travel.continueBack());
                }
                SplittableRandom random = new SplittableRandom(pc);
                for (int i = 0; i < 3; i++) {
                    long from = 1 + random.nextLong(end);
                    t.seek(from);
                    assertStop(pc, at, from, travel.continueBack());
                }
            }
        }
        if (mustSkip) {
            // the index is what makes them cheap: a pc that ran rarely lies in few stretches
            try (Timeline t = Timeline.open(log, Timeline.Options.defaults())) {
                CodePageIndex index = t.codePageIndex().index();
                assertNotNull(t.codePageIndex().whyNot(), index);
                int skipping = 0;
                for (long pc : pcs) {
                    if (index.lastRunBefore(end, new long[] {pc >>> 12}) < end - 10 * STRETCH) {
                        skipping++;
                    }
                }
                assertTrue("breakpoints whose page last ran 10 stretches or more before the end: " + skipping, skipping >= 2);
                assertEquals(-1, index.lastRunBefore(end, new long[] {NEVER >>> 12}));
            }
        }
    }

    private static void assertStop(long pc, long[] hits, long from, Stop s) {
        long expected = -1;
        for (long h : hits) {
            if (h < from) {
                expected = h;
            }
        }
        String what = "reverse continue to 0x" + Long.toHexString(pc) + " from " + from;
        if (expected < 0) {
            assertEquals(what, Stop.Kind.HISTORY_BEGIN, s.kind());
        } else {
            assertEquals(what, Stop.Kind.BREAKPOINT, s.kind());
            assertEquals(what, expected, s.icount());
            assertEquals(what, pc, s.pc());
        }
    }
}
