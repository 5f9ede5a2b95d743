package dev.rewind.debug.core.model;

import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;

import dev.rewind.emulator.VirtMachine;
import dev.rewind.replay.Timeline;
import dev.rewind.replay.TimeTravel;
import dev.rewind.replay.Stop;
import dev.rewind.replay.StopConditions;
import dev.rewind.symbols.FunctionInfo;
import dev.rewind.symbols.ProgramSymbols;
import dev.rewind.symbols.SourceLocation;
import dev.rewind.symbols.StackFrame;

/**
 * Source-level movements over a replay, forwards and backwards, built on {@link TimeTravel}.
 * Runs on the engine thread only.
 *
 * <p>Frames are told apart by the stack pointer: a callee runs with sp below its caller's (and
 * at its first instruction, with the caller's sp in another function). Backward line steps
 * record the pc and sp of a window of instructions before the current position, pick the
 * target from that trail and seek to it; the window grows until the previous line's start is
 * inside it, so a step back costs about one line of replay plus one snapshot restore.
 */
final class SourceStepper {

    private static final int SP = 2;
    private static final int RA = 1;
    private static final long FIRST_WINDOW = 2048;
    /** A forward line step that has not left its line after this many instructions stops anyway. */
    private static final long MAX_LINE_STEPS = 5_000_000L;

    private final Timeline timeline;
    private final TimeTravel travel;
    private final ProgramSymbols symbols;
    private final VirtMachine m;
    /** See {@link #pauseForBreakpointChanges}. */
    private BooleanSupplier breakpointPause = () -> false;

    SourceStepper(Timeline timeline, TimeTravel travel, ProgramSymbols symbols) {
        this.timeline = timeline;
        this.travel = travel;
        this.symbols = symbols;
        this.m = timeline.machine();
    }

    /**
     * {@code applied} is asked when a forward run comes back INTERRUPTED: it applies the
     * breakpoint changes the run was interrupted for and answers true (the move goes on, with
     * them), or answers false for any other interruption (Suspend: the move ends).
     */
    void pauseForBreakpointChanges(BooleanSupplier applied) {
        this.breakpointPause = applied;
    }

    private boolean pausedForBreakpoints(Stop s) {
        return s.kind() == Stop.Kind.INTERRUPTED && breakpointPause.getAsBoolean();
    }

    private Stop here(Stop.Kind kind) {
        return new Stop(kind, timeline.icount(), m.pc(), null);
    }

    // ---- forwards ----

    /**
     * Continues to the next breakpoint or the end of history in one engine run, which the
     * timeline's interrupt check (see ReplayTarget.start) ends early for a Suspend or pauses for a
     * breakpoint change. Not in slices of our own: every run leaves fine snapshots behind its
     * limit, which cost a quarter of the replay speed at 20M-instruction slices.
     */
    Stop resume() {
        while (true) {
            Stop s = travel.continueForward();
            if (!pausedForBreakpoints(s)) {
                return s;
            }
            if (timeline.stops().hasBreakpoint(m.pc())) {
                // paused right at a breakpoint just set: going on would step over it
                return here(Stop.Kind.BREAKPOINT);
            }
        }
    }

    Stop stepInto() {
        return forwardLine(false);
    }

    Stop stepOver() {
        return forwardLine(true);
    }

