package dev.rewind.emulator.reference;

/** The reference machine could not be run or its output could not be understood. */
public final class QemuReferenceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public QemuReferenceException(String message) {
        super(message);
    }

    public QemuReferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
