package dev.rewind.emulator;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.Test;

/**
 * Translated blocks against the interpreter (itself checked instruction by instruction against
 * QEMU): the same guests run on two machines, one with hot code translated, one interpreting
 * everything, in lockstep chunks of awkward sizes, so every icount limit also lands inside
 * translated blocks and their self-loops. After each chunk both must agree on stop reason,
 * icount, pc, privilege and every register; at the end on the state digest and UART output.
 */
public class TranslatedBlocksMatchInterpreterTest {

    private static final long[] CHUNKS = {1, 2, 3, 7, 100, 997, 10_007, 65_536, 5, 250_000};
    private static final long BUDGET = 50_000_000;

    private static VirtMachine machine(ElfImage elf, ByteArrayOutputStream uart, boolean translate) throws Exception {
        VirtMachine m = Guests.machine(elf, uart);
        m.translateHotCode(translate);
        return m;
    }

    /** Runs both machines to the end in lockstep; returns the translated machine's block entries. */
    private static long lockstep(String name, ElfImage elf) throws Exception {
        ByteArrayOutputStream outA = new ByteArrayOutputStream();
        ByteArrayOutputStream outB = new ByteArrayOutputStream();
        VirtMachine a = machine(elf, outA, false);
        VirtMachine b = machine(elf, outB, true);
        RandomPrograms.runInLockstep(name, a, b, CHUNKS, BUDGET);
        assertEquals(name + ": exit code", a.exitCode(), b.exitCode());
        assertEquals(name + ": uart", outA.toString(StandardCharsets.UTF_8), outB.toString(StandardCharsets.UTF_8));
        assertEquals(name + ": state digest", a.digestHex(), b.digestHex());
        assertEquals(name + ": the interpreter-only machine entered a block", 0, a.blocksEntered());
        return b.blocksEntered();
    }

    private static void guests(String... names) throws Exception {
        for (String name : names) {
            long entered = lockstep(name, ElfImage.read(Guests.elf(name)));
            assertTrue(name + " ran no translated block", entered > 0);
        }
    }

    @Test
    public void instructionClassGuestsMatch() throws Exception {
        guests("rv64i", "rv64m", "rv64a", "rvc", "zicsr", "icount");
    }

    @Test
    public void trapInterruptAndTranslationGuestsMatch() throws Exception {
        guests("boot", "traps", "timer_irq", "uart_irq", "sv39", "sample");
    }

    @Test
    public void floatingPointGuestsMatch() throws Exception {
        guests("rvfd", "fpwork", "fpdebug");
    }

    /**
     * Bad FP input in translated code: a hot loop of fld/fadd.d (dynamic rm)/fsd/fmv.x.d runs
     * translated, then again with mstatus.FS Off (every FP instruction traps, the handler skips
     * it), then with frm = 5 (only fadd.d traps), then a hot loop holding an fadd.d with the
     * reserved static rm 6. The guest checks each trap's mcause, mtval and trap count itself; the
     * run must pass on QEMU 7.2 with the same icount at exit, and match the interpreter in lockstep.
     */
    @Test
    public void fsOffAndReservedRoundingModesTrapInTranslatedCodeAsOnQemu() throws Exception {
        String body = " la t0, trap\n csrw mtvec, t0\n li t0, 0x2000\n csrs mstatus, t0\n"
                + " la a0, data\n li s0, 0\n"
                + " li a1, 300\n call hot\n bnez s0, fail\n"
                // FS Off: four traps per pass, mtval the instruction, FS stays Off.
                + " li t0, 0x6000\n csrc mstatus, t0\n li a1, 50\n call hot\n li t0, 200\n bne s0, t0, fail\n"
                + " lwu t0, fmv_insn\n bne s9, t0, fail\n"
                + " csrr t0, mstatus\n li t1, 0x6000\n and t0, t0, t1\n bnez t0, fail\n"
                // FS on, frm = 5: only the dynamic-rm fadd.d is illegal.
                + " li t0, 0x2000\n csrs mstatus, t0\n li t0, 5\n csrw frm, t0\n li s0, 0\n"
                + " li a1, 50\n call hot\n li t0, 50\n bne s0, t0, fail\n lwu t0, fadd_insn\n bne s9, t0, fail\n"
                + " csrwi frm, 0\n li s0, 0\n li a1, 80\n"
                + "rm6loop:\n fadd.d f2, f2, f1, rne\n"
                + "rm6_insn:\n .insn r 0x53, 6, 1, f3, f2, f1\n addi a1, a1, -1\n bnez a1, rm6loop\n"
                + " li t0, 80\n bne s0, t0, fail\n lwu t0, rm6_insn\n bne s9, t0, fail\n j pass\n"
                + "hot:\n fld f1, 0(a0)\n"
                + "fadd_insn:\n fadd.d f2, f2, f1\n fsd f2, 8(a0)\n"
                + "fmv_insn:\n fmv.x.d t2, f2\n"
                + " addi a1, a1, -1\n bnez a1, hot\n ret\n"
                // Illegal instruction only: count it, keep mtval in s9, skip the instruction.
                + ".balign 4\ntrap:\n csrr t5, mcause\n li t6, 2\n bne t5, t6, fail\n addi s0, s0, 1\n"
                + " csrr s9, mtval\n csrr t5, mepc\n addi t5, t5, 4\n csrw mepc, t5\n mret\n"
                + ".data\n.balign 8\ndata: .double 1.5, 0\n";
        java.nio.file.Path file = Guests.assembleFile(body, "rv64gc", "lp64d");
        long entered = lockstep("FS Off / reserved rm in hot code", ElfImage.read(file));
        assertTrue("the loops ran no translated block", entered > 0);
        passesHereAndOnQemuWithTheSameIcount(file, java.util.List.of());
    }

