package dev.rewind.gdbstub.target;

import dev.rewind.emulator.Csr;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.gdbstub.DebugTarget;
import dev.rewind.gdbstub.TargetException;

/** gdb's RISC-V register numbers read from a machine; shared by the live and replay targets. */
final class HartRegisters {

    /** The CSRs shown to gdb: every one the hart has. */
    static final int[] CSRS = Csr.all().stream().mapToInt(Csr::number).toArray();

    private HartRegisters() {
    }

    static long read(VirtMachine m, int regnum) throws TargetException {
        if (regnum >= 0 && regnum < 32) {
            return m.reg(regnum);
        }
        if (regnum == DebugTarget.REG_PC) {
            return m.pc();
        }
        if (regnum == DebugTarget.REG_PRIV) {
            return m.privilege();
        }
        int csr = regnum - DebugTarget.REG_CSR_BASE;
        if (csr >= 0 && csr < 4096) {
            var v = m.csr(csr);
            if (v.isPresent()) {
                return v.getAsLong();
            }
        }
        throw new TargetException(TargetException.EINVAL, "no register " + regnum);
    }
}
