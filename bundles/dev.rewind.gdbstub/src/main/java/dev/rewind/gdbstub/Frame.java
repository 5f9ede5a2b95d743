package dev.rewind.gdbstub;

import java.nio.charset.StandardCharsets;

/**
 * One unit received from gdb: a packet, an ack, or an out-of-band byte.
 *
 * @param kind what arrived
 * @param payload the packet data after run-length expansion, escapes still in place (only for
 *     {@link Kind#PACKET}); empty otherwise
 */
record Frame(Kind kind, byte[] payload) {

    enum Kind {
        /** A well-formed packet with a correct checksum. */
        PACKET,
        /** {@code +} */
        ACK,
        /** {@code -}: gdb wants the last packet again. */
        NACK,
        /** Raw 0x03 outside a packet: Ctrl-C. */
        INTERRUPT,
        /** Checksum mismatch or non-hex checksum: ask for a resend. */
        BAD_CHECKSUM,
        /** Checksum fine, but longer than the advertised PacketSize. */
        OVERSIZED,
        /** Checksum fine, but the run-length encoding in it is invalid. */
        MALFORMED
    }

    static final Frame ACK = new Frame(Kind.ACK, new byte[0]);
    static final Frame NACK = new Frame(Kind.NACK, new byte[0]);
    static final Frame INTERRUPT = new Frame(Kind.INTERRUPT, new byte[0]);
    static final Frame BAD_CHECKSUM = new Frame(Kind.BAD_CHECKSUM, new byte[0]);
    static final Frame OVERSIZED = new Frame(Kind.OVERSIZED, new byte[0]);
    static final Frame MALFORMED = new Frame(Kind.MALFORMED, new byte[0]);

    /** The payload as ISO-8859-1 text, so every byte maps to one char and back. */
    String text() {
        return new String(payload, StandardCharsets.ISO_8859_1);
    }
}
