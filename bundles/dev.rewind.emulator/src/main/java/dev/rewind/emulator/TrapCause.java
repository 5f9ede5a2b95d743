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

    /**
     * What a debugger shows at a trap handler's first instruction: "scause 0xd (load page fault),
     * from U-mode, sepc 0x..., stval 0x..." if {@code pc} is where privilege {@code privilege}'s
     * tvec sends the trap its cause register holds (the state right after taking it), else null.
     * {@code csr} reads a CSR by number.
     */
    public static String handlerEntry(long pc, int privilege, java.util.function.IntToLongFunction csr) {
        if (privilege != 3 && privilege != 1) {
            return null;
        }
        boolean m = privilege == 3;
        int base = m ? 0x300 : 0x100; // xstatus; xtvec +5, xepc +0x41, xcause +0x42, xtval +0x43
        long vec = csr.applyAsLong(base + 5);
        long cause = csr.applyAsLong(base + 0x42);
        long epc = csr.applyAsLong(base + 0x41);
        long entry = (vec & 3) == 1 && cause < 0 ? (vec & ~3L) + 4 * (cause & 0xfff) : vec & ~3L;
        if (pc != entry || cause == 0 && epc == 0) {
            return null;
        }
        long status = csr.applyAsLong(base);
        int from = m ? (int) (status >>> 11) & 3 : (int) (status >>> 8) & 1;
        String x = m ? "m" : "s";
        return String.format("%scause 0x%x (%s), from %s-mode, %sepc 0x%x, %stval 0x%x", x, cause, ofCsr(cause),
                privilegeName(from), x, epc, x, csr.applyAsLong(base + 0x43));
    }
}
