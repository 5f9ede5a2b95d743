package dev.rewind.replay.query;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import dev.rewind.replay.GuestPrograms;
import dev.rewind.replay.RecordSession;

/**
 * Queries about virtual addresses on a recording with Sv39 on two harts (guests/src/sv39_harts.c:
 * both harts write through a high, global mapping of a page that hart 0 moves to another physical
 * page halfway, then hart 0 writes the old page through another virtual address; S-mode maps the
 * pages at no address equal to their physical one) answer about the
 * physical bytes the address maps to at each moment, followed through the page-table change; and
 * physical queries ({@code --phys}) see every write to the page, whatever the mapping. Both equal a
 * single-step replay that translates every store's address with the storing hart's own
 * translation and the watched address with the asking hart's.
 */
public class VirtualAddressQueriesFollowThePageTablesTest {

    static final long HIGH_VA = 0xffffffc000200000L;
    /** The pages' physical addresses: S-mode maps them only through HIGH_VA's window. */
    static final long PAGE_OLD = 0x80600000L;
    static final long PAGE_NEW = 0x80601000L;

    private static Path dir;

    @BeforeClass
    public static void makeDir() throws IOException {
        dir = Files.createTempDirectory("rewind-query-va");
    }

    @AfterClass
    public static void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    private static Path log() throws Exception {
        Path log = dir.resolve("sv39_harts.rrlog");
        if (!Files.exists(log)) {
            RecordSession.Options o = RecordSession.Options.of(GuestPrograms.elf("sv39_harts"), log)
                    .withInput(null, new ByteArrayOutputStream()).withMachine(16L << 20, 0).withHarts(2);
            try (RecordSession s = RecordSession.start(o)) {
                s.run(50_000_000L);
            }
        }
        return log;
    }

    private static List<Target> targets() throws Exception {
        List<Target> out = new ArrayList<>();
        out.add(new Target("total", HIGH_VA, 8).inHart(1));        // amoadd by both harts
        out.add(new Target("total", HIGH_VA, 8).inHart(0));        // the same, as hart 0 maps it
        out.add(new Target("mine[1]", HIGH_VA + 16, 8).inHart(0)); // hart 1's own stores
        out.add(new Target("last", HIGH_VA + 24, 8).inHart(1));
        out.add(new Target("shared", HIGH_VA, 32).inHart(1));      // the whole struct
        out.add(new Target("fixed[0]", HIGH_VA + 4096, 8).inHart(0)); // a page that never moves
        out.add(new Target("old", HIGH_VA + 0x2000, 8).inHart(1));  // an alias of the old page: 0xdead
        out.add(new Target("page_old", PAGE_OLD, 8).asPhysical());  // total's first home, then 0xdead
        out.add(new Target("page_new", PAGE_NEW, 32).asPhysical()); // the copy, then total's second home
        return out;
    }

