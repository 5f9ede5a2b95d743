package dev.rewind.replay.query;

import dev.rewind.emulator.TrapCause;

/** Names of trap causes (the emulator's {@link TrapCause} table) and printable bytes, for answers. */
final class Causes {

    private Causes() {
    }

    static String name(long cause, boolean interrupt) {
        return TrapCause.name(cause, interrupt);
    }

    static String printable(int b) {
        int c = b & 0xff;
        if (c == '\n') {
            return "'\\n'";
        }
        if (c == '\r') {
            return "'\\r'";
        }
        return c >= 0x20 && c < 0x7f ? "'" + (char) c + "'" : String.format("0x%02x", c);
    }
}
