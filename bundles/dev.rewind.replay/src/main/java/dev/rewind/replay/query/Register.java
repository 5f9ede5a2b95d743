package dev.rewind.replay.query;

import java.util.Locale;

import dev.rewind.emulator.Csr;
import dev.rewind.emulator.DebugView;
import dev.rewind.emulator.VirtMachine;

/**
 * A register a query follows: an integer register by number or ABI name ({@code x10},
 * {@code a0}), or a CSR by its name in the emulator's CSR table ({@code mstatus}) or number
 * ({@code csr:0x300}).
 */
public record Register(String name, int gpr, int csr) {

    private static final String[] ABI = {"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1",
        "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
        "t5", "t6"};

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
        for (Csr c : Csr.all()) {
            if (t.equals(c.name())) {
                return new Register(c.name(), -1, c.number());
            }
        }
        if (t.startsWith("csr:") || t.matches("csr[0-9a-f]{3}")) {
            // csr:0x300 or csr:768; csr300 is hex, as the CSR table names CSRs it lacks
            long v = t.startsWith("csr:") ? Target.number(t.substring(4), text) : Long.parseLong(t.substring(3), 16);
            if (v < 0 || v > 0xfff) {
                throw new IllegalArgumentException("CSR number out of range: " + text);
            }
            return new Register(Csr.nameOf((int) v), -1, (int) v);
        }
        throw new IllegalArgumentException("unknown register '" + text + "' (x0..x31, ABI names, "
                + "mstatus/mepc/... or csr:0xNNN)");
    }

    /** The value now on hart {@code hart}; a CSR the hart lacks reads as 0. */
    long read(VirtMachine m, int hart) {
        DebugView v = m.hart(hart);
        return gpr >= 0 ? v.reg(gpr) : v.csr(csr).orElse(0);
    }
}
