package dev.rewind.replay.log;

/** The kinds of replay-log events; codes are the on-disk byte (docs/replay-log.md). */
public enum EventKind {
    UART_RX(1),
    UART_RX_IDLE(2),
    BLOCK_DONE(3),
    BLOCK_DONE_IDLE(4),
    WARP(5),
    HOST_CLOCK(6),
    DIGEST(7),
    EXIT(8),
    END(9);

    private static final EventKind[] BY_CODE = new EventKind[16];

    static {
        for (EventKind k : values()) {
            BY_CODE[k.code] = k;
        }
    }

    private final int code;

    EventKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The kind for an on-disk code, or null if the code is unknown. */
    public static EventKind of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** True for input that the port delivered while the hart was idle in WFI. */
    public boolean duringIdle() {
        return this == UART_RX_IDLE || this == BLOCK_DONE_IDLE;
    }
}
