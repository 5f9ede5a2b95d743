package dev.rewind.gdbstub.target;

import dev.rewind.emulator.VirtMachine;
import dev.rewind.gdbstub.DebugTarget;
import dev.rewind.gdbstub.TargetException;

/** gdb's RISC-V register numbers read from a machine; shared by the live and replay targets. */
final class HartRegisters {

    /** The CSRs shown to gdb: machine and supervisor trap setup/handling, translation, counters. */
    static final int[] CSRS = {0x300, 0x301, 0x302, 0x303, 0x304, 0x305, 0x306, 0x340, 0x341, 0x342, 0x343, 0x344,
            0x100, 0x104, 0x105, 0x106, 0x140, 0x141, 0x142, 0x143, 0x144, 0x180, 0xc00, 0xc01, 0xc02, 0xf11, 0xf12,
            0xf13, 0xf14};

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
