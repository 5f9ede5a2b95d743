package dev.rewind.emulator;

import java.io.IOException;

/** A saved machine state that cannot be decoded or does not fit this machine. */
public final class StateFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public StateFormatException(String message) {
        super(message);
    }
}
