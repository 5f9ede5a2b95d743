package dev.rewind.gdbstub;

import java.nio.charset.StandardCharsets;

import dev.rewind.emulator.Csr;

/**
 * The {@code target.xml} gdb fetches with {@code qXfer:features:read}: riscv:rv64, the cpu feature
 * (x0–x31 + pc, regnum 0–32), the CSRs the target exposes (regnum 65 + csr number, so wire numbers
 * equal gdb's internal ones) and the virtual {@code priv} register (4161).
 */
final class TargetDescription {

    /** ABI names in x-register order; gdb matches registers by these names. */
    private static final String[] GPR_NAMES = {
        "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
        "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
    };

    private TargetDescription() {
    }

    static byte[] xml(int[] csrNumbers) {
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
        if (csrNumbers.length > 0) {
            x.append("  <feature name=\"org.gnu.gdb.riscv.csr\">\n");
            for (int csr : csrNumbers) {
                reg(x, Csr.nameOf(csr), DebugTarget.REG_CSR_BASE + csr, "int", "csr");
            }
            x.append("  </feature>\n");
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
