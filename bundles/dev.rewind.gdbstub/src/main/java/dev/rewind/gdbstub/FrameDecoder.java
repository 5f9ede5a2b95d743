package dev.rewind.gdbstub;

import java.util.Arrays;

/**
 * Byte-at-a-time parser of the data gdb sends: {@code $payload#cs} packets (with run-length
 * expansion), {@code +}/{@code -} acks and the raw 0x03 interrupt. Bytes outside packets that mean
 * nothing are skipped, as the protocol asks. A {@code $} inside a packet abandons the partial packet
 * and starts a new one (a raw {@code $} can only be the start of a retransmission).
 */
final class FrameDecoder {

    private enum State { IDLE, PAYLOAD, RUN_COUNT, CHECKSUM_HIGH, CHECKSUM_LOW }

    private final int maxPayload;
    private final byte[] buffer;
    private State state = State.IDLE;
    private int length;
    private int sum;
    private int received;
    private boolean oversized;
    private boolean malformed;

    /** @param maxPayload the largest expanded payload accepted (the advertised PacketSize) */
    FrameDecoder(int maxPayload) {
        this.maxPayload = maxPayload;
        this.buffer = new byte[maxPayload];
    }

    /** Feeds one byte; returns a frame when one is complete, else null. */
    Frame feed(int b) {
        b &= 0xff;
        switch (state) {
            case IDLE:
                return idle(b);
            case PAYLOAD:
                if (b == '$') {
                    startPacket();
                } else if (b == '#') {
                    state = State.CHECKSUM_HIGH;
                } else {
                    sum += b;
                    if (b == '*') {
                        state = State.RUN_COUNT;
                    } else {
                        append(b);
                    }
                }
                return null;
            case RUN_COUNT:
                return runCount(b);
            case CHECKSUM_HIGH:
                return checksumHigh(b);
            case CHECKSUM_LOW:
                return checksumLow(b);
            default:
                throw new IllegalStateException(state.toString());
        }
    }

    private Frame idle(int b) {
        switch (b) {
            case '$':
                startPacket();
                return null;
            case '+':
                return Frame.ACK;
            case '-':
                return Frame.NACK;
            case 0x03:
                return Frame.INTERRUPT;
            default:
                return null;
        }
    }

    private Frame runCount(int b) {
        if (b == '$') {
            startPacket();
            return null;
        }
        if (b == '#') {
            // "c*" with no count: malformed, but still framed; the checksum decides the reply.
            malformed = true;
            state = State.CHECKSUM_HIGH;
            return null;
        }
        sum += b;
        state = State.PAYLOAD;
        int repeats = b - 29;
        if (length == 0 || repeats < 3 || b > '~') {
            malformed = true;
            return null;
        }
        byte previous = buffer[Math.min(length, maxPayload) - 1];
        for (int i = 0; i < repeats; i++) {
            append(previous);
        }
        return null;
    }

    private Frame checksumHigh(int b) {
        int d = Hex.digit(b);
        if (d < 0) {
            return badChecksum(b);
        }
        received = d << 4;
        state = State.CHECKSUM_LOW;
        return null;
    }

    private Frame checksumLow(int b) {
        int d = Hex.digit(b);
        if (d < 0) {
            return badChecksum(b);
        }
        received |= d;
        state = State.IDLE;
        if (received != (sum & 0xff)) {
            return Frame.BAD_CHECKSUM;
        }
        if (oversized) {
            return Frame.OVERSIZED;
        }
        if (malformed) {
            return Frame.MALFORMED;
        }
        return new Frame(Frame.Kind.PACKET, Arrays.copyOf(buffer, length));
    }

    private Frame badChecksum(int b) {
        if (b == '$') {
            startPacket();
        } else {
            state = State.IDLE;
        }
        return Frame.BAD_CHECKSUM;
    }

    private void startPacket() {
        state = State.PAYLOAD;
        length = 0;
        sum = 0;
        oversized = false;
        malformed = false;
    }

    private void append(int b) {
        if (length < maxPayload) {
            buffer[length++] = (byte) b;
        } else {
            oversized = true;
        }
    }
}
