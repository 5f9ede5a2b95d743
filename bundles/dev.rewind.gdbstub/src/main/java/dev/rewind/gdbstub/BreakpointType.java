package dev.rewind.gdbstub;

/** The five kinds of Z/z packet, in wire order (Z0..Z4). */
public enum BreakpointType {
    SOFTWARE,
    HARDWARE,
    WRITE_WATCH,
    READ_WATCH,
    ACCESS_WATCH;

    /** The Z packet type digit. */
    public int wireCode() {
        return ordinal();
    }

    public boolean isWatchpoint() {
        return ordinal() >= WRITE_WATCH.ordinal();
    }

    public static BreakpointType fromWireCode(int code) {
        BreakpointType[] all = values();
        if (code < 0 || code >= all.length) {
            throw new IllegalArgumentException("no breakpoint type " + code);
        }
        return all[code];
    }
}