    @Test
    public void writesThroughAVirtualAddressOnTwoHartsFollowThePageItMovesToAndEqualASingleStepScan() throws Exception {
        Path log = log();
        List<Target> targets = targets();
        SingleStepTruth truth = SingleStepTruth.physical(log, targets);
        try (QueryEngine q = QueryEngine.open(log, null, QueryAnswersMatchSingleStepTest.INTERVAL)) {
            q.index(Progress.NONE);
            assertEquals(truth.endIcount, q.endIcount());
            for (int i = 0; i < targets.size(); i++) {
                Target t = targets.get(i);
                String what = t + (t.physical() ? "" : " of hart " + t.hart());
                List<SingleStepTruth.Write> expected = truth.writes.get(i);
                assertTrue(what + " is written", !expected.isEmpty());
                List<Access> all = q.writes(t, q.startIcount(), q.endIcount(), Progress.NONE);
                assertEquals(what + ": every write", expected.stream().map(w -> w.icount() + "@" + w.hart()).toList(),
                        all.stream().map(a -> a.icount() + "@" + a.hart()).toList());
                for (int j = 0; j < all.size(); j++) {
                    assertEquals(what + " pc", expected.get(j).pc(), all.get(j).pc());
                    assertArrayEquals(what + " before " + all.get(j).icount(), expected.get(j).before(), all.get(j).before());
                    assertArrayEquals(what + " after " + all.get(j).icount(), expected.get(j).after(), all.get(j).after());
                }
                for (long p = q.startIcount(); p <= q.endIcount(); p += Math.max(1, q.endIcount() / 9)) {
                    long at = p;
                    Optional<SingleStepTruth.Write> last = expected.stream().filter(w -> w.icount() < at).reduce((a, b) -> b);
                    Optional<SingleStepTruth.Write> next = expected.stream().filter(w -> w.icount() >= at).findFirst();
                    assertEquals(what + " last write before " + at, last.map(w -> w.icount() + "@" + w.hart()),
                            q.lastWrite(t, at, Progress.NONE).map(a -> a.icount() + "@" + a.hart()));
                    assertEquals(what + " next write from " + at, next.map(w -> w.icount() + "@" + w.hart()),
                            q.nextWrite(t, at, Progress.NONE).map(a -> a.icount() + "@" + a.hart()));
                }
                QueryEngine.History h = q.history(t, q.startIcount(), q.endIcount(), Progress.NONE);
                List<String> changes = new ArrayList<>();
                for (SingleStepTruth.Write w : expected) {
                    if (!Arrays.equals(w.before(), w.after())) {
                        changes.add(w.icount() + "@" + w.hart() + " " + Access.hex(w.after()));
                    }
                }
                assertEquals(what + " value history", changes,
                        h.changes().stream().map(a -> a.icount() + "@" + a.hart() + " " + Access.hex(a.after())).toList());
            }
        }
    }

    @Test
    public void aMovedPageShowsAsTwoPhysicalHomesAndTheOldPagesLaterWriteIsNotThroughTheVirtualAddress() throws Exception {
        Path log = log();
        long oldPage = PAGE_OLD;
        long newPage = PAGE_NEW;
        try (QueryEngine q = QueryEngine.open(log, null, QueryAnswersMatchSingleStepTest.INTERVAL)) {
            Target total = new Target("total", HIGH_VA, 8).inHart(1);
            QueryEngine.History h = q.history(total, q.startIcount(), q.endIcount(), Progress.NONE);
            List<String> lines = q.mappingLines();
            assertEquals(lines.toString(), 3, lines.size());
            assertTrue(lines.get(0), lines.get(0).endsWith("maps it to nothing"));
            assertTrue(lines.get(1), lines.get(1).endsWith(String.format("physical 0x%x", oldPage)));
            assertTrue(lines.get(2), lines.get(2).endsWith(String.format("physical 0x%x", newPage)));
            assertEquals("the last value of total is both harts' rounds", "0x0000000000000080",
                    Access.hex(h.changes().get(h.changes().size() - 1).after()));
            // the 0xdead store goes to the old page through another virtual address: physical only
            Access dead = q.lastWrite(new Target("page_old", oldPage, 8, true, -1), q.endIcount(), Progress.NONE).get();
            assertEquals("0x000000000000dead", Access.hex(dead.after()));
            assertTrue(q.lastWrite(total, q.endIcount(), Progress.NONE).get().icount() < dead.icount());
            QueryEngine.History physical = q.history(new Target("page_new", newPage, 8, true, -1), q.startIcount(),
                    q.endIcount(), Progress.NONE);
            assertEquals("page_new's first word before anything wrote it", "0x0000000000000000",
                    Access.hex(physical.initial()));
            assertEquals("then 777, then the copy of total", "0x0000000000000309",
                    Access.hex(physical.changes().get(0).after()));
            String text = QueryRequest.parse(List.of("last-write", String.format("0x%x", oldPage), "--phys")).answer(q,
                    Progress.NONE);
            assertTrue(text, text.contains("[physical 0x") && text.contains("0x000000000000dead"));
        }
    }
}
