package dev.rewind.replay.query;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import dev.rewind.replay.GuestPrograms;
import dev.rewind.replay.RecordSession;
import dev.rewind.symbols.ElfSymbol;
import dev.rewind.symbols.ProgramSymbols;

/**
 * Every query answer equals what a single-step replay of the same recording finds by decoding
 * each store (no watchpoints): on a guest with machine and supervisor timer and software
 * interrupts (timer_irq), one with Sv39 translation and page faults (sv39), and one with UART
 * interrupts through the PLIC (uart_irq). The engine runs with 1024-instruction intervals, so
 * every answer crosses many of them and the write index decides which ones are replayed.
 */
public class QueryAnswersMatchSingleStepTest {

    static final long INTERVAL = 1024;
    private static Path dir;

    @BeforeClass
    public static void makeDir() throws IOException {
        dir = Files.createTempDirectory("rewind-query");
    }

    @AfterClass
    public static void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    static Path record(String guest) throws Exception {
        return record(guest, 1);
    }

    static Path record(String guest, int harts) throws Exception {
        Path log = dir.resolve(guest + "-" + harts + ".rrlog");
        if (!Files.exists(log)) {
            RecordSession.Options o = RecordSession.Options.of(GuestPrograms.elf(guest), log)
                    .withInput(null, new ByteArrayOutputStream()).withMachine(16L << 20, 0).withHarts(harts);
            try (RecordSession s = RecordSession.start(o)) {
                s.run(50_000_000L);
            }
        }
        return log;
    }

    /** Small global variables of the program (its data and bss objects), the ranges the test watches. */
    static List<Target> globals(Path elf, int max) throws Exception {
        ProgramSymbols symbols = ProgramSymbols.load(elf);
        List<Target> out = new ArrayList<>();
        for (ElfSymbol s : symbols.symbols()) {
            if (s.type() == ElfSymbol.Type.OBJECT && s.size() > 0 && s.size() <= 64 && out.size() < max) {
                out.add(Target.parse(s.name(), symbols));
            }
        }
        return out;
    }

    private static void check(String guest, List<Target> extraTargets) throws Exception {
        check(guest, 1, extraTargets, List.of(Register.parse("a0"), Register.parse("sp"), Register.parse("mstatus"),
                Register.parse("mepc"), Register.parse("satp")));
    }

    /** Registers are per hart, so a guest with several harts is checked on memory and events only. */
    private static void check(String guest, int harts, List<Target> extraTargets, List<Register> registers)
            throws Exception {
        Path log = record(guest, harts);
        List<Target> targets = new ArrayList<>(globals(GuestPrograms.elf(guest), 12));
        targets.addAll(extraTargets);
        check(guest, log, INTERVAL, targets, registers, List.of(WriteLog.Budget.DEFAULT));
    }

    /**
     * Compares the answers about {@code targets} and {@code registers} with a single-step scan of
     * {@code log}, once per write-log budget (registers: with the first).
     */
    static void check(String guest, Path log, long interval, List<Target> targets, List<Register> registers,
            List<WriteLog.Budget> budgets) throws Exception {
        SingleStepTruth truth = SingleStepTruth.of(log, targets, registers);
        for (WriteLog.Budget budget : budgets) {
            check(guest + " (write log " + budget + ")", log, interval, targets, budget == budgets.get(0) ? registers
                    : List.of(), budget, truth);
        }
    }