    private Stop forwardLine(boolean over) {
        SourceLocation from = symbols.lineFor(m.pc());
        FunctionInfo fn = outer(m.pc());
        long sp0 = m.reg(SP);
        for (long n = 0; n < MAX_LINE_STEPS; n++) {
            Stop s = travel.stepForward();
            while (pausedForBreakpoints(s)) {
                s = travel.stepForward(); // interrupted before the instruction: take it now
            }
            if (s.kind() != Stop.Kind.STEP) {
                return s;
            }
            long pc = m.pc();
            if (timeline.stops().hasBreakpoint(pc)) {
                return here(Stop.Kind.BREAKPOINT);
            }
            FunctionInfo f = outer(pc);
            long sp = m.reg(SP);
            SourceLocation line = symbols.lineFor(pc);
            if (f != null && pc == f.lowPc() && !same(f, fn) && sp <= sp0) {
                // just called a function
                if (over || line == null) {
                    Stop r = runToReturn(m.reg(RA), sp);
                    if (r.kind() != Stop.Kind.STEP) {
                        return r;
                    }
                    continue;
                }
                return here(Stop.Kind.STEP);
            }
            if (line == null) {
                continue;
            }
            if (sp > sp0 && !same(f, fn)) {
                // returned into the caller in the middle of its line: finish that line, as gdb does
                from = line;
                fn = f;
                sp0 = sp;
                continue;
            }
            if (!line.equals(from) || !same(f, fn)) {
                return here(Stop.Kind.STEP);
            }
        }
        return here(Stop.Kind.STEP);
    }

    Stop stepReturn() {
        List<StackFrame> frames = frames();
        if (frames.size() < 2) {
            return stepOver();
        }
        return runToReturn(frames.get(1).pc(), frames.get(0).cfa());
    }

    /**
     * Runs until {@code returnPc} is reached with the stack back at or above {@code entrySp},
     * with a temporary breakpoint there for this move only (the user's stay as they are).
     */
    private Stop runToReturn(long returnPc, long entrySp) {
        StopConditions returned = StopConditions.breakpointAt(returnPc);
        while (true) {
            Stop s = travel.continueForward(returned);
            if (pausedForBreakpoints(s)) {
                if (m.pc() != returnPc && timeline.stops().hasBreakpoint(m.pc())) {
                    return here(Stop.Kind.BREAKPOINT); // paused right at a breakpoint just set
                }
                continue;
            }
            if (s.kind() != Stop.Kind.BREAKPOINT) {
                return s;
            }
            if (m.pc() == returnPc && m.reg(SP) >= entrySp) {
                return timeline.stops().hasBreakpoint(returnPc) ? s : here(Stop.Kind.STEP);
            }
            if (m.pc() != returnPc) {
                return s; // a user breakpoint inside the call
            }
            // a deeper recursive instance returned here: keep going
        }
    }

    // ---- backwards ----

    Stop reverseResume() {
        return travel.continueBack();
    }

    Stop reverseStepInto() {
        return reverseLine(false);
    }

    Stop reverseStepOver() {
        return reverseLine(true);
    }

    /** The instructions [from, to) as executed: pc and sp before each. Leaves the replay at {@code to}. */
    private record Trail(long from, long[] pc, long[] sp) {
        int size() {
            return pc.length;
        }
    }

    private Trail trail(long from, long to) {
        int n = (int) (to - from);
        long[] pcs = new long[n];
        long[] sps = new long[n];
        timeline.seek(from);
        for (int i = 0; i < n; i++) {
            pcs[i] = m.pc();
            sps[i] = m.reg(SP);
            timeline.replayTo(from + i + 1);
        }
        return new Trail(from, pcs, sps);
    }

    private Stop reverseLine(boolean over) {
        long now = timeline.icount();
        long start = timeline.startIcount();
        if (now <= start) {
            return here(Stop.Kind.HISTORY_BEGIN);
        }
        long pc0 = m.pc();
        SourceLocation line0 = symbols.lineFor(pc0);
        FunctionInfo f0 = outer(pc0);
        long sp0 = m.reg(SP);
        long window = FIRST_WINDOW;
        while (true) {
            long from = Math.max(start, now - window);
            Trail t = trail(from, now);
            int target = pick(t, over, line0, f0, sp0, from == start);
            if (target >= 0 || from == start) {
                int stopAt = target >= 0 ? target : 0;
                Stop.Kind kind = target >= 0 ? Stop.Kind.STEP : Stop.Kind.HISTORY_BEGIN;
                // a breakpoint passed on the way back stops there first, as it would going forward
                for (int k = t.size() - 1; k > stopAt; k--) {
                    if (timeline.stops().hasBreakpoint(t.pc()[k])) {
                        stopAt = k;
                        kind = Stop.Kind.BREAKPOINT;
                        break;
                    }
                }
                timeline.seek(t.from() + stopAt);
                return here(kind);
            }
            window *= 4;
        }
    }

