package dev.rewind.gdbstub.target;

import dev.rewind.emulator.TrapCause;
import dev.rewind.emulator.VirtMachine;

/**
 * The line gdb's console shows beside a stop when the privilege level matters: at a trap
 * handler's first instruction (mode, cause, epc, tval and the mode it came from) or when a
 * movement changed the privilege level. gdb's stop reply has no field for either.
 */
final class StopNote {

    private StopNote() {
    }

    /** The note for a stop of {@code m} reached from privilege {@code before}, or null if there is nothing to say. */
    static String of(VirtMachine m, int before) {
        int p = m.privilege();
        String trap = TrapCause.handlerEntry(m.pc(), p, n -> m.csr(n).orElse(0));
        if (trap != null) {
            return "[rewind] " + TrapCause.privilegeName(p) + "-mode trap handler entry: " + trap + "\n";
        }
        if (p != before) {
            return "[rewind] now in " + TrapCause.privilegeName(p) + "-mode (was " + TrapCause.privilegeName(before)
                    + "-mode)\n";
        }
        return null;
    }
}