    /**
     * The guest passes its own checks here and on QEMU 7.2 (run with {@code qemuArgs}), and
     * exits at QEMU's icount; returns the instructions it retired here.
     */
    private static long passesHereAndOnQemuWithTheSameIcount(java.nio.file.Path file, java.util.List<String> qemuArgs)
            throws Exception {
        VirtMachine m = Guests.machine(ElfImage.read(file), new ByteArrayOutputStream());
        assertEquals(StopReason.EXIT, m.run(BUDGET));
        assertEquals("the guest's own checks pass", 0, m.exitCode());
        if (dev.rewind.emulator.reference.QemuReference.qemuAvailable()) {
            var qemu = new dev.rewind.emulator.reference.QemuReference(Guests.repoRoot());
            assertEquals("QEMU passes the guest", 0,
                    qemu.run(file, new byte[0], qemuArgs, java.time.Duration.ofSeconds(120)).exitCode());
            assertEquals("instructions at exit", qemu.icountAtExit(file, java.util.List.of("-icount", "sleep=off")),
                    m.icount());
        }
        return m.icount();
    }

    /**
     * Chained code on real timing: a delay loop that calls a function below it in the page,
     * which reads mtime (a device read that stays in the block) and returns, while the timer
     * interrupt fires every 37 ticks; then a loop that calls a function below it and rewrites
     * that function's instruction after every call (the caller's block holds the callee and must
     * be dropped). It must match the interpreter in lockstep, pass on QEMU 7.2 and end at
     * QEMU's icount, and the calls must stay inside translated blocks.
     */
    @Test
    public void callsReturnsAndTimerReadsInsideBlocksMatchTheInterpreterAndQemu() throws Exception {
        String body = " la t0, trap\n csrw mtvec, t0\n li s0, 0\n li s1, 0x2004000\n li s2, 0x200bff8\n"
                + " ld t0, 0(s2)\n addi t0, t0, 50\n sd t0, 0(s1)\n li t0, 0x80\n csrs mie, t0\n csrsi mstatus, 8\n"
                + " li s3, 400\n j outer\n"
                + "now:\n ld a0, 0(s2)\n lwu a2, 0(s2)\n ret\n"
                + "bump:\nbump_insn:\n addi a5, a5, 1\n ret\n"
                + "outer:\n call delay\n addi s3, s3, -1\n bnez s3, outer\n csrci mstatus, 8\n"
                + " li t0, 10\n blt s0, t0, fail\n"
                + " li a5, 0\n li t3, 100\n la t1, bump_insn\n lw t2, 0(t1)\n li t4, 0x300000\n"
                + "patch:\n call bump\n xor t2, t2, t4\n sw t2, 0(t1)\n fence.i\n addi t3, t3, -1\n bnez t3, patch\n"
                + " li t5, 150\n bne a5, t5, fail\n j pass\n"
                + "delay:\n mv s4, ra\n call now\n addi a1, a0, 3\n"
                + "1:\n call now\n bltu a0, a1, 1b\n mv ra, s4\n ret\n"
                + ".balign 4\ntrap:\n csrr t0, mcause\n bgez t0, fail\n addi s0, s0, 1\n"
                + " ld t0, 0(s2)\n addi t0, t0, 37\n sd t0, 0(s1)\n mret\n";
        java.nio.file.Path file = Guests.assembleFile(body, "rv64imac_zicsr_zifencei", "lp64");
        long entered = lockstep("calls, timer reads and a patched callee", ElfImage.read(file));
        // Under icount on QEMU too, as the guest's delay loop counts timer ticks.
        long retired = passesHereAndOnQemuWithTheSameIcount(file, java.util.List.of("-icount", "shift=0,sleep=off"));
        assertTrue("calls and returns stay inside blocks: " + retired + " instructions in " + entered + " entries",
                retired > 20 * entered);
    }

