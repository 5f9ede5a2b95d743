package dev.rewind.replay;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import dev.rewind.emulator.DebugView;
import dev.rewind.emulator.ElfImage;
import dev.rewind.qcow2.Qcow2Image;
import dev.rewind.qcow2.Snapshot;

/**
 * A replay uses the snapshots its recording persisted: a seek far ahead jumps to the last one
 * before the target instead of replaying all history, and arrives at the same state as a full
 * replay. A damaged or foreign snapshot is refused with a note naming it, and the seek falls
 * back to the one before it. The in-memory snapshots stay within their memory budget.
 */
public class PersistedSnapshotsTest {

    private static final long LENGTH = 300_000_000L;
    private static final long EVERY = 100_000_000L;
    /** The recording also persists the last 1e7 boundary before its end. */
    private static final long NEAR_END = LENGTH - RecordingSnapshots.CLOSE;
    private static Path dir;
    private static Path log;
    private static Path image;
    /** A full replay's end: state digest, harts' registers, console. */
    private static byte[] endDigest;
    private static long[] endRegisters;
    private static byte[] endConsole;

    @BeforeClass
    public static void recordTicktockWithPersistedSnapshots() throws Exception {
        dir = Files.createTempDirectory("rewind-persisted");
        log = dir.resolve("ticktock.rrlog");
        image = dir.resolve("ticktock.snapshots.qcow2");
        try (RecordSession s = RecordSession.start(RecordSession.Options.of(GuestPrograms.elf("ticktock"), log)
                .withMachine(16L << 20, 0).withInput(null, new ByteArrayOutputStream())
                .withSnapshotImage(image, "init").withSnapshotEvery(EVERY))) {
            assertEquals(LENGTH, s.run(LENGTH).icount());
        }
        try (Timeline full = Timeline.open(log, Timeline.Options.defaults())) {
            full.replayTo(Long.MAX_VALUE);
            assertEquals(LENGTH, full.icount());
            endDigest = full.captureState().digest();
            endRegisters = registers(full);
            endConsole = full.session().console().toByteArray();
        }
    }

    @AfterClass
    public static void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    private static long[] registers(Timeline t) {
        DebugView h = t.machine().hart(0);
        long[] r = new long[33];
        for (int i = 1; i < 32; i++) {
            r[i] = h.reg(i);
        }
        r[32] = h.pc();
        return r;
    }

    private static void assertAtTheEndOfAFullReplay(Timeline t) {
        assertEquals(LENGTH, t.icount());
        assertArrayEquals(endRegisters, registers(t));
        assertArrayEquals(endDigest, t.captureState().digest());
        assertArrayEquals(endConsole, t.session().console().toByteArray());
    }

    /** Snapshots the timeline holds strictly between two icounts: a replay of that stretch leaves one per interval. */
    private static long[] between(Timeline t, long from, long to) {
        return Arrays.stream(t.snapshotIcounts()).filter(i -> i > from && i < to).toArray();
    }

    @Test
    public void seekingToTheEndJumpsToTheLastPersistedSnapshotAndEqualsAFullReplay() throws Exception {
        try (Timeline t = Timeline.open(log, Timeline.Options.defaults())) {
            assertArrayEquals(new long[] {EVERY, 2 * EVERY, NEAR_END, 3 * EVERY}, t.persistedSnapshotIcounts());
            t.seek(LENGTH);
            assertAtTheEndOfAFullReplay(t);
            // it replayed only from 2.9e8 (a jump to the snapshot at the end would leave no approach snapshots)
            assertArrayEquals(new long[0], between(t, 0, NEAR_END));
            assertTrue(t.snapshotAtOrBefore(LENGTH - 1) >= LENGTH - 256);
            assertEquals(List.of(), t.persistedSnapshotNotes());
            assertEquals(1, t.persistedSnapshotJumps());
            // and back: an earlier position, also reached by a jump, equals a straight replay there
            long target = EVERY + 12_345_678;
            t.seek(target);
            byte[] jumped = t.captureState().digest();
            try (Timeline straight = Timeline.open(log, Timeline.Options.defaults())) {
                straight.replayTo(target);
                assertArrayEquals(straight.captureState().digest(), jumped);
                assertArrayEquals(straight.session().console().toByteArray(), t.session().console().toByteArray());
            }
        }
    }

