package dev.rewind.emulator;

/**
 * The debug trigger module of one hart (Sdtrig, RISC-V Debug Specification 1.0 ch. 5), as QEMU
 * 7.2 implements it (target/riscv/debug.c): two triggers, each an address match trigger of type
 * 2 (mcontrol) or 6 (mcontrol6), whose only action is a breakpoint exception (cause 3, tval 0)
 * taken before the matching instruction executes or before the matching access happens.
 *
 * <pre>
 * 0x7a0 tselect  0 or 1; other values are ignored
 * 0x7a1 tdata1   type (63:60) 2 or 6, then only these fields are kept, the rest reads 0:
 *                type 2: sizehi (22:21), sizelo (17:16), m (6), s (4), u (3), execute (2), store (1), load (0)
 *                type 6: vu (24), vs (23), size (19:16), m, s, u, execute, store, load
 *                an unsupported size code (4, 6..15) is dropped; writes of another type are ignored
 * 0x7a2 tdata2   the address to match (any value)
 * 0x7a3 tdata3   reads 0, writes ignored
 * 0x7a4 tinfo    0x44 (types 2 and 6), writes ignored
 * </pre>
 * A trigger is armed when one of m/s/u and one of execute/load/store are set. QEMU's own
 * behaviour, kept here because the tests compare instruction by instruction:
 * <ul>
 * <li>Execute: at an address some armed execute trigger names, the breakpoint is taken if any
 *     armed execute trigger allows the current privilege (not necessarily the one naming it);</li>
 * <li>Load/store: an access hits a trigger's bytes [tdata2, tdata2 + length), length = the size
 *     code itself (1, 2, 3, 5) or 8 when it is 0, if they overlap; AMOs count as load and store,
 *     LR as a load, SC as a store; the current privilege (not MPRV's) must be allowed.</li>
 * </ul>
 */
final class Triggers {

    static final int COUNT = 2;
    static final long TINFO = (1 << 2) | (1 << 6);
    static final long LOAD = 1, STORE = 1 << 1, EXECUTE = 1 << 2, U = 1 << 3, S = 1 << 4, M = 1 << 6;
    private static final long ACCESS = LOAD | STORE | EXECUTE, MODES = U | S | M;
    private static final long TYPE2_SIZE = (3L << 21) | (3L << 16), TYPE6_SIZE = 0xfL << 16;
    private static final long TYPE6_VIRT = (1L << 24) | (1L << 23);
    /** tdata1 after reset: an address match trigger with nothing selected. */
    static final long IDLE = 2L << 60;

    int select;
    private final long[] tdata1 = new long[COUNT];
    private final long[] tdata2 = new long[COUNT];
    /** Some trigger is armed for execute / for loads or stores (kept up to date on every change). */
    boolean executeArmed, dataArmed;

    Triggers() {
        for (int i = 0; i < COUNT; i++) {
            tdata1[i] = IDLE;
        }
    }

    long tdata1() {
        return tdata1[select];
    }

    long tdata2() {
        return tdata2[select];
    }

    long tdata1(int i) {
        return tdata1[i];
    }

    long tdata2(int i) {
        return tdata2[i];
    }

    /** Restores saved state as it was (no field rules: they applied when it was written). */
    void restoreTdata1(int i, long value) {
        tdata1[i] = value;
        refresh();
    }

    void restoreTdata2(int i, long value) {
        tdata2[i] = value;
    }

    private void refresh() {
        boolean x = false, d = false;
        for (int i = 0; i < COUNT; i++) {
            x |= armed(i, EXECUTE);
            d |= armed(i, LOAD | STORE);
        }
        executeArmed = x;
        dataArmed = d;
    }

    void writeSelect(long value) {
        if (Long.compareUnsigned(value, COUNT) < 0) {
            select = (int) value;
        }
    }

    /** A tdata1 write to the selected trigger; returns true if the trigger changed. */
    boolean writeTdata1(long value) {
        long kept;
        int type = (int) (value >>> 60);
        if (type == 2) {
            long size = ((value >>> 21) & 3) << 2 | ((value >>> 16) & 3);
            kept = IDLE | (supportedSize(size) ? value & TYPE2_SIZE : 0) | (value & (MODES | ACCESS));
        } else if (type == 6) {
            kept = (6L << 60) | (supportedSize((value >>> 16) & 0xf) ? value & TYPE6_SIZE : 0)
                    | (value & (TYPE6_VIRT | MODES | ACCESS));
        } else {
            return false; // QEMU logs the write and keeps the trigger as it was
        }
        boolean changed = kept != tdata1[select];
        tdata1[select] = kept;
        refresh();
        return changed;
    }

    /** A tdata2 write to the selected trigger; returns true if it changed. */
    boolean writeTdata2(long value) {
        boolean changed = value != tdata2[select];
        tdata2[select] = value;
        return changed;
    }

    private static boolean supportedSize(long code) {
        return code <= 3 || code == 5;
    }

    private boolean armed(int i, long access) {
        long t = tdata1[i];
        return (t & MODES) != 0 && (t & ACCESS) != 0 && (t & access) != 0;
    }

    private static boolean allows(long tdata1, int priv) {
        return ((tdata1 >>> 3) & (1L << priv)) != 0;
    }

    /** True if some armed execute trigger names {@code pc} (a breakpoint sits there). */
    boolean executeAt(long pc) {
        if (!executeArmed) {
            return false;
        }
        for (int i = 0; i < COUNT; i++) {
            if (armed(i, EXECUTE) && tdata2[i] == pc) {
                return true;
            }
        }
        return false;
    }

    /** True if executing {@code pc} in privilege {@code priv} takes the breakpoint. */
    boolean firesOnExecute(long pc, int priv) {
        if (!executeAt(pc)) {
            return false;
        }
        for (int i = 0; i < COUNT; i++) {
            if (armed(i, EXECUTE) && allows(tdata1[i], priv)) {
                return true;
            }
        }
        return false;
    }

    /**
     * True if the access [a, a + size) of the given kind ({@link #LOAD}, {@link #STORE} or both
     * for an AMO) in privilege {@code priv} takes the breakpoint.
     */
    boolean firesOnAccess(long a, int size, long kind, int priv) {
        for (int k = 0; k < COUNT; k++) {
            if (!armed(k, kind)) {
                continue;
            }
            long start = tdata2[k];
            long code = ((tdata1[k] >>> 60) == 2) ? ((tdata1[k] >>> 21) & 3) << 2 | ((tdata1[k] >>> 16) & 3)
                    : (tdata1[k] >>> 16) & 0xf;
            long length = code == 0 ? 8 : code;
            if (Long.compareUnsigned(a, start + length - 1) > 0 || Long.compareUnsigned(start, a + size - 1) > 0) {
                continue;
            }
            // QEMU asks whether any trigger at this address with a common access kind allows the mode.
            for (int i = 0; i < COUNT; i++) {
                if (tdata2[i] == start && (tdata1[i] & tdata1[k] & (LOAD | STORE)) != 0 && allows(tdata1[i], priv)) {
                    return true;
                }
            }
        }
        return false;
    }
}