    /**
     * The index in the trail where the previous line starts, or -1 when the trail is too short
     * to tell ({@code complete} says it begins at the start of history).
     */
    private int pick(Trail t, boolean over, SourceLocation line0, FunctionInfo f0, long sp0, boolean complete) {
        int k = t.size() - 1;
        for (; k >= 0; k--) {
            long pc = t.pc()[k];
            FunctionInfo f = outer(pc);
            if (over && deeper(f, t.sp()[k], f0, sp0)) {
                continue;
            }
            SourceLocation l = symbols.lineFor(pc);
            if (l == null || (same(f, f0) && l.equals(line0) && t.sp()[k] <= sp0)) {
                continue;
            }
            break;
        }
        if (k < 0) {
            return -1;
        }
        FunctionInfo f1 = outer(t.pc()[k]);
        SourceLocation line1 = symbols.lineFor(t.pc()[k]);
        long sp1 = t.sp()[k];
        int best = k;
        int j = k - 1;
        for (; j >= 0; j--) {
            long pc = t.pc()[j];
            FunctionInfo f = outer(pc);
            if (over && deeper(f, t.sp()[j], f1, sp1)) {
                continue;
            }
            if (same(f, f1) && Objects.equals(symbols.lineFor(pc), line1)) {
                best = j;
                continue;
            }
            break;
        }
        if (j < 0 && !complete) {
            return -1;
        }
        return best;
    }

    /** Goes back to the call that entered the current function: the call instruction in the caller. */
    Stop reverseStepReturn() {
        List<StackFrame> frames = frames();
        FunctionInfo f = outer(m.pc());
        if (frames.isEmpty() || f == null) {
            return reverseStepOver();
        }
        long entry = f.lowPc();
        long entrySp = frames.get(0).cfa();
        if (m.pc() == entry && m.reg(SP) == entrySp) {
            return travel.stepBack();
        }
        StopConditions entered = StopConditions.breakpointAt(entry);
        while (true) {
            Stop s = travel.continueBack(entered);
            if (s.kind() != Stop.Kind.BREAKPOINT) {
                return s;
            }
            if (m.pc() == entry && m.reg(SP) == entrySp) {
                break;
            }
            if (m.pc() != entry) {
                return s; // a user breakpoint between the call and here
            }
            // the entry of another (recursive) instance: keep going back
        }
        return travel.stepBack();
    }

    // ---- helpers ----

    private static boolean deeper(FunctionInfo f, long sp, FunctionInfo ref, long refSp) {
        return sp < refSp || (sp == refSp && !same(f, ref));
    }

    private FunctionInfo outer(long pc) {
        FunctionInfo f = symbols.functionAt(pc);
        return f == null ? null : f.outermost();
    }

    private static boolean same(FunctionInfo a, FunctionInfo b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.lowPc() == b.lowPc() && a.name().equals(b.name());
    }

    ProgramSymbols symbols() {
        return symbols;
    }

    List<StackFrame> frames() {
        return frames(m.currentHart());
    }

    /** Hart {@code hart}'s frames (memory read as the current hart reads it: harts share one address space here). */
    List<StackFrame> frames(int hart) {
        dev.rewind.emulator.DebugView h = m.hart(hart);
        long[] regs = new long[32];
        for (int i = 0; i < 32; i++) {
            regs[i] = h.reg(i);
        }
        return symbols.unwind(h.pc(), regs, this::read64);
    }

    java.util.OptionalLong read64(long address) {
        byte[] b = new byte[8];
        if (m.readMemory(address, b, 0, 8) < 8) {
            return java.util.OptionalLong.empty();
        }
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (b[i] & 0xff);
        }
        return java.util.OptionalLong.of(v);
    }
}
