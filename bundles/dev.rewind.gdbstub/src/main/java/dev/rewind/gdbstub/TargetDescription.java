package dev.rewind.gdbstub;

import java.nio.charset.StandardCharsets;

import dev.rewind.emulator.Csr;

/**
 * The {@code target.xml} gdb fetches with {@code qXfer:features:read}: riscv:rv64, the cpu feature
 * (x0–x31 + pc, regnum 0–32), for a hart with F and D the fpu feature (f0–f31 as regnum 33–64,
 * 64 bits, a float/double union as QEMU describes them; fflags, frm, fcsr as regnum 66–68), the
 * CSRs the target exposes (regnum 65 + csr number, so wire numbers equal gdb's internal ones) and
 * the virtual {@code priv} register (4161).
 */
final class TargetDescription {

    /** ABI names in x-register order; gdb matches registers by these names. */
    private static final String[] GPR_NAMES = {
        "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
        "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
    };

    /** ABI names in f-register order (gdb accepts them or f0–f31; QEMU uses these). */
    private static final String[] FPR_NAMES = {
        "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
        "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
    };
    /** fflags, frm and fcsr: in the fpu feature, so not again among the CSRs. */
    private static final int FIRST_FP_CSR = 1, LAST_FP_CSR = 3;

    private TargetDescription() {
    }

    static byte[] xml(int[] csrNumbers) {
        return xml(csrNumbers, false);
    }

    static byte[] xml(int[] csrNumbers, boolean floatingPoint) {
        StringBuilder x = new StringBuilder(4096);
        x.append("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n");
        x.append("  <architecture>riscv:rv64</architecture>\n");
        x.append("  <feature name=\"org.gnu.gdb.riscv.cpu\">\n");
        for (int i = 0; i < 32; i++) {
            String type = i == 1 ? "code_ptr" : (i == 2 || i == 8) ? "data_ptr" : "int";
            reg(x, GPR_NAMES[i], i, type, null);
        }
        reg(x, "pc", DebugTarget.REG_PC, "code_ptr", null);
        x.append("  </feature>\n");
        if (floatingPoint) {
            x.append("  <feature name=\"org.gnu.gdb.riscv.fpu\">\n");
            x.append("    <union id=\"riscv_double\">\n      <field name=\"float\" type=\"ieee_single\"/>\n");
            x.append("      <field name=\"double\" type=\"ieee_double\"/>\n    </union>\n");
            for (int i = 0; i < 32; i++) {
                reg(x, FPR_NAMES[i], DebugTarget.REG_FPR_BASE + i, "riscv_double", null);
            }
            reg(x, "fflags", DebugTarget.REG_CSR_BASE + 1, "int", "float");
            reg(x, "frm", DebugTarget.REG_CSR_BASE + 2, "int", "float");
            reg(x, "fcsr", DebugTarget.REG_CSR_BASE + 3, "int", "float");
            x.append("  </feature>\n");
        }
        StringBuilder csrs = new StringBuilder();
        for (int csr : csrNumbers) {
            if (!floatingPoint || csr < FIRST_FP_CSR || csr > LAST_FP_CSR) {
                reg(csrs, Csr.nameOf(csr), DebugTarget.REG_CSR_BASE + csr, "int", "csr");
            }
        }
        if (csrs.length() > 0) {
            x.append("  <feature name=\"org.gnu.gdb.riscv.csr\">\n").append(csrs).append("  </feature>\n");
        }
        x.append("  <feature name=\"org.gnu.gdb.riscv.virtual\">\n");
        reg(x, "priv", DebugTarget.REG_PRIV, "int", "system");
        x.append("  </feature>\n</target>\n");
        return x.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static void reg(StringBuilder x, String name, int regnum, String type, String group) {
        x.append("    <reg name=\"").append(name).append("\" bitsize=\"64\" regnum=\"").append(regnum)
                .append("\" type=\"").append(type).append('"');
        if (group != null) {
            x.append(" group=\"").append(group).append('"');
        }
        x.append("/>\n");
    }
}
