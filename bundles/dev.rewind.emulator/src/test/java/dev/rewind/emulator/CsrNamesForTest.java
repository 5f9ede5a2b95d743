package dev.rewind.emulator;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** A few CSR names objdump knows, until the emulator's CSR table names them all. */
final class CsrNamesForTest {
    private CsrNamesForTest() {
    }

    private static final Map<Integer, String> NAMES = new TreeMap<>(Map.ofEntries(Map.entry(1, "fflags"),
            Map.entry(2, "frm"), Map.entry(3, "fcsr"), Map.entry(0x300, "mstatus"), Map.entry(0x304, "mie"),
            Map.entry(0x305, "mtvec"), Map.entry(0x340, "mscratch"), Map.entry(0x341, "mepc"), Map.entry(0x342, "mcause"),
            Map.entry(0x344, "mip"), Map.entry(0x100, "sstatus"), Map.entry(0x180, "satp"), Map.entry(0xf14, "mhartid"),
            Map.entry(0x3a0, "pmpcfg0"), Map.entry(0x3b0, "pmpaddr0"), Map.entry(0xc00, "cycle"), Map.entry(0xc01, "time"),
            Map.entry(0xc02, "instret"), Map.entry(0x105, "stvec"), Map.entry(0x140, "sscratch")));
    private static final Integer[] KEYS = NAMES.keySet().toArray(new Integer[0]);

    static String name(int csr) {
        return NAMES.get(csr);
    }

    static int any(SplittableRandom r) {
        return KEYS[r.nextInt(KEYS.length)];
    }
}
