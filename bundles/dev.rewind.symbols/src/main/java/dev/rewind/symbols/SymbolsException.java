package dev.rewind.symbols;

/**
 * The ELF or DWARF data could not be read: not an ELF file, not the kind of ELF this
 * bundle understands, or truncated/corrupt contents. The message says what and where.
 */
public class SymbolsException extends Exception {
    private static final long serialVersionUID = 1L;

    public SymbolsException(String message) {
        super(message);
    }

    public SymbolsException(String message, Throwable cause) {
        super(message, cause);
    }
}
