package dev.rewind.replay.query;

import java.util.Locale;

import dev.rewind.emulator.VirtMachine;

/**
 * A register a query follows: an integer register by number or ABI name ({@code x10},
 * {@code a0}), or a CSR by number ({@code csr:0x300}) or by one of the names below.
 */
public record Register(String name, int gpr, int csr) {

    private static final String[] ABI = {"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1",
        "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
        "t5", "t6"};
    /** The CSRs a query is most often about; any other goes by number. */
    private static final String[][] CSRS = {{"mstatus", "300"}, {"misa", "301"}, {"medeleg", "302"},
        {"mideleg", "303"}, {"mie", "304"}, {"mtvec", "305"}, {"mscratch", "340"}, {"mepc", "341"},
        {"mcause", "342"}, {"mtval", "343"}, {"mip", "344"}, {"sstatus", "100"}, {"sie", "104"}, {"stvec", "105"},
        {"sscratch", "140"}, {"sepc", "141"}, {"scause", "142"}, {"stval", "143"}, {"sip", "144"}, {"satp", "180"}};

    public static Register parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace("$", "");
        if (t.equals("fp")) {
            t = "s0";
        }
        for (int i = 0; i < ABI.length; i++) {
            if (t.equals(ABI[i]) || t.equals("x" + i)) {
                return new Register(ABI[i], i, -1);
            }
        }
        for (String[] c : CSRS) {
            if (t.equals(c[0])) {
                return new Register(c[0], -1, Integer.parseInt(c[1], 16));
            }
        }
        if (t.startsWith("csr:") || t.startsWith("csr")) {
            String n = t.substring(t.startsWith("csr:") ? 4 : 3);
            long v = Target.number(n, text);
            if (v < 0 || v > 0xfff) {
                throw new IllegalArgumentException("CSR number out of range: " + text);
            }
            return new Register("csr 0x" + Long.toHexString(v), -1, (int) v);
        }
        throw new IllegalArgumentException("unknown register '" + text + "' (x0..x31, ABI names, "
                + "mstatus/mepc/... or csr:0xNNN)");
    }

    /** The value now; a CSR the hart lacks reads as 0. */
    long read(VirtMachine m) {
        return gpr >= 0 ? m.reg(gpr) : m.csr(csr).orElse(0);
    }
}