    private static void check(String guest, Path log, long interval, List<Target> targets, List<Register> registers,
            WriteLog.Budget budget, SingleStepTruth truth) throws Exception {
        try (QueryEngine q = QueryEngine.open(log, null, interval)) {
            q.budget(budget);
            q.index(Progress.NONE);
            assertEquals(truth.endIcount, q.endIcount());
            int withWrites = 0;
            for (int i = 0; i < targets.size(); i++) {
                Target t = targets.get(i);
                List<SingleStepTruth.Write> expected = truth.writes.get(i);
                List<Access> all = q.writes(t, q.startIcount(), q.endIcount(), Progress.NONE);
                assertEquals(guest + " " + t + ": every write", positions(expected), positionsOf(all));
                for (int j = 0; j < all.size(); j++) {
                    assertEquals(t + " pc", expected.get(j).pc(), all.get(j).pc());
                    assertEquals(t + " hart", expected.get(j).hart(), all.get(j).hart());
                    if (all.get(j).before() != null) {
                        assertArrayEquals(guest + " " + t + " before " + all.get(j).icount(), expected.get(j).before(), all.get(j).before());
                        assertArrayEquals(guest + " " + t + " after " + all.get(j).icount(), expected.get(j).after(), all.get(j).after());
                    }
                }
                withWrites += expected.isEmpty() ? 0 : 1;
                // last and next write from positions spread over the recording
                for (long p = q.startIcount(); p <= q.endIcount(); p += Math.max(1, q.endIcount() / 7)) {
                    long at = p;
                    Optional<SingleStepTruth.Write> last = expected.stream().filter(w -> w.icount() < at)
                            .reduce((a, b) -> b);
                    Optional<SingleStepTruth.Write> next = expected.stream().filter(w -> w.icount() >= at).findFirst();
                    assertEquals(t + " last write before " + at, last.map(w -> w.icount() + "@" + w.hart()),
                            q.lastWrite(t, at, Progress.NONE).map(a -> a.icount() + "@" + a.hart()));
                    assertEquals(t + " next write from " + at, next.map(w -> w.icount() + "@" + w.hart()),
                            q.nextWrite(t, at, Progress.NONE).map(a -> a.icount() + "@" + a.hart()));
                }
                QueryEngine.History h = q.history(t, q.startIcount(), q.endIcount(), Progress.NONE);
                List<String> changes = new ArrayList<>();
                for (SingleStepTruth.Write w : expected) {
                    if (!java.util.Arrays.equals(w.before(), w.after())) {
                        changes.add(w.icount() + "@" + w.hart() + " " + Access.hex(w.after()));
                    }
                }
                if (h.changes().stream().allMatch(a -> a.before() != null)) {
                    assertEquals(t + " value history", changes, h.changes().stream()
                            .map(a -> a.icount() + "@" + a.hart() + " " + Access.hex(a.after())).toList());
                }
            }
            assertTrue(guest + ": some watched variable is written", withWrites > 0);
            checkRegisters(guest, q, registers, new int[registers.size()], truth);
            List<QueryEvent> privilege = new ArrayList<>();
            for (QueryEvent e : q.events(EnumSet.allOf(QueryEvent.Kind.class), q.startIcount(), q.endIcount(),
                    Progress.NONE)) {
                if (e.changesPrivilege()) {
                    privilege.add(e);
                }
            }
            List<String> expectedPriv = new ArrayList<>();
            for (long[] c : truth.privilegeChanges) {
                expectedPriv.add(c[1] + "->" + c[2]);
            }
            List<String> gotPriv = new ArrayList<>();
            for (QueryEvent e : privilege) {
                gotPriv.add(e.fromPrivilege() + "->" + e.toPrivilege());
            }
            assertEquals(guest + ": privilege changes", expectedPriv, gotPriv);
        }
    }

    /** Last and next changes of register i on hart {@code harts[i]} from positions spread over the recording. */
    private static void checkRegisters(String guest, QueryEngine q, List<Register> registers, int[] harts,
            SingleStepTruth truth) {
        for (int i = 0; i < registers.size(); i++) {
            Register r = registers.get(i);
            int hart = harts[i];
            String what = guest + " " + r + " of hart " + hart;
            List<SingleStepTruth.Change> expected = truth.registerChanges.get(i);
            for (long p = q.startIcount() + 1; p <= q.endIcount(); p += Math.max(1, q.endIcount() / 5)) {
                long at = p;
                Optional<SingleStepTruth.Change> last = expected.stream().filter(c -> c.icount() < at)
                        .reduce((a, b) -> b);
                Optional<QueryEngine.RegisterChange> got = q.lastChange(r, hart, at, Progress.NONE);
                assertEquals(what + " last change before " + at, last.map(SingleStepTruth.Change::icount),
                        got.map(QueryEngine.RegisterChange::icount));
                if (got.isPresent()) {
                    assertEquals(what + " value", last.get().after(), got.get().after());
                    assertEquals(what + " pc", last.get().pc(), got.get().pc());
                    assertEquals(what + " hart", hart, got.get().hart());
                }
                Optional<SingleStepTruth.Change> next = expected.stream().filter(c -> c.icount() >= at).findFirst();
                assertEquals(what + " next change from " + at, next.map(SingleStepTruth.Change::icount),
                        q.nextChange(r, hart, at, Progress.NONE).map(QueryEngine.RegisterChange::icount));
            }
        }
    }

    private static List<Long> positions(List<SingleStepTruth.Write> ws) {
        return ws.stream().map(SingleStepTruth.Write::icount).toList();
    }

    private static List<Long> positionsOf(List<Access> as) {
        return as.stream().map(Access::icount).toList();
    }

    @Test
    public void answersOnATimerInterruptGuestEqualASingleStepScan() throws Exception {
        check("timer_irq", List.of(Target.parse("0x2004000:8", null))); // CLINT mtimecmp: a device register
    }