    @Test
    public void reverseContinueFromTheEndScansBackThroughThePersistedSnapshotsToAHitNearTheStart() throws Exception {
        long main = ElfImage.read(GuestPrograms.elf("ticktock")).symbol("main").orElseThrow();
        long entered;
        try (Timeline forward = Timeline.open(log, Timeline.Options.defaults())) {
            forward.stops().addBreakpoint(main);
            assertEquals(Stop.Kind.BREAKPOINT, forward.run(LENGTH).kind());
            entered = forward.icount();
        }
        try (Timeline t = Timeline.open(log, Timeline.Options.defaults())) {
            t.seek(LENGTH);
            t.stops().addBreakpoint(main);
            Stop back = new TimeTravel(t).continueBack();
            assertEquals(Stop.Kind.BREAKPOINT, back.kind());
            assertEquals(entered, back.icount());
            assertEquals(main, t.machine().pc());
            assertEquals(3, t.persistedSnapshotJumps()); // to 2.9e8 for the seek, to 2e8 and 1e8 for the scan
        }
    }

    @Test
    public void aRecordingKeepsItsPersistedSnapshotsWithinTheirSpaceEvenlySpreadAndTheNearEndOne() throws Exception {
        long one = vmState("auto-290000000").length;
        long space = 4 * one + one / 2; // room for four
        Path thin = dir.resolve("thin.rrlog");
        Path thinImage = RecordSession.Options.defaultSnapshotImage(thin);
        assertEquals(dir.resolve("thin.snapshots.qcow2"), thinImage);
        RecordSession.SnapshotsKept kept;
        try (RecordSession s = RecordSession.start(RecordSession.Options.of(GuestPrograms.elf("ticktock"), thin)
                .withMachine(16L << 20, 0).withInput(null, new ByteArrayOutputStream())
                .withSnapshotImage(thinImage, null).withSnapshotEvery(EVERY / 4).withSnapshotSpace(space))) {
            assertEquals(LENGTH, s.run(LENGTH).icount());
            kept = s.snapshotsKept();
        }
        // every 25M until a fifth would not fit, then 50M, then 100M; and the one close to the end
        assertEquals(EVERY, kept.every());
        assertEquals(4, kept.count());
        try (Qcow2Image q = Qcow2Image.openReadOnly(thinImage)) {
            assertTrue(q.snapshots().stream().mapToLong(Snapshot::vmStateSize).sum() <= space);
        }
        try (Timeline t = Timeline.open(thin, Timeline.Options.defaults())) {
            assertArrayEquals(new long[] {EVERY, 2 * EVERY, NEAR_END, 3 * EVERY}, t.persistedSnapshotIcounts());
            t.seek(LENGTH);
            assertAtTheEndOfAFullReplay(t);
            assertEquals(1, t.persistedSnapshotJumps());
        }
    }

