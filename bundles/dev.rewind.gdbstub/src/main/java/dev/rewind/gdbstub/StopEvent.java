package dev.rewind.gdbstub;

/**
 * Why the target stopped after {@link DebugTarget#resume}. Immutable; build with the factories.
 *
 * @param reason what happened
 * @param address the data address for watchpoint reasons, else 0
 * @param code exit status for {@link Reason#EXITED}, POSIX signal number for
 *     {@link Reason#SIGNALLED}, else 0
 * @param note a line for gdb's console, sent before the stop reply (e.g. the privilege level and
 *     trap cause at a handler's entry), or null
 */
public record StopEvent(Reason reason, long address, int code, String note) {

    /** Stop reasons gdb distinguishes. */
    public enum Reason {
        /** A step finished (or the target just attached) with nothing special to report. */
        STEPPED,
        SOFTWARE_BREAKPOINT,
        HARDWARE_BREAKPOINT,
        WATCH_WRITE,
        WATCH_READ,
        WATCH_ACCESS,
        /** Reverse execution reached the oldest position in history. */
        HISTORY_BEGIN,
        /** Forward execution reached the end of the recording. */
        HISTORY_END,
        /** Ctrl-C from gdb. */
        INTERRUPTED,
        /** The guest ended (e.g. wrote the test finisher); {@code code} is its exit status. */
        EXITED,
        /** Another signal-like event; {@code code} is the signal number. */
        SIGNALLED
    }

    public StopEvent {
        if (reason == null) {
            throw new IllegalArgumentException("reason is required");
        }
    }

    public StopEvent(Reason reason, long address, int code) {
        this(reason, address, code, null);
    }

    /** This stop with {@code text} for gdb's console (null: none). */
    public StopEvent withNote(String text) {
        return new StopEvent(reason, address, code, text);
    }

    public static StopEvent stepped() {
        return new StopEvent(Reason.STEPPED, 0, 0);
    }

    /** A breakpoint of the given type (SOFTWARE or HARDWARE) at pc. */
    public static StopEvent breakpoint(BreakpointType type) {
        switch (type) {
            case SOFTWARE:
                return new StopEvent(Reason.SOFTWARE_BREAKPOINT, 0, 0);
            case HARDWARE:
                return new StopEvent(Reason.HARDWARE_BREAKPOINT, 0, 0);
            default:
                throw new IllegalArgumentException(type + " is not a breakpoint");
        }
    }

    /** A watchpoint of the given type hit by an access to {@code dataAddress}. */
    public static StopEvent watchpoint(BreakpointType type, long dataAddress) {
        switch (type) {
            case WRITE_WATCH:
                return new StopEvent(Reason.WATCH_WRITE, dataAddress, 0);
            case READ_WATCH:
                return new StopEvent(Reason.WATCH_READ, dataAddress, 0);
            case ACCESS_WATCH:
                return new StopEvent(Reason.WATCH_ACCESS, dataAddress, 0);
            default:
                throw new IllegalArgumentException(type + " is not a watchpoint");
        }
    }

    public static StopEvent historyBegin() {
        return new StopEvent(Reason.HISTORY_BEGIN, 0, 0);
    }

    public static StopEvent historyEnd() {
        return new StopEvent(Reason.HISTORY_END, 0, 0);
    }

    public static StopEvent interrupted() {
        return new StopEvent(Reason.INTERRUPTED, 0, 0);
    }

    public static StopEvent exited(int status) {
        return new StopEvent(Reason.EXITED, 0, status & 0xff);
    }

    public static StopEvent signalled(int signal) {
        return new StopEvent(Reason.SIGNALLED, 0, signal & 0xff);
    }

    /** The POSIX signal gdb is told about: SIGINT for interrupts, SIGTRAP for debug stops. */
    public int signal() {
        switch (reason) {
            case INTERRUPTED:
                return 2;
            case SIGNALLED:
                return code;
            default:
                return 5;
        }
    }
}
