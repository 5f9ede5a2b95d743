package dev.rewind.replay.query;

/** Names of RISC-V trap causes (privileged spec, table 3.6) and printable bytes, for answers. */
final class Causes {

    private static final String[] EXCEPTIONS = {"instruction address misaligned", "instruction access fault",
        "illegal instruction", "breakpoint", "load address misaligned", "load access fault",
        "store/AMO address misaligned", "store/AMO access fault", "ecall from U", "ecall from S", "cause 10",
        "ecall from M", "instruction page fault", "load page fault", "cause 14", "store/AMO page fault"};
    private static final String[] INTERRUPTS = {"cause 0", "supervisor software interrupt", "cause 2",
        "machine software interrupt", "cause 4", "supervisor timer interrupt", "cause 6", "machine timer interrupt",
        "cause 8", "supervisor external interrupt", "cause 10", "machine external interrupt"};

    private Causes() {
    }

    static String name(long cause, boolean interrupt) {
        String[] names = interrupt ? INTERRUPTS : EXCEPTIONS;
        return cause >= 0 && cause < names.length ? names[(int) cause] : "cause " + cause;
    }

    static String printable(int b) {
        int c = b & 0xff;
        if (c == '\n') {
            return "'\\n'";
        }
        if (c == '\r') {
            return "'\\r'";
        }
        return c >= 0x20 && c < 0x7f ? "'" + (char) c + "'" : String.format("0x%02x", c);
    }
}
