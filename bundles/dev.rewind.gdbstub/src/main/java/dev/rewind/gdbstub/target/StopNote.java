package dev.rewind.gdbstub.target;

import dev.rewind.emulator.TrapCause;
import dev.rewind.emulator.VirtMachine;

/**
 * The line gdb's console shows beside a stop when the privilege level matters: at a trap
 * handler's first instruction (mode, cause, epc, tval and the mode it came from) or when a
 * movement changed the privilege level. gdb's stop reply has no field for either.
 */
final class StopNote {

    private static final int MTVEC = 0x305, MCAUSE = 0x342, MEPC = 0x341, MTVAL = 0x343, MSTATUS = 0x300;
    private static final int STVEC = 0x105, SCAUSE = 0x142, SEPC = 0x141, STVAL = 0x143;

    private StopNote() {
    }

    /** The note for a stop of {@code m} reached from privilege {@code before}, or null if there is nothing to say. */
    static String of(VirtMachine m, int before) {
        int p = m.privilege();
        String trap = p == 3 ? trapEntry(m, "m", MTVEC, MCAUSE, MEPC, MTVAL)
                : p == 1 ? trapEntry(m, "s", STVEC, SCAUSE, SEPC, STVAL) : null;
        if (trap != null) {
            return "[rewind] " + TrapCause.privilegeName(p) + "-mode trap handler entry: " + trap + "\n";
        }
        if (p != before) {
            return "[rewind] now in " + TrapCause.privilegeName(p) + "-mode (was " + TrapCause.privilegeName(before)
                    + "-mode)\n";
        }
        return null;
    }

    /** "cause ..." if pc is where {@code x}tvec sends the trap recorded in {@code x}cause, else null. */
    private static String trapEntry(VirtMachine m, String x, int tvec, int cause, int epc, int tval) {
        long vec = m.csr(tvec).orElse(0);
        long c = m.csr(cause).orElse(0);
        long base = vec & ~3L;
        boolean vectored = (vec & 3) == 1 && c < 0;
        long entry = vectored ? base + 4 * (c & 0xfff) : base;
        if (m.pc() != entry || (c == 0 && m.csr(epc).orElse(0) == 0)) {
            return null;
        }
        String from = "";
        if (x.equals("m")) {
            from = ", from " + TrapCause.privilegeName((int) (m.csr(MSTATUS).orElse(0) >>> 11) & 3) + "-mode";
        } else {
            from = ", from " + ((m.csr(MSTATUS).orElse(0) >>> 8 & 1) != 0 ? "S" : "U") + "-mode";
        }
        return String.format("%scause 0x%x (%s)%s, %sepc 0x%x, %stval 0x%x", x, c, TrapCause.ofCsr(c), from, x,
                m.csr(epc).orElse(0), x, m.csr(tval).orElse(0));
    }
}
