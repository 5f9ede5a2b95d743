package dev.rewind.emulator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The single table of control and status registers and of the other per-hart state that is
 * saved (privileged spec 20211203 ch. 2.2 "CSR Listing"): number, name (as gdb knows it),
 * group, how the value is kept, and where it goes in saved state and in the replay digest.
 * Privilege and read-only access follow from the number (spec 2.1: bits 9:8 the lowest
 * privilege, bits 11:10 = 3 read-only); CsrTableTest checks the table against them.
 *
 * <p>Everything that lists CSRs derives from here: which CSRs exist ({@link CsrFile} raises
 * illegal-instruction for the rest), the order of the hart's saved state ({@link #saved()},
 * the declaration order of the {@link Kind#STATE} rows, so new rows go at the end), the replay
 * log's hart digest ({@link #digested()}), the gdb target description and the debugger's
 * register views ({@link #all()}). Behaviour (WARL masks, views such as sstatus) stays in
 * {@link CsrFile}; a row of kind STATE without special behaviour reads and writes its storage.
 */
public final class Csr {

    /** Where a register belongs, for the debugger's register groups. */
    public enum Group {
        MACHINE, SUPERVISOR, COUNTERS, PMP, FP, DEBUG,
        /** Not a CSR: hart state that is saved but has no number (e.g. LR's reservation; f0-f31 are group FP). */
        INTERNAL
    }

    /** How the value is kept. */
    enum Kind {
        /** Stored, saved and restored. */
        STATE,
        /** Computed from other state on read (sstatus, mip, cycle, ...). */
        VIEW,
        /** Fixed for the hart (misa, the ID registers). */
        CONSTANT,
        /** Exists, reads zero, ignores writes (performance counters without events). */
        ZERO
    }

    interface Getter {
        long get(Hart h, int index);
    }

    interface Setter {
        void set(Hart h, int index, long value);
    }

    private final int number;
    private final String name;
    private final Group group;
    private final Kind kind;
    private final int index;
    private final int digestOrder;
    private final Getter getter;
    private final Setter setter;

    private Csr(int number, String name, Group group, Kind kind, int index, int digestOrder, Getter getter,
            Setter setter) {
        this.number = number;
        this.name = name;
        this.group = group;
        this.kind = kind;
        this.index = index;
        this.digestOrder = digestOrder;
        this.getter = getter;
        this.setter = setter;
    }

    /** The CSR number (0..0xfff), or -1 for {@link Group#INTERNAL} state. */
    public int number() {
        return number;
    }

    public String name() {
        return name;
    }

    public Group group() {
        return group;
    }

    /** Lowest privilege that may access it: 0 = U, 1 = S, 2 = hypervisor, 3 = M. */
    public int privilege() {
        return (number >>> 8) & 3;
    }

    public boolean readOnly() {
        return (number >>> 10) == 3;
    }

    Kind kind() {
        return kind;
    }

    /** Position in the replay log's hart digest, or -1 if not digested. */
    int digestOrder() {
        return digestOrder;
    }

    long get(Hart h) {
        return getter.get(h, index);
    }

    void set(Hart h, long value) {
        setter.set(h, index, value);
    }

    @Override
    public String toString() {
        return number < 0 ? name : name + String.format(" (0x%03x)", number);
    }

    // ------------------------------------------------------------------ the table

    private static final List<Csr> ROWS = new ArrayList<>();

    static {
        // The STATE rows in save order (this order is the hart state format: append only).
        state(0x300, "mstatus", Group.MACHINE, 0, h -> h.csrs.mstatus, (h, v) -> h.csrs.mstatus = v);
        state(0x302, "medeleg", Group.MACHINE, 1, h -> h.csrs.medeleg, (h, v) -> h.csrs.medeleg = v);
        state(0x303, "mideleg", Group.MACHINE, 2, h -> h.csrs.mideleg, (h, v) -> h.csrs.mideleg = v);
        state(0x304, "mie", Group.MACHINE, 3, h -> h.csrs.mie, (h, v) -> h.csrs.mie = v);
        state(0x305, "mtvec", Group.MACHINE, 4, h -> h.csrs.mtvec, (h, v) -> h.csrs.mtvec = v);
        state(0x306, "mcounteren", Group.COUNTERS, -1, h -> h.csrs.mcounteren, (h, v) -> h.csrs.mcounteren = v);
        state(0x340, "mscratch", Group.MACHINE, 5, h -> h.csrs.mscratch, (h, v) -> h.csrs.mscratch = v);
        state(0x341, "mepc", Group.MACHINE, 6, h -> h.csrs.mepc, (h, v) -> h.csrs.mepc = v);
        state(0x342, "mcause", Group.MACHINE, 7, h -> h.csrs.mcause, (h, v) -> h.csrs.mcause = v);
        state(0x343, "mtval", Group.MACHINE, 8, h -> h.csrs.mtval, (h, v) -> h.csrs.mtval = v);
        state(0x105, "stvec", Group.SUPERVISOR, 11, h -> h.csrs.stvec, (h, v) -> h.csrs.stvec = v);
        state(0x106, "scounteren", Group.COUNTERS, -1, h -> h.csrs.scounteren, (h, v) -> h.csrs.scounteren = v);
        state(0x140, "sscratch", Group.SUPERVISOR, 12, h -> h.csrs.sscratch, (h, v) -> h.csrs.sscratch = v);
        state(0x141, "sepc", Group.SUPERVISOR, 13, h -> h.csrs.sepc, (h, v) -> h.csrs.sepc = v);
        state(0x142, "scause", Group.SUPERVISOR, 14, h -> h.csrs.scause, (h, v) -> h.csrs.scause = v);
        state(0x143, "stval", Group.SUPERVISOR, 15, h -> h.csrs.stval, (h, v) -> h.csrs.stval = v);
        state(0x180, "satp", Group.SUPERVISOR, 10, h -> h.csrs.satp, (h, v) -> h.csrs.satp = v);
        state(0x30a, "menvcfg", Group.MACHINE, -1, h -> h.csrs.menvcfg, (h, v) -> h.csrs.menvcfg = v);
        state(0x10a, "senvcfg", Group.SUPERVISOR, -1, h -> h.csrs.senvcfg, (h, v) -> h.csrs.senvcfg = v);
        state(0x320, "mcountinhibit", Group.COUNTERS, -1, h -> h.csrs.mcountinhibit, (h, v) -> h.csrs.mcountinhibit = v);
        internal("cycle offset", h -> h.csrs.cycleOffset, (h, v) -> h.csrs.cycleOffset = v);
        internal("instret offset", h -> h.csrs.instretOffset, (h, v) -> h.csrs.instretOffset = v);
        internal("mip written by software", h -> h.csrs.mipSoft, (h, v) -> h.csrs.mipSoft = v);
        internal("mip driven by devices", h -> h.csrs.mipLines, (h, v) -> h.csrs.mipLines = v);
        state(0x3a0, "pmpcfg0", Group.PMP, -1, h -> h.csrs.pmpcfg0, (h, v) -> h.csrs.pmpcfg0 = v);
        state(0x3a2, "pmpcfg2", Group.PMP, -1, h -> h.csrs.pmpcfg2, (h, v) -> h.csrs.pmpcfg2 = v);
        internal("reservation address", h -> h.sys.reservation, (h, v) -> h.sys.reservation = v);
        internal("reserved value", h -> h.sys.reservedValue, (h, v) -> h.sys.reservedValue = v);
        for (int i = 0; i < 16; i++) {
            add(0x3b0 + i, "pmpaddr" + i, Group.PMP, Kind.STATE, i, -1, (h, k) -> h.csrs.pmpaddr[k],
                    (h, k, v) -> h.csrs.pmpaddr[k] = v);
        }
        // F and D: fcsr holds frm and fflags (their CSRs are views of it), then f0-f31.
        state(0x003, "fcsr", Group.FP, -1, h -> h.fpu.fcsr(), (h, v) -> h.fpu.setFcsr(v));
        for (int i = 0; i < 32; i++) {
            add(-1, "f" + i, Group.FP, Kind.STATE, i, -1, (h, k) -> h.fpu.f[k], (h, k, v) -> h.fpu.f[k] = v);
        }
        // Sdtrig (Triggers): tselect, then each trigger's tdata1 and tdata2. tdata1 is saved XOR its
        // reset value, so a state saved before these rows existed (they read as 0) loads reset triggers.
        state(0x7a0, "tselect", Group.DEBUG, -1, h -> h.triggers.select, (h, v) -> h.triggers.select = (int) v);
        for (int i = 0; i < Triggers.COUNT; i++) {
            add(-1, "tdata1 of trigger " + i, Group.INTERNAL, Kind.STATE, i, -1, (h, k) -> h.triggers.tdata1(k) ^ Triggers.IDLE,
                    (h, k, v) -> h.triggers.restoreTdata1(k, v ^ Triggers.IDLE));
            add(-1, "tdata2 of trigger " + i, Group.INTERNAL, Kind.STATE, i, -1, (h, k) -> h.triggers.tdata2(k),
                    (h, k, v) -> h.triggers.restoreTdata2(k, v));
        }

        // Computed, constant and zero rows: their order does not matter.
        view(0x001, "fflags", Group.FP, -1);
        view(0x002, "frm", Group.FP, -1);
        view(0x100, "sstatus", Group.SUPERVISOR, -1);
        view(0x104, "sie", Group.SUPERVISOR, -1);
        view(0x144, "sip", Group.SUPERVISOR, -1);
        view(0x344, "mip", Group.MACHINE, 9);
        view(0x7a1, "tdata1", Group.DEBUG, -1);
        view(0x7a2, "tdata2", Group.DEBUG, -1);
        add(0x7a3, "tdata3", Group.DEBUG, Kind.ZERO, 0, -1, null, null);
        add(0x7a4, "tinfo", Group.DEBUG, Kind.CONSTANT, 0, -1, null, null);
        add(0x301, "misa", Group.MACHINE, Kind.CONSTANT, 0, -1, null, null);
        add(0xf11, "mvendorid", Group.MACHINE, Kind.CONSTANT, 0, -1, null, null);
        add(0xf12, "marchid", Group.MACHINE, Kind.CONSTANT, 0, -1, null, null);
        add(0xf13, "mimpid", Group.MACHINE, Kind.CONSTANT, 0, -1, null, null);
        add(0xf14, "mhartid", Group.MACHINE, Kind.CONSTANT, 0, -1, null, null);
        add(0xf15, "mconfigptr", Group.MACHINE, Kind.CONSTANT, 0, -1, null, null);
        view(0xb00, "mcycle", Group.COUNTERS, -1);
        view(0xb02, "minstret", Group.COUNTERS, -1);
        view(0xc00, "cycle", Group.COUNTERS, -1);
        view(0xc01, "time", Group.COUNTERS, -1);
        view(0xc02, "instret", Group.COUNTERS, -1);
        for (int i = 3; i < 32; i++) {
            add(0xb00 + i, "mhpmcounter" + i, Group.COUNTERS, Kind.ZERO, 0, -1, null, null);
            add(0xc00 + i, "hpmcounter" + i, Group.COUNTERS, Kind.ZERO, 0, -1, null, null);
            add(0x320 + i, "mhpmevent" + i, Group.COUNTERS, Kind.ZERO, 0, -1, null, null);
        }
    }

    private static void state(int number, String name, Group group, int digestOrder,
            java.util.function.ToLongFunction<Hart> get, java.util.function.ObjLongConsumer<Hart> set) {
        add(number, name, group, Kind.STATE, 0, digestOrder, (h, k) -> get.applyAsLong(h), (h, k, v) -> set.accept(h, v));
    }

    private static void internal(String name, java.util.function.ToLongFunction<Hart> get,
            java.util.function.ObjLongConsumer<Hart> set) {
        add(-1, name, Group.INTERNAL, Kind.STATE, 0, -1, (h, k) -> get.applyAsLong(h), (h, k, v) -> set.accept(h, v));
    }

    private static void view(int number, String name, Group group, int digestOrder) {
        add(number, name, group, Kind.VIEW, 0, digestOrder, null, null);
    }

    private static void add(int number, String name, Group group, Kind kind, int index, int digestOrder, Getter get,
            Setter set) {
        ROWS.add(new Csr(number, name, group, kind, index, digestOrder, get, set));
    }

    private static final Csr[] BY_NUMBER = new Csr[4096];
    private static final List<Csr> ALL;
    private static final List<Csr> SAVED;
    private static final int[] DIGESTED;

    static {
        List<Csr> all = new ArrayList<>();
        List<Csr> saved = new ArrayList<>();
        int digested = 0;
        for (Csr c : ROWS) {
            if (c.number >= 0) {
                if (BY_NUMBER[c.number] != null) {
                    throw new ExceptionInInitializerError("CSR 0x" + Integer.toHexString(c.number) + " listed twice");
                }
                BY_NUMBER[c.number] = c;
                all.add(c);
            }
            if (c.kind == Kind.STATE) {
                saved.add(c);
            }
            if (c.digestOrder >= 0) {
                digested++;
            }
        }
        // A lambda of our own, not Comparator.comparingInt: the JDK's lambda inside it is not in
        // the launcher's class-data cache and is spun at every start (several ms, interpreted).
        all.sort((a, b) -> Integer.compare(a.number, b.number));
        int[] order = new int[digested];
        Arrays.fill(order, -1);
        for (Csr c : ROWS) {
            if (c.digestOrder >= 0) {
                order[c.digestOrder] = c.number;
            }
        }
        ALL = List.copyOf(all);
        SAVED = List.copyOf(saved);
        DIGESTED = order;
    }

    /** Every CSR this hart has, in number order. */
    public static List<Csr> all() {
        return ALL;
    }

    /** The row of a CSR number, empty if this hart has no such CSR. */
    public static Optional<Csr> byNumber(int number) {
        return Optional.ofNullable(lookup(number));
    }

    /** The CSR's name, or {@code csrNNN} (hex) for a number this hart lacks. */
    public static String nameOf(int number) {
        if (number < 0 || number > 0xfff) {
            throw new IllegalArgumentException("CSR number out of range: " + number);
        }
        Csr c = BY_NUMBER[number];
        return c != null ? c.name : String.format("csr%03x", number);
    }

    /** The CSR numbers the replay log's hart digest covers, in digest order. */
    public static int[] digested() {
        return DIGESTED.clone();
    }

    static Csr lookup(int number) {
        return number >= 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
    }

    /** The saved per-hart state, in save order. */
    static List<Csr> saved() {
        return SAVED;
    }
}
