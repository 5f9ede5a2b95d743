package dev.rewind.gdbstub;

/**
 * A debugger request the target cannot honour. The errno travels to gdb as {@code E NN}; the
 * message is for logs and monitor output.
 */
public class TargetException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Operation refused, e.g. a write while replaying. */
    public static final int EPERM = 1;
    /** Input/output error, e.g. a file beside the recording cannot be written. */
    public static final int EIO = 5;
    /** Bad address. */
    public static final int EFAULT = 14;
    /** Bad argument, e.g. an unknown register number. */
    public static final int EINVAL = 22;

    private final int errno;

    public TargetException(int errno, String message) {
        // No stack trace: it becomes an E reply, and gdb reads address 0 (unmapped) at every
        // stop of a reverse-stepi, so the trace would be filled on every step for nothing.
        super(message, null, false, false);
        this.errno = errno & 0xff;
    }

    public int errno() {
        return errno;
    }
}
