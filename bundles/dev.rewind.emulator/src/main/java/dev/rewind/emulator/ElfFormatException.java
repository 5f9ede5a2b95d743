package dev.rewind.emulator;

/** A file that is not a loadable RISC-V ELF64 executable for this machine; the message says why. */
public final class ElfFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public ElfFormatException(String message) {
        super(message);
    }
}
