package dev.rewind.emulator;

/** Which accesses a watchpoint catches (GDB Z2/Z3/Z4). */
public enum WatchKind {
    WRITE, READ, ACCESS;

    boolean catches(boolean isWrite) {
        return this == ACCESS || (this == WRITE) == isWrite;
    }
}
