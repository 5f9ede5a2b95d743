package dev.rewind.emulator;

/**
 * Deterministic interleaving of several harts on one host thread, defined by instruction counts
 * only (see the emulator README, "Several harts"):
 * <ul>
 * <li>One global position, the machine's icount, counts every instruction any hart retired; it
 * orders every event (inputs, timer interrupts, snapshots) and virtual time derives from it.
 * <li>Harts take turns in hart-id order. A turn lasts {@link #QUANTUM} instructions of the global
 * count, or ends early when the hart waits in WFI; the next hart in order that is not waiting
 * (or whose wait an interrupt ends) gets the next turn. When every hart waits, the clock warps
 * to the next timer deadline as it does for one hart.
 * <li>Each hart also counts the instructions it retired itself ({@link #retired}).
 * </ul>
 * Turns only change at instruction boundaries the run loop visits anyway, so with one hart the
 * machine runs exactly as before: its turn never ends.
 *
 * <p>LR/SC: a hart's reservation is dropped when its turn ends, because other harts run before
 * it continues (the spec allows losing a reservation at any time; an LR/SC pair inside one turn
 * is atomic, as every hart's stores happen in other turns).
 */
final class HartScheduler {

    /** Instructions of the global count in one turn. */
    static final long QUANTUM = 10_000;

    private final Hart[] harts;
    private final VirtualClock clock;
    private Hart current;
    /** Global position at which the current turn began, and at which it ends. */
    private long turnStart, turnEnd;

    HartScheduler(Hart[] harts, VirtualClock clock) {
        this.harts = harts;
        this.clock = clock;
        reset();
    }

    void reset() {
        for (Hart h : harts) {
            h.retired = 0;
        }
        current = harts[0];
        turnStart = 0;
        turnEnd = harts.length == 1 ? Long.MAX_VALUE : QUANTUM;
        clock.follow(current);
    }

    /** The hart whose turn it is. */
    Hart current() {
        return current;
    }

    /** Where the current turn ends (global position; Long.MAX_VALUE with one hart). */
    long turnEnd() {
        return turnEnd;
    }

    /** Instructions {@code h} retired so far. */
    long retired(Hart h) {
        return h == current ? h.retired + (current.icount - turnStart) : h.retired;
    }

    /**
     * At an instruction boundary at global position {@code now}: ends the current turn if it is
     * over or its hart waits, and gives the next one to the next hart that can run. Returns false
     * if every hart waits for an interrupt.
     */
    boolean schedule(long now) {
        if (!current.waiting && now < turnEnd) {
            return true;
        }
        int n = harts.length;
        for (int k = 1; k <= n; k++) {
            Hart h = harts[(current.id + k) % n];
            if (h.waiting && h.sys.wakeable()) {
                h.waiting = false;
            }
            if (!h.waiting) {
                startTurn(h, now);
                return true;
            }
        }
        return false;
    }

    private void startTurn(Hart h, long now) {
        current.retired += now - turnStart;
        if (h != current) {
            current.sys.reservation = -1;
            h.icount = now;
            // A breakpoint this hart was stopped at is passed when it resumes (see VirtMachine.run).
            h.breakSkipIcount = h.skipRetired == h.retired ? now : -1;
            current = h;
            clock.follow(h);
        }
        turnStart = now;
        turnEnd = harts.length == 1 ? Long.MAX_VALUE : now + QUANTUM;
    }

    /** The current hart passes a breakpoint at its pc once; others stop at theirs. */
    void armBreakpointSkip() {
        for (Hart h : harts) {
            h.skipRetired = h == current ? retired(h) : -1;
            h.breakSkipIcount = h == current ? h.icount : -1;
        }
    }

    /** State: see {@link StateCapture}. */
    void restore(int currentId, long end, long now, long[] retired) {
        for (Hart h : harts) {
            h.retired = retired[h.id];
            h.icount = now;
        }
        current = harts[currentId];
        turnStart = now;
        turnEnd = end;
        clock.follow(current);
    }
}
