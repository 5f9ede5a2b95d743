package dev.rewind.debug.core.model;

import java.util.List;
import java.util.Map;

/**
 * The named bit fields of the CSRs a firmware developer reads field by field (privileged spec
 * 20211203: mstatus/sstatus 3.1.6, mtvec 3.1.7, mip/mie 3.1.9, mcause 3.1.15, satp 4.1.11),
 * for the Registers view. Which CSRs exist and their names come from the emulator's CSR table;
 * this only splits values.
 */
final class CsrFields {
    private CsrFields() {
    }

    /** Bits [lsb, msb]; {@code values} names some values. */
    record Field(String name, int msb, int lsb, Map<Long, String> values) {
        long of(long v) {
            int w = msb - lsb + 1;
            return w == 64 ? v : (v >>> lsb) & ((1L << w) - 1);
        }

        String bits() {
            return msb == lsb ? "[" + lsb + "]" : "[" + msb + ":" + lsb + "]";
        }
    }

    private static Field f(String name, int msb, int lsb) {
        return new Field(name, msb, lsb, Map.of());
    }

    private static final Map<Long, String> PRIV = Map.of(0L, "U", 1L, "S", 3L, "M");
    private static final Map<Long, String> EXT_STATE = Map.of(0L, "Off", 1L, "Initial", 2L, "Clean", 3L, "Dirty");
    private static final Map<Long, String> XLEN = Map.of(1L, "32", 2L, "64", 3L, "128");

    private static final List<Field> MSTATUS = List.of(f("SD", 63, 63), f("MBE", 37, 37), f("SBE", 36, 36),
            new Field("SXL", 35, 34, XLEN), new Field("UXL", 33, 32, XLEN), f("TSR", 22, 22), f("TW", 21, 21),
            f("TVM", 20, 20), f("MXR", 19, 19), f("SUM", 18, 18), f("MPRV", 17, 17), new Field("XS", 16, 15, EXT_STATE),
            new Field("FS", 14, 13, EXT_STATE), new Field("MPP", 12, 11, PRIV), new Field("VS", 10, 9, EXT_STATE),
            new Field("SPP", 8, 8, PRIV), f("MPIE", 7, 7), f("UBE", 6, 6), f("SPIE", 5, 5), f("MIE", 3, 3), f("SIE", 1, 1));
    private static final List<Field> SSTATUS = List.of(f("SD", 63, 63), new Field("UXL", 33, 32, XLEN), f("MXR", 19, 19),
            f("SUM", 18, 18), new Field("XS", 16, 15, EXT_STATE), new Field("FS", 14, 13, EXT_STATE),
            new Field("VS", 10, 9, EXT_STATE), new Field("SPP", 8, 8, PRIV), f("UBE", 6, 6), f("SPIE", 5, 5),
            f("SIE", 1, 1));
    private static final List<Field> INTERRUPTS = List.of(f("LCOFI", 13, 13), f("MEI", 11, 11), f("SEI", 9, 9),
            f("MTI", 7, 7), f("STI", 5, 5), f("MSI", 3, 3), f("SSI", 1, 1));
    private static final List<Field> S_INTERRUPTS = List.of(f("LCOFI", 13, 13), f("SEI", 9, 9), f("STI", 5, 5),
            f("SSI", 1, 1));
    private static final Map<Long, String> EXCEPTIONS = Map.ofEntries(Map.entry(0L, "instruction address misaligned"),
            Map.entry(1L, "instruction access fault"), Map.entry(2L, "illegal instruction"), Map.entry(3L, "breakpoint"),
            Map.entry(4L, "load address misaligned"), Map.entry(5L, "load access fault"),
            Map.entry(6L, "store/AMO address misaligned"), Map.entry(7L, "store/AMO access fault"),
            Map.entry(8L, "environment call from U-mode"), Map.entry(9L, "environment call from S-mode"),
            Map.entry(11L, "environment call from M-mode"), Map.entry(12L, "instruction page fault"),
            Map.entry(13L, "load page fault"), Map.entry(15L, "store/AMO page fault"));
    private static final Map<Long, String> INTERRUPT_CAUSES = Map.of(1L, "supervisor software interrupt", 3L,
            "machine software interrupt", 5L, "supervisor timer interrupt", 7L, "machine timer interrupt", 9L,
            "supervisor external interrupt", 11L, "machine external interrupt", 13L, "counter overflow interrupt");
    private static final List<Field> TVEC = List.of(f("BASE", 63, 2), new Field("MODE", 1, 0, Map.of(0L, "Direct", 1L,
            "Vectored")));
    private static final List<Field> SATP = List.of(new Field("MODE", 63, 60, Map.of(0L, "Bare", 8L, "Sv39", 9L, "Sv48",
            10L, "Sv57")), f("ASID", 59, 44), f("PPN", 43, 0));

    private static final List<Field> CAUSE = List.of(f("Interrupt", 63, 63), f("Code", 62, 0));

    /** The fields of CSR {@code name}, empty for CSRs shown as a plain number. */
    static List<Field> of(String name) {
        return switch (name) {
            case "mstatus" -> MSTATUS;
            case "sstatus" -> SSTATUS;
            case "mip", "mie", "mideleg" -> INTERRUPTS;
            case "sip", "sie" -> S_INTERRUPTS;
            case "mtvec", "stvec" -> TVEC;
            case "satp" -> SATP;
            case "mcause", "scause" -> CAUSE;
            default -> List.of();
        };
    }

    /** mcause/scause: "interrupt 7 (machine timer interrupt)" or "exception 2 (illegal instruction)". */
    static String cause(long v) {
        boolean interrupt = v < 0;
        long code = v & Long.MAX_VALUE;
        String name = (interrupt ? INTERRUPT_CAUSES : EXCEPTIONS).get(code);
        return (interrupt ? "interrupt " : "exception ") + code + (name == null ? "" : " (" + name + ")");
    }

    /** A field's value as the Registers view shows it: number and meaning. */
    static String show(Field f, long csr) {
        long v = f.of(csr);
        String meaning = f.values().get(v);
        String number = f.msb() - f.lsb() + 1 > 4 ? String.format("0x%x", v) : Long.toString(v);
        return meaning == null ? number : number + " (" + meaning + ")";
    }
}
