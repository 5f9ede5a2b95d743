package dev.rewind.qcow2;

import java.io.IOException;

/**
 * A qcow2 image is malformed, unsupported, or an operation on it is not allowed.
 * Carries the file offset of the offending structure when there is one, so a
 * user (or a fuzz test) can point at the exact bytes.
 */
public class Qcow2Exception extends IOException {
    private static final long serialVersionUID = 1L;

    /** Marker for errors that are not about a particular place in the file. */
    public static final long NO_OFFSET = -1;

    private final long offset;

    public Qcow2Exception(String message, long offset) {
        super(describe(message, offset));
        this.offset = offset;
    }

    public Qcow2Exception(String message, long offset, Throwable cause) {
        super(describe(message, offset), cause);
        this.offset = offset;
    }

    private static String describe(String message, long offset) {
        return offset >= 0 ? message + " (at file offset 0x" + Long.toHexString(offset) + ")" : message;
    }

    /** Byte offset in the image file of the structure at fault, or {@link #NO_OFFSET}. */
    public long offset() {
        return offset;
    }
}
