package dev.rewind.emulator;

/**
 * Boot files that cannot be booted as given: a missing or unreadable file, an unrecognised
 * kernel format, a device tree that does not parse, images that overlap or do not fit in RAM.
 * The message is one line naming the file and the addresses involved.
 */
public final class BootException extends Exception {
    private static final long serialVersionUID = 1L;

    public BootException(String message) {
        super(message);
    }
}
