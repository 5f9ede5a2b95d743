package dev.rewind.emulator;

/**
 * Thrown (as one preallocated, stackless instance) to abandon the current instruction when it
 * raises a synchronous exception; the cause and tval wait in {@link HartSystem}.
 */
final class Trap extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static final Trap INSTANCE = new Trap();

    private Trap() {
        super("guest trap", null, false, false);
    }
}
