package dev.rewind.emulator;

/** Why {@link VirtMachine#run(long)} returned. */
public enum StopReason {
    /** icount reached the requested limit. */
    LIMIT,
    /** The next instruction is at a PC breakpoint; it has not executed. */
    BREAKPOINT,
    /** An instruction touched a watched range; it has retired. See {@link VirtMachine#lastWatchHit()}. */
    WATCHPOINT,
    /** The guest asked to exit (SiFive test finisher or HTIF). See {@link VirtMachine#exitCode()}. */
    EXIT,
    /** The hart waits in WFI and the input port says nothing will ever wake it. */
    IDLE,
    /** The caller asked to stop (e.g. {@link VirtMachine#requestStop()}). */
    REQUESTED
}