    /**
     * Code that keeps crossing pages, as Embench's nsichneu does (tests on one page, their bodies
     * 128 KiB away, each jumping back), with calls to functions of the other page (returns are
     * JALRs; one callee is entered by a call and by a tail call, so its return has two
     * targets) while the timer interrupt fires every 37 ticks. Translated blocks chain into each
     * other across those exits through links; the interrupts must be taken at the same icounts
     * as the interpreter takes them (lockstep, every chunk size a different cut through the
     * chains), the guest's own checks pass, and it ends at QEMU 7.2's icount.
     */
    @Test
    public void chainsAcrossPagesStopAtExactIcountsAndTakeInterruptsWhereTheInterpreterDoes() throws Exception {
        java.nio.file.Path file = Guests.assembleFile(CROSS_PAGE_CHAINS, "rv64imac_zicsr_zifencei", "lp64");
        ElfImage elf = ElfImage.read(file);
        ByteArrayOutputStream outA = new ByteArrayOutputStream();
        ByteArrayOutputStream outB = new ByteArrayOutputStream();
        VirtMachine a = machine(elf, outA, false);
        VirtMachine b = machine(elf, outB, true);
        RandomPrograms.runInLockstep("cross-page chains", a, b, CHUNKS, BUDGET);
        assertEquals("the guest's own checks pass", 0, b.exitCode());
        assertEquals(a.digestHex(), b.digestHex());
        assertTrue("blocks entered blocks through links: " + b.blocksLinked() + " linked, " + b.blocksEntered()
                + " from the dispatcher", b.blocksLinked() > b.blocksEntered());
        passesHereAndOnQemuWithTheSameIcount(file, java.util.List.of("-icount", "shift=0,sleep=off"));
    }

    /** The guest of the chaining tests: s0 counts timer interrupts, a1 and a4 sums it checks. */
    static final String CROSS_PAGE_CHAINS = " la t0, trap\n csrw mtvec, t0\n li s0, 0\n li s1, 0x2004000\n"
            + " li s2, 0x200bff8\n ld t0, 0(s2)\n addi t0, t0, 50\n sd t0, 0(s1)\n li t0, 0x80\n csrs mie, t0\n"
            + " csrsi mstatus, 8\n li s3, 20000\n li a0, 0\n li a1, 0\n li a4, 0\n li a5, 0\n la s4, data\n"
            + "loop:\n addi a0, a0, 1\n andi t1, a0, 3\n beqz t1, 1f\n j far1\n"
            + "back1:\n addi a1, a1, 2\n"
            + "1:\n call far2\n andi t1, a0, 7\n bnez t1, 2f\n call far3\n"
            + "2:\n addi s3, s3, -1\n bnez s3, loop\n csrci mstatus, 8\n"
            + " li t0, 10\n blt s0, t0, fail\n li t0, 30000\n bne a1, t0, fail\n"
            // a4 = sum of a0 over all far2 calls: 1..20000 once each, plus a0 again for every 8th (tail call).
            + " li t0, 200010000 + 8 * 2500 * 2501 / 2\n bne a4, t0, fail\n li t0, 7500\n bne a5, t0, fail\n j pass\n"
            + ".balign 4\ntrap:\n csrr t0, mcause\n bgez t0, fail\n addi s0, s0, 1\n"
            + " ld t0, 0(s2)\n addi t0, t0, 37\n sd t0, 0(s1)\n mret\n"
            // 128 KiB away: exits whose targets lie far outside their page.
            + ".balign 4096\n.space 0x20000\nfar1:\n addi a2, a2, 1\n xor a3, a3, a2\n"
            + "far1_store:\n sd a3, 0(s4)\n j back1\n"
            + "far2:\n add a4, a4, a0\n ret\n"
            + "far3:\n addi a5, a5, 3\n j far2\n"
            + ".data\n.balign 8\ndata: .dword 0\n.text\n";

