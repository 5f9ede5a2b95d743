package dev.rewind.gdbstub;

/**
 * Where a gdb session is. STOPPED → RUNNING on a resume packet; RUNNING → INTERRUPTED when gdb
 * sends Ctrl-C (the target sees it through {@link Interruption}); RUNNING/INTERRUPTED → STOPPED
 * when the target returns a stop event; any → DETACHED on {@code D}, {@code k} or disconnect.
 * Packets are processed only in STOPPED; DETACHED is final.
 */
public enum SessionState {
    STOPPED,
    RUNNING,
    INTERRUPTED,
    DETACHED
}
