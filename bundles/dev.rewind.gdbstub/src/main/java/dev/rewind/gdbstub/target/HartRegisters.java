package dev.rewind.gdbstub.target;

import dev.rewind.emulator.Csr;
import dev.rewind.emulator.DebugView;
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
    static boolean writeFloat(DebugView m, int regnum, long value) {
        int f = regnum - DebugTarget.REG_FPR_BASE;
        if (f >= 0 && f < 32) {
            m.setFpr(f, value);
            return true;
        }
        int fcsr = m.fcsr();
        switch (regnum - DebugTarget.REG_CSR_BASE) {
            case 1: m.setFcsr((fcsr & ~0x1f) | ((int) value & 0x1f)); return true;
            case 2: m.setFcsr((fcsr & 0x1f) | ((int) value & 7) << 5); return true;
            case 3: m.setFcsr((int) value & 0xff); return true;
            default: return false;
        }
    }

    /** Hart {@code hart} of the machine, or a TargetException if there is none. */
    static DebugView hart(VirtMachine m, int hart) throws TargetException {
        if (hart < 0 || hart >= m.harts()) {
            throw new TargetException(TargetException.EINVAL, "no hart " + hart + " (the machine has " + m.harts() + ")");
        }
        return m.hart(hart);
    }

    static long read(DebugView m, int regnum) throws TargetException {
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
            return m.fpr(f);
        }
        switch (regnum - DebugTarget.REG_CSR_BASE) {
            // Shown whatever mstatus.FS says (QEMU's gdb stub reads them as the debugger too).
            case 1: return m.fcsr() & 0x1f;
            case 2: return m.fcsr() >>> 5;
            case 3: return m.fcsr();
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
