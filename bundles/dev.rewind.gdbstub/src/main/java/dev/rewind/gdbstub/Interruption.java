package dev.rewind.gdbstub;

/** Set by the server when gdb sends Ctrl-C (or disconnects) while the target runs. */
@FunctionalInterface
public interface Interruption {

    /** Never requested: for callers that drive a target without a debugger attached. */
    Interruption NEVER = () -> false;

    /** Cheap, thread-safe; long runs poll it at instruction boundaries. */
    boolean isRequested();
}
