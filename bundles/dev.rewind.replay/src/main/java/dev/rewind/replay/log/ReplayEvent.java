package dev.rewind.replay.log;

import java.util.HexFormat;

/**
 * One logged input, taking effect at {@code icount}. {@code value} is the byte, request id,
 * warp ns, clock ns or exit code, by kind; {@code data} is the digest of DIGEST and EXIT events.
 */
public record ReplayEvent(long icount, EventKind kind, long value, byte[] data) {

    @Override
    public String toString() {
        String body = switch (kind) {
            case UART_RX, UART_RX_IDLE -> String.format("byte 0x%02x", value);
            case BLOCK_DONE, BLOCK_DONE_IDLE -> "request " + value;
            case WARP -> value < 0 ? "idle forever" : value + " ns";
            case HOST_CLOCK -> value + " ns";
            case DIGEST -> HexFormat.of().formatHex(data, 0, 8) + "...";
            case EXIT -> "code " + value;
            case END -> "";
        };
        return kind + " at icount " + icount + (body.isEmpty() ? "" : " (" + body + ")");
    }
}
