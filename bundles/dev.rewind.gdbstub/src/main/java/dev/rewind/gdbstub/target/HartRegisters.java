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

    /** A debugger write of an f register or fflags/frm/fcsr; false if regnum is none of them. */
    static boolean writeFloat(VirtMachine m, int regnum, long value) {
        int f = regnum - DebugTarget.REG_FPR_BASE;
        if (f >= 0 && f < 32) {
            m.debugView().setFpr(f, value);
            return true;
        }
        int fcsr = m.debugView().fcsr();
        switch (regnum - DebugTarget.REG_CSR_BASE) {
            case 1: m.debugView().setFcsr((fcsr & ~0x1f) | ((int) value & 0x1f)); return true;
            case 2: m.debugView().setFcsr((fcsr & 0x1f) | ((int) value & 7) << 5); return true;
            case 3: m.debugView().setFcsr((int) value & 0xff); return true;
            default: return false;
        }
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
        int f = regnum - DebugTarget.REG_FPR_BASE;
        if (f >= 0 && f < 32) {
            return m.debugView().fpr(f);
        }
        switch (regnum - DebugTarget.REG_CSR_BASE) {
            // Shown whatever mstatus.FS says (QEMU's gdb stub reads them as the debugger too).
            case 1: return m.debugView().fcsr() & 0x1f;
            case 2: return m.debugView().fcsr() >>> 5;
            case 3: return m.debugView().fcsr();
            default: break;
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
