package dev.rewind.replay;

import dev.rewind.emulator.WatchHit;

/**
 * Where and why a run or a movement over the {@link Timeline} stopped: the one stop type of the
 * replay engine, used by {@link Timeline#run}, {@link TimeTravel}, the gdb stub and Eclipse. (The
 * machine's own {@code StopReason} stays below it; the gdb stub encodes a Stop as a stop reply.)
 *
 * @param icount the position: instructions retired
 * @param pc the pc of the next instruction
 * @param watch the access behind a {@link Kind#WATCHPOINT} stop, else null
 */
public record Stop(Kind kind, long icount, long pc, WatchHit watch) {

    public enum Kind {
        /** The requested step, run or seek completed (its limit was reached). */
        STEP,
        /** Before an instruction at a breakpoint (not executed). */
        BREAKPOINT,
        /** At a watched access: after it when running forwards, before it when a reverse movement reports it. */
        WATCHPOINT,
        /** Backwards: the start of the recorded history was reached (gdb: replaylog:begin). */
        HISTORY_BEGIN,
        /** Forwards: the end of the recorded history was reached, the guest exited or idles for good (gdb: replaylog:end). */
        HISTORY_END,
        /** Stopped on request (a debugger's interrupt, see {@link Timeline#interruptWhen}). */
        INTERRUPTED
    }
}
