package dev.rewind.replay;

/** Why a replay run stopped. */
public enum ReplayStop {
    /** Reached the requested icount. */
    LIMIT,
    /** Before an instruction at a breakpoint (not executed). */
    BREAKPOINT,
    /** After an instruction that touched a watched range. */
    WATCHPOINT,
    /** The recording's history ends here (the guest exited, or the recording stopped). */
    END_OF_HISTORY,
    /** Stopped on request (debugger interrupt). */
    INTERRUPTED
}
