package dev.rewind.replay.query;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.rewind.emulator.StopReason;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.replay.Timeline;

/**
 * The brute-force answer the query engine is checked against: a replay of the whole recording
 * one instruction at a time that decodes every store itself (base address register plus
 * immediate, size) instead of using watchpoints, and compares watched ranges and registers
 * before and after each instruction.
 */
final class SingleStepTruth {

    /** A write found by decoding: the instruction's position, hart and pc, and the range's bytes around it. */
    record Write(long icount, int hart, long pc, byte[] before, byte[] after) {
    }

    record Change(long icount, long pc, long before, long after) {
    }

    final List<List<Write>> writes = new ArrayList<>();
    final List<List<Change>> registerChanges = new ArrayList<>();
    final List<long[]> privilegeChanges = new ArrayList<>(); // {icount, from, to}
    /** {icount, hart} of each arrival at {@code handler} (a trap handler's first instruction). */
    final List<long[]> arrivals = new ArrayList<>();
    long endIcount;

    /** Steps through {@code log}, watching {@code targets} and {@code registers} (of hart 0). */
    static SingleStepTruth of(Path log, List<Target> targets, List<Register> registers) throws Exception {
        return of(log, targets, registers, new int[registers.size()], -1);
    }

    /**
     * Steps through {@code log}, watching {@code targets}, register i of {@code registers} on
     * hart {@code harts[i]}, and the arrivals of every hart at pc {@code handler} (-1: none).
     */
    static SingleStepTruth of(Path log, List<Target> targets, List<Register> registers, int[] harts, long handler)
            throws Exception {
        SingleStepTruth t = new SingleStepTruth();
        for (int i = 0; i < targets.size(); i++) {
            t.writes.add(new ArrayList<>());
        }
        for (int i = 0; i < registers.size(); i++) {
            t.registerChanges.add(new ArrayList<>());
        }
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults())) {
            VirtMachine m = s.machine();
            long end = s.endIcount();
            byte[][] values = new byte[targets.size()][];
            for (int i = 0; i < targets.size(); i++) {
                values[i] = read(m, targets.get(i));
            }
            long[] regs = new long[registers.size()];
            for (int i = 0; i < regs.length; i++) {
                regs[i] = registers.get(i).read(m, harts[i]);
            }
            long[] store = new long[3];
            long[] pcsBefore = new long[m.harts()];
            while (m.icount() < end) {
                long ic = m.icount();
                for (int h = 0; h < pcsBefore.length; h++) {
                    pcsBefore[h] = m.hart(h).pc();
                }
                int priv = m.privilege();
                long[] seen = new long[3];
                boolean[] isStore = new boolean[1];
                StopReason r = m.step((pc, icount) -> {
                    seen[0] = pc;
                    seen[1] = icount;
                    seen[2] = m.currentHart(); // the hart about to run: pc, registers and memory are its
                    isStore[0] = decodeStore(m, pc, store);
                    if (pc == handler) {
                        t.arrivals.add(new long[] {icount, m.currentHart()});
                    }
                });
                long pc = seen[0];
                boolean retired = m.icount() == seen[1] + 1;
                boolean wrote = isStore[0] && retired && (store[2] == 0 || m.reg((int) store[2]) == 0);
                for (int i = 0; i < targets.size(); i++) {
                    Target tg = targets.get(i);
                    byte[] now = read(m, tg);
                    if (wrote && Long.compareUnsigned(store[0], tg.address() + tg.size()) < 0
                            && Long.compareUnsigned(tg.address(), store[0] + store[1]) < 0) {
                        t.writes.get(i).add(new Write(seen[1], (int) seen[2], pc, values[i], now));
                    }
                    values[i] = now;
                }
                for (int i = 0; i < regs.length; i++) {
                    long v = registers.get(i).read(m, harts[i]);
                    if (v != regs[i]) {
                        t.registerChanges.get(i).add(new Change(ic, pcsBefore[harts[i]], regs[i], v));
                        regs[i] = v;
                    }
                }
                if (m.privilege() != priv) {
                    t.privilegeChanges.add(new long[] {ic, priv, m.privilege()});
                }
                if (r != null && r != StopReason.LIMIT) {
                    break;
                }
            }
            t.endIcount = m.icount();
        }
        return t;
    }

    /**
     * Steps through {@code log} finding the writes to the physical bytes behind each target: a
     * physical target's own, a virtual one's as its hart ({@link Target#hart()}) translates it
     * before each instruction (nothing while it does not map it, or the hart is in M-mode with a
     * virtual address outside RAM). A store's address is translated by the hart that stores.
     */
    static SingleStepTruth physical(Path log, List<Target> targets) throws Exception {
        SingleStepTruth t = new SingleStepTruth();
        for (int i = 0; i < targets.size(); i++) {
            t.writes.add(new ArrayList<>());
        }
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults())) {
            VirtMachine m = s.machine();
            long end = s.endIcount();
            long[] store = new long[3];
            long[] pa = new long[targets.size()];
            byte[][] before = new byte[targets.size()][];
            while (m.icount() < end) {
                for (int i = 0; i < targets.size(); i++) {
                    Target tg = targets.get(i);
                    pa[i] = tg.physical() ? tg.address() : translate(m, tg.hart(), tg.address());
                    before[i] = pa[i] < 0 ? null : readPhysical(m, pa[i], tg.size());
                }
                long[] seen = new long[4];
                boolean[] isStore = new boolean[1];
                StopReason r = m.step((pc, icount) -> {
                    seen[0] = pc;
                    seen[1] = icount;
                    seen[2] = m.currentHart();
                    isStore[0] = decodeStore(m, pc, store);
                    seen[3] = isStore[0] ? translate(m, m.currentHart(), store[0]) : -1;
                });
                boolean retired = m.icount() == seen[1] + 1;
                boolean wrote = isStore[0] && retired && seen[3] >= 0 && (store[2] == 0 || m.reg((int) store[2]) == 0);
                for (int i = 0; i < targets.size(); i++) {
                    Target tg = targets.get(i);
                    if (wrote && pa[i] >= 0 && seen[3] < pa[i] + tg.size() && pa[i] < seen[3] + store[1]) {
                        t.writes.get(i).add(new Write(seen[1], (int) seen[2], seen[0], before[i],
                                readPhysical(m, pa[i], tg.size())));
                    }
                }
                if (r != null && r != StopReason.LIMIT) {
                    break;
                }
            }
            t.endIcount = m.icount();
        }
        return t;
    }

    /** Where hart {@code hart}'s loads would go for {@code va} now, or -1 (not mapped, or not RAM). */
    private static long translate(VirtMachine m, int hart, long va) {
        long pa = m.hart(hart).translate(va);
        long off = pa - VirtMachine.RAM_BASE;
        return pa == -1 || off < 0 || off >= m.config().ramSize() ? -1 : pa;
    }

    private static byte[] readPhysical(VirtMachine m, long pa, int size) {
        return AccessSearch.readPhysical(m, pa, size);
    }

    private static byte[] read(VirtMachine m, Target t) {
        byte[] b = new byte[t.size()];
        m.readMemory(t.address(), b, 0, b.length);
        return b;
    }

    /**
     * If the instruction at {@code pc} stores, sets {address, size, sc-destination-register or 0}
     * and returns true. Integer and FP stores, their compressed forms, AMOs and SC (LR reads).
     */
    static boolean decodeStore(VirtMachine m, long pc, long[] out) {
        long insn = m.instructionAt(pc);
        if (insn < 0) {
            return false;
        }
        int w = (int) insn;
        out[2] = 0;
        if ((w & 3) == 3) {
            int opcode = w & 0x7f;
            int funct3 = (w >>> 12) & 7;
            long base = m.reg((w >>> 15) & 31);
            if (opcode == 0x23 && funct3 <= 3 || opcode == 0x27 && (funct3 == 2 || funct3 == 3)) {
                long imm = ((long) (w >> 25) << 5) | ((w >>> 7) & 0x1f);
                out[0] = base + imm;
                out[1] = opcode == 0x23 ? 1L << funct3 : funct3 == 2 ? 4 : 8;
                return true;
            }
            if (opcode == 0x2f && (funct3 == 2 || funct3 == 3)) {
                int funct5 = w >>> 27;
                if (funct5 == 0b00010) {
                    return false; // LR
                }
                out[0] = base;
                out[1] = funct3 == 2 ? 4 : 8;
                if (funct5 == 0b00011) {
                    int rd = (w >>> 7) & 31;
                    if (rd == 0) {
                        return false; // an SC whose success cannot be seen; none in the guests
                    }
                    out[2] = rd;
                }
                return true;
            }
            return false;
        }
        int quadrant = w & 3;
        int funct3 = (w >>> 13) & 7;
        if (quadrant == 0 && funct3 >= 5) {
            long base = m.reg(8 + ((w >>> 7) & 7));
            if (funct3 == 6) { // c.sw
                long imm = ((w >>> 10) & 7) << 3 | ((w >>> 6) & 1) << 2 | ((w >>> 5) & 1) << 6;
                out[0] = base + imm;
                out[1] = 4;
            } else { // c.fsd, c.sd
                long imm = ((w >>> 10) & 7) << 3 | ((w >>> 5) & 3) << 6;
                out[0] = base + imm;
                out[1] = 8;
            }
            return true;
        }
        if (quadrant == 2 && funct3 >= 5) {
            long sp = m.reg(2);
            if (funct3 == 6) { // c.swsp
                long imm = ((w >>> 9) & 15) << 2 | ((w >>> 7) & 3) << 6;
                out[0] = sp + imm;
                out[1] = 4;
            } else { // c.fsdsp, c.sdsp
                long imm = ((w >>> 10) & 7) << 3 | ((w >>> 7) & 7) << 6;
                out[0] = sp + imm;
                out[1] = 8;
            }
            return true;
        }
        return false;
    }
}