    /**
     * The debugger's hooks on chained code: once the blocks of {@link #CROSS_PAGE_CHAINS} link
     * to each other, a breakpoint at a linked successor's entry on the other page, then a write
     * watchpoint on what a linked block stores, stop both machines at the same instruction
     * (links into the changed code are void); after their removal the blocks link again.
     */
    @Test
    public void breakpointsAndWatchpointsStopChainedCodeAtTheSameInstruction() throws Exception {
        ElfImage elf = ElfImage.read(Guests.assembleFile(CROSS_PAGE_CHAINS, "rv64imac_zicsr_zifencei", "lp64"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        VirtMachine a = machine(elf, out, false);
        VirtMachine b = machine(elf, out, true);
        for (VirtMachine m : new VirtMachine[] {a, b}) {
            assertEquals(StopReason.LIMIT, m.run(200_000));
        }
        RandomPrograms.assertSameState("warmed up", a, b);
        long linked = b.blocksLinked();
        assertTrue("blocks are linked before the hooks are set", linked > 0);
        long back1 = elf.symbol("back1").orElseThrow();
        long far2 = elf.symbol("far2").orElseThrow();
        for (long at : new long[] {back1, far2}) {
            for (VirtMachine m : new VirtMachine[] {a, b}) {
                m.addBreakpoint(at);
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(StopReason.BREAKPOINT, a.run(Long.MAX_VALUE));
                assertEquals(StopReason.BREAKPOINT, b.run(Long.MAX_VALUE));
                assertEquals(at, b.pc());
                RandomPrograms.assertSameState("breakpoint stop " + i, a, b);
            }
            for (VirtMachine m : new VirtMachine[] {a, b}) {
                m.removeBreakpoint(at);
            }
        }
        long data = elf.symbol("data").orElseThrow();
        long store = elf.symbol("far1_store").orElseThrow();
        for (VirtMachine m : new VirtMachine[] {a, b}) {
            m.addWatchpoint(data, 8, WatchKind.WRITE);
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(StopReason.WATCHPOINT, a.run(Long.MAX_VALUE));
            assertEquals(StopReason.WATCHPOINT, b.run(Long.MAX_VALUE));
            RandomPrograms.assertSameState("watch stop " + i, a, b);
            assertEquals(a.lastWatchHit(), b.lastWatchHit());
            assertEquals("stopped after the store", store + 4, b.pc());
        }
        long before = b.blocksLinked();
        for (VirtMachine m : new VirtMachine[] {a, b}) {
            m.removeWatchpoint(data, 8, WatchKind.WRITE);
            assertEquals(StopReason.EXIT, m.run(Long.MAX_VALUE));
        }
        RandomPrograms.assertSameState("exit", a, b);
        assertEquals(0, b.exitCode());
        assertTrue("blocks link again after the hooks are gone", b.blocksLinked() > before);
        assertEquals(a.digestHex(), b.digestHex());
    }

    /**
     * A loop that calls a function on another page and rewrites that function's instruction
     * after every call (addi a5,a5,1 and addi a5,a5,2 alternately): the caller's exit is
     * linked to the callee's block, and each store must void that link, so the next call runs
     * the new instruction.
     */
    @Test
    public void aStoreIntoALinkedSuccessorOnAnotherPageTakesEffectAtItsNextEntry() throws Exception {
        ElfImage elf = Guests.assemble(" li a5, 0\n li t3, 3000\n la t1, bump_insn\n lw t2, 0(t1)\n li t4, 0x300000\n"
                + "patch:\n call bump\n xor t2, t2, t4\n sw t2, 0(t1)\n fence.i\n addi t3, t3, -1\n bnez t3, patch\n"
                + " li t5, 4500\n bne a5, t5, fail\n j pass\n"
                + ".balign 4096\nbump:\n addi a6, a6, 1\nbump_insn:\n addi a5, a5, 1\n addi a7, a7, 1\n ret\n");
        long entered = lockstep("a patched callee on another page", elf);
        assertTrue("the loop ran translated", entered > 0);
    }

    @Test
    public void selfModifyingCodeGuestMatches() throws Exception {
        guests("fencei");
    }

    /**
     * A hot loop that rewrites an instruction of its own block on every pass (addi a0,a0,1 and
     * addi a0,a0,2 alternately): the store must drop the running block's translation.
     */
    @Test
    public void storeIntoTheRunningBlockTakesEffectOnItsNextInstruction() throws Exception {
        ElfImage elf = Guests.assemble("li a0, 0\n li t0, 200\n la t1, patch\n lw t2, 0(t1)\n li t3, 0x300000\n"
                + "loop:\n xor t2, t2, t3\n sw t2, 0(t1)\n fence.i\n"
                + "patch:\n addi a0, a0, 1\n addi t0, t0, -1\n bnez t0, loop\n"
                + " li t4, 300\n bne a0, t4, fail\n j pass\n");
        long entered = lockstep("self-patching loop", elf);
        assertTrue("the loop ran no translated block", entered > 0);
    }

    /**
     * The debugger's hooks on hot code: after a hot loop has been translated, a write watchpoint
     * (all accesses leave the fast path), a breakpoint in the middle of the loop and their removal
     * stop both machines at the same instruction.
     */
    @Test
    public void watchpointsAndBreakpointsInHotCodeStopAtTheSameInstruction() throws Exception {
        ElfImage elf = Guests.assemble("la t1, data\n li t0, 0\n li t2, 100000\n"
                + "loop:\n addi t0, t0, 1\n andi t3, t0, 7\n slli t3, t3, 3\n add t3, t3, t1\n ld t4, 0(t3)\n"
                + "middle:\n add t4, t4, t0\n sd t4, 0(t3)\n blt t0, t2, loop\n j pass\n"
                + ".data\n.balign 8\ndata: .dword 0, 0, 0, 0, 0, 0, 0, 0\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        VirtMachine a = machine(elf, out, false);
        VirtMachine b = machine(elf, out, true);
        for (VirtMachine m : new VirtMachine[] {a, b}) {
            assertEquals(StopReason.LIMIT, m.run(20_000));
        }
        assertTrue("the loop is translated", b.blocksEntered() > 0);
        long data = elf.symbol("data").orElseThrow();
        long middle = elf.symbol("middle").orElseThrow();
        for (VirtMachine m : new VirtMachine[] {a, b}) {
            m.addWatchpoint(data + 40, 8, WatchKind.WRITE);
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(StopReason.WATCHPOINT, a.run(Long.MAX_VALUE));
            assertEquals(StopReason.WATCHPOINT, b.run(Long.MAX_VALUE));
            RandomPrograms.assertSameState("watch stop " + i, a, b);
            assertEquals(a.lastWatchHit(), b.lastWatchHit());
        }
        for (VirtMachine m : new VirtMachine[] {a, b}) {
            m.removeWatchpoint(data + 40, 8, WatchKind.WRITE);
            m.addBreakpoint(middle);
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(StopReason.BREAKPOINT, a.run(Long.MAX_VALUE));
            assertEquals(StopReason.BREAKPOINT, b.run(Long.MAX_VALUE));
            assertEquals(middle, b.pc());
            RandomPrograms.assertSameState("breakpoint stop " + i, a, b);
        }
        long entered = b.blocksEntered();
        for (VirtMachine m : new VirtMachine[] {a, b}) {
            m.removeBreakpoint(middle);
            assertEquals(StopReason.EXIT, m.run(Long.MAX_VALUE));
        }
        RandomPrograms.assertSameState("exit", a, b);
        assertTrue("the loop is translated again after the hooks are gone", b.blocksEntered() > entered);
        assertEquals(a.digestHex(), b.digestHex());
    }
}
