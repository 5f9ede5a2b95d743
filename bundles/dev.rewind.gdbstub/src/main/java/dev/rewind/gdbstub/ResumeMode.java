package dev.rewind.gdbstub;

/** Direction and extent of one {@link DebugTarget#resume} call. */
public enum ResumeMode {
    STEP,
    CONTINUE,
    REVERSE_STEP,
    REVERSE_CONTINUE;

    public boolean isReverse() {
        return this == REVERSE_STEP || this == REVERSE_CONTINUE;
    }
}
