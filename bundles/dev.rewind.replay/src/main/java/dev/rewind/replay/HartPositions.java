package dev.rewind.replay;

/**
 * Where one hart of several is in a replay. The harts interleave by turns (the emulator's
 * HartScheduler), so a hart's previous instruction may lie thousands of instructions of other
 * harts back: hart h's k-th instruction is the position p at which h is about to run with
 * {@code retired(h) = k - 1}, and since {@code retired(h)} only grows with p, it is found by
 * bisection over positions. gdb's {@code reverse-stepi} on a thread and Eclipse's reverse steps
 * on a hart's thread both go there.
 */
public final class HartPositions {

    private HartPositions() {
    }

    /**
     * Moves {@code timeline} back to just before hart {@code h}'s previous instruction; false (and
     * at the start of history) when h ran no instruction in the recorded history before now.
     */
    public static boolean previous(Timeline timeline, int h) {
        long now = timeline.icount();
        long r = timeline.machine().retired(h);
        long lo = timeline.startIcount();
        timeline.seek(lo);
        if (r == 0 || now <= lo || timeline.machine().retired(h) >= r) {
            return false;
        }
        long below = lo, atOrAbove = now; // retired(h) < r at below, >= r at atOrAbove
        while (atOrAbove - below > 1) {
            long mid = below + (atOrAbove - below) / 2;
            timeline.seek(mid);
            if (timeline.machine().retired(h) >= r) {
                atOrAbove = mid;
            } else {
                below = mid;
            }
        }
        timeline.seek(below);
        return true;
    }

    /**
     * Forwards until hart {@code h} retired one more instruction (the other harts run their turns
     * meanwhile); a stop on the way (breakpoint, watchpoint, end of history) ends it there.
     */
    public static Stop next(Timeline timeline, TimeTravel travel, int h) {
        long goal = timeline.machine().retired(h) + 1;
        Stop s = new Stop(Stop.Kind.STEP, timeline.icount(), timeline.machine().pc(), null);
        while (timeline.machine().retired(h) < goal) {
            s = travel.stepForward();
            if (s.kind() != Stop.Kind.STEP) {
                return s;
            }
        }
        return s;
    }
}
