package dev.rewind.replay.query;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Something that happened at a position of a recording: a trap or interrupt (cause, privilege
 * before and after), a return from one (MRET/SRET), a UART byte out or in, a disk request or
 * completion, a breakpoint hit, a persisted snapshot. {@code value} is the cause, the byte, the
 * request id or the breakpoint address; {@code pc} is where the guest was; {@code hart} the hart
 * that took the trap, wrote the byte, submitted the request or hit the breakpoint (-1 for what
 * comes from outside: UART input, disk completions, snapshots).
 */
public record QueryEvent(long icount, Kind kind, long pc, int fromPrivilege, int toPrivilege, long value,
        String detail, int hart) {

    /** An event no hart caused. */
    public QueryEvent(long icount, Kind kind, long pc, int fromPrivilege, int toPrivilege, long value, String detail) {
        this(icount, kind, pc, fromPrivilege, toPrivilege, value, detail, -1);
    }

    public enum Kind {
        EXCEPTION, INTERRUPT, TRAP_RETURN, UART_OUT, UART_IN, DISK_REQUEST, DISK_DONE, BREAKPOINT, SNAPSHOT;

        /** The lower-case name the CLI and gdb use ("uart_out"). */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** True if the privilege changed at this event. */
    public boolean changesPrivilege() {
        return fromPrivilege >= 0 && toPrivilege >= 0 && fromPrivilege != toPrivilege;
    }

    /**
     * Kinds named by a filter word: a kind's label, or a group: {@code trap} (exceptions and
     * interrupts), {@code privilege} (everything that changes it), {@code uart}, {@code disk}.
     */
    public static Set<Kind> kindsNamed(String word) {
        String w = word.trim().toLowerCase(Locale.ROOT);
        switch (w) {
            case "trap": case "traps": return EnumSet.of(Kind.EXCEPTION, Kind.INTERRUPT);
            case "privilege": return EnumSet.of(Kind.EXCEPTION, Kind.INTERRUPT, Kind.TRAP_RETURN);
            case "uart": return EnumSet.of(Kind.UART_OUT, Kind.UART_IN);
            case "disk": return EnumSet.of(Kind.DISK_REQUEST, Kind.DISK_DONE);
            case "return": case "xret": return EnumSet.of(Kind.TRAP_RETURN);
            case "exception": return EnumSet.of(Kind.EXCEPTION);
            case "interrupt": return EnumSet.of(Kind.INTERRUPT);
            case "breakpoint": case "break": return EnumSet.of(Kind.BREAKPOINT);
            case "snapshot": case "snapshots": return EnumSet.of(Kind.SNAPSHOT);
            default:
                for (Kind k : Kind.values()) {
                    if (k.label().equals(w)) {
                        return EnumSet.of(k);
                    }
                }
                throw new IllegalArgumentException("unknown event kind '" + word
                        + "' (trap, exception, interrupt, return, privilege, uart, uart_in, uart_out, disk, disk_request,"
                        + " disk_done, breakpoint, snapshot)");
        }
    }
}