    /** Opens the recording with its snapshot {@code name} holding {@code vmState} instead (the image is put back after). */
    private static void withReplacedSnapshot(String name, byte[] vmState, TimelineCheck check) throws Exception {
        Path saved = dir.resolve("intact.qcow2");
        Files.copy(image, saved, StandardCopyOption.REPLACE_EXISTING);
        try {
            try (Qcow2Image q = Qcow2Image.open(image)) {
                Snapshot s = q.findSnapshot(name);
                q.deleteSnapshot(name);
                q.createSnapshot(name, s.icount(), s.vmClockNanos(), vmState);
                q.flush();
            }
            try (Timeline t = Timeline.open(log, Timeline.Options.defaults())) {
                check.accept(t);
            }
        } finally {
            Files.move(saved, image, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    interface TimelineCheck {
        void accept(Timeline t) throws Exception;
    }

    private static byte[] vmState(String name) throws IOException {
        try (Qcow2Image q = Qcow2Image.openReadOnly(image)) {
            return q.readVmState(name);
        }
    }

    @Test
    public void aDamagedSnapshotIsRefusedNamingItAndTheSeekFallsBackToTheOneBefore() throws Exception {
        byte[] damaged = vmState("auto-290000000");
        damaged[damaged.length / 2] ^= 0x10; // one bit in the middle of the RAM pages
        withReplacedSnapshot("auto-290000000", damaged, t -> {
            t.seek(LENGTH);
            assertAtTheEndOfAFullReplay(t);
            List<String> notes = t.persistedSnapshotNotes();
            assertEquals(notes.toString(), 1, notes.size());
            assertTrue(notes.get(0), notes.get(0).contains("'auto-290000000' (icount 290000000)")
                    && notes.get(0).contains("damaged") && notes.get(0).contains("SHA-256"));
            assertArrayEquals(new long[] {EVERY, 2 * EVERY, 3 * EVERY}, t.persistedSnapshotIcounts());
            // it replayed from 2e8: the periodic snapshots after it, none before it
            assertArrayEquals(new long[0], between(t, 0, 2 * EVERY));
            assertTrue(between(t, 2 * EVERY, NEAR_END).length >= 8);
        });
    }

    @Test
    public void aSnapshotHoldingAnotherPositionsStateIsRefusedAndNeverWrongState() throws Exception {
        // intact bytes, valid digest, but the state of 2e8 filed under 2.9e8
        withReplacedSnapshot("auto-290000000", vmState("auto-200000000"), t -> {
            t.seek(LENGTH);
            assertAtTheEndOfAFullReplay(t);
            assertTrue(t.persistedSnapshotNotes().toString(),
                    t.persistedSnapshotNotes().get(0).contains("holds the state of icount 200000000, not 290000000"));
        });
    }

    @Test
    public void aTruncatedSnapshotIsRefusedToo() throws Exception {
        byte[] whole = vmState("auto-290000000");
        withReplacedSnapshot("auto-290000000", Arrays.copyOf(whole, whole.length / 3), t -> {
            t.seek(LENGTH);
            assertAtTheEndOfAFullReplay(t);
            assertTrue(t.persistedSnapshotNotes().toString(), t.persistedSnapshotNotes().get(0).contains("auto-290000000"));
        });
    }

    @Test
    public void snapshotMemoryStaysWithinItsBudgetByThinningOldSnapshots() throws Exception {
        long budget = 256 << 10;
        try (Timeline t = Timeline.open(log, Timeline.Options.defaults().withSnapshotBudget(budget));
                Timeline big = Timeline.open(log, Timeline.Options.defaults())) {
            assertEquals(2 * (16L << 20), big.snapshotBudget()); // the default: twice the guest's RAM
            t.replayTo(Long.MAX_VALUE);
            big.replayTo(Long.MAX_VALUE);
            assertEquals(budget, t.snapshotBudget());
            assertTrue(t.snapshotBytes() + " > " + budget, t.snapshotBytes() <= budget);
            assertTrue(big.snapshotBytes() > budget); // so the budget did thin
            long[] kept = t.snapshotIcounts();
            assertTrue(kept.length < big.snapshotIcounts().length);
            assertEquals(0, kept[0]);
            assertEquals(LENGTH, kept[kept.length - 1]);
            // thinned history still seeks exactly
            SplittableRandom r = new SplittableRandom(7);
            for (int i = 0; i < 3; i++) {
                long target = r.nextLong(LENGTH);
                t.seek(target);
                big.seek(target);
                assertArrayEquals("at " + target, big.captureState().digest(), t.captureState().digest());
            }
            assertTrue(t.snapshotBytes() <= budget);
            assertFalse(t.persistedSnapshotIcounts().length == 0);
        }
    }
}
