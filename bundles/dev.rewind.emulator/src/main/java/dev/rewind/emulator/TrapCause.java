package dev.rewind.emulator;

/** Names of RISC-V trap causes (privileged spec, table 3.6): the one table for every view of a trap. */
public final class TrapCause {

    private static final String[] EXCEPTIONS = {"instruction address misaligned", "instruction access fault",
        "illegal instruction", "breakpoint", "load address misaligned", "load access fault",
        "store/AMO address misaligned", "store/AMO access fault", "ecall from U", "ecall from S", "cause 10",
        "ecall from M", "instruction page fault", "load page fault", "cause 14", "store/AMO page fault"};
    private static final String[] INTERRUPTS = {"cause 0", "supervisor software interrupt", "cause 2",
        "machine software interrupt", "cause 4", "supervisor timer interrupt", "cause 6", "machine timer interrupt",
        "cause 8", "supervisor external interrupt", "cause 10", "machine external interrupt"};

    private TrapCause() {
    }

    /** The name of exception or interrupt number {@code cause} ("cause N" for reserved numbers). */
    public static String name(long cause, boolean interrupt) {
        String[] names = interrupt ? INTERRUPTS : EXCEPTIONS;
        return cause >= 0 && cause < names.length ? names[(int) cause] : "cause " + cause;
    }

    /** The name of an mcause/scause value (interrupt bit 63). */
    public static String ofCsr(long xcause) {
        return name(xcause & Long.MAX_VALUE, xcause < 0);
    }

    /** "U", "S" or "M" for privilege 0, 1, 3. */
    public static String privilegeName(int privilege) {
        return switch (privilege) {
            case 0 -> "U";
            case 1 -> "S";
            case 3 -> "M";
            default -> "privilege " + privilege;
        };
    }
}