    @Test
    public void answersOnAnSv39GuestEqualASingleStepScan() throws Exception {
        check("sv39", List.of());
    }

    @Test
    public void answersOnAUartInterruptGuestEqualASingleStepScan() throws Exception {
        check("uart_irq", List.of(Target.parse("0x10000000:1", null))); // the UART's THR
    }

    @Test
    public void answersOnFourHartsSharingCountersEqualASingleStepScanWithTheWritersHart() throws Exception {
        // amoadd, LR/SC and the IPI token's mailbox are written by every hart, interleaved
        ProgramSymbols symbols = ProgramSymbols.load(GuestPrograms.elf("smp"));
        List<Target> shared = new ArrayList<>();
        for (String name : new String[] {"amo_counter", "lrsc_counter", "lrsc_retries", "mailbox", "ipis"}) {
            shared.add(Target.parse(name, symbols));
        }
        shared.add(Target.parse("0x2000000:16", null)); // CLINT msip of harts 0..3: the IPIs
        check("smp", 4, shared, List.of());
        Path log = record("smp", 4);
        try (QueryEngine q = QueryEngine.open(log, null, INTERVAL)) {
            java.util.Set<Integer> writers = new java.util.TreeSet<>();
            for (Access a : q.writes(q.target("amo_counter"), q.startIcount(), q.endIcount(), Progress.NONE)) {
                writers.add(a.hart());
            }
            assertEquals("harts that added to amo_counter", java.util.Set.of(0, 1, 2, 3), writers);
            StringBuilder text = new StringBuilder();
            for (QueryEvent e : q.events(QueryEvent.kindsNamed("uart_out"), 0, Long.MAX_VALUE, Progress.NONE)) {
                text.append((char) e.value());
            }
            assertTrue(text.toString(), text.toString().startsWith("harts 4 amo 8000 lrsc 8000"));
        }
    }

    @Test
    public void trapsAndRegisterChangesOnFourHartsNameTheHartAndEqualASingleStepScan() throws Exception {
        // every hart takes hartid + 1 ECALLs and hartid + 1 timer interrupts in the same handler
        Path log = record("smp_traps", 4);
        long handler = ProgramSymbols.load(GuestPrograms.elf("smp_traps")).symbol("on_trap").value();
        List<Register> registers = new ArrayList<>();
        int[] harts = new int[16];
        for (int h = 0; h < 4; h++) {
            for (String name : new String[] {"mepc", "mcause", "a0", "sp"}) {
                harts[registers.size()] = h;
                registers.add(Register.parse(name));
            }
        }
        SingleStepTruth truth = SingleStepTruth.of(log, List.of(), registers, harts, handler);
        try (QueryEngine q = QueryEngine.open(log, null, INTERVAL)) {
            List<String> expected = truth.arrivals.stream().map(a -> a[0] + "@" + a[1]).toList();
            List<QueryEvent> traps = q.events(QueryEvent.kindsNamed("trap"), 0, Long.MAX_VALUE, Progress.NONE);
            assertEquals("trap entries: position and hart", expected,
                    traps.stream().map(e -> e.icount() + "@" + e.hart()).toList());
            for (int h = 0; h < 4; h++) {
                int hart = h;
                assertEquals("ECALLs of hart " + h, h + 1, traps.stream()
                        .filter(e -> e.hart() == hart && e.kind() == QueryEvent.Kind.EXCEPTION).count());
                assertEquals("timer interrupts of hart " + h, h + 1, traps.stream()
                        .filter(e -> e.hart() == hart && e.kind() == QueryEvent.Kind.INTERRUPT).count());
            }
            checkRegisters("smp_traps", q, registers, harts, truth);
        }
    }

    @Test
    public void uartOutputEventsSpellTheConsoleOutputAtIncreasingPositions() throws Exception {
        Path log = record("timer_irq");
        try (QueryEngine q = QueryEngine.open(log, null, INTERVAL)) {
            List<QueryEvent> out = q.events(QueryEvent.kindsNamed("uart_out"), 0, Long.MAX_VALUE, Progress.NONE);
            StringBuilder text = new StringBuilder();
            long last = -1;
            for (QueryEvent e : out) {
                text.append((char) e.value());
                assertTrue(e.icount() >= last);
                last = e.icount();
            }
            assertTrue(text.toString(), text.toString().contains("CHECKS PASSED"));
            assertFalse(q.events(QueryEvent.kindsNamed("interrupt"), 0, Long.MAX_VALUE, Progress.NONE).isEmpty());
        }
    }
}
