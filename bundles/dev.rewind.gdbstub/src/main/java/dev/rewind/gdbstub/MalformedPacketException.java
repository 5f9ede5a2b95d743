package dev.rewind.gdbstub;

/** A packet that arrived intact but whose contents do not parse; answered with an error reply. */
final class MalformedPacketException extends Exception {

    private static final long serialVersionUID = 1L;

    MalformedPacketException(String message) {
        super(message);
    }
}
