package dev.rewind.emulator;

/**
 * A straight run of guest instructions translated to one JVM method by {@link BlockTranslator}.
 * A block only knows instruction bits: every pc it produces is relative to the {@code pc0} it is
 * given, so one block serves every page and virtual address holding the same code.
 *
 * <p>Contract of {@link #run}: called only when {@code ic + length <= limit}. It executes
 * at least its first {@link #length} instructions and goes on through its region while each
 * further run fits under {@code limit}, writes the guest registers it changed back to
 * {@code h.x}, sets {@code h.pc} and returns the new icount. It never calls a slow path: an
 * access the RAM fast path cannot do ends the block in front of that instruction with
 * {@code h.bail} set, and the interpreter executes it.
 */
abstract class Block {
    /** Instructions of the first run (up to the first branch or jump): the dispatcher enters only if they fit. */
    int length;
    /** Halfword slots the block's instructions cover, from its entry slot (exclusive end). */
    int span;
    /** Translated with chaining (calls, returns and last-seen JALR targets of its page followed). */
    boolean chained;
    /** Exits to another instruction of the same page, counted by the dispatcher until it chains the block. */
    int pageExits;
    /** Instructions retired in its calls from the dispatcher while it is not {@link #hot} ({@link Hart#HOT_BLOCK}). */
    long retired;
    /**
     * Defined as a {@code HotBlock}: the launcher lets only those reach C2 (the others end at
     * C1, whose compile time a block run a few thousand times pays back; see the launcher).
     */
    boolean hot;
    /** The lowest slot its instructions cover, relative to its entry slot (0 or less: a function it calls lies below). */
    int firstSlot;

    Block() {
    }

    abstract long run(Hart h, long pc0, long ic, long limit);

    /**
     * Its loads and stores were translated for {@link Hart#direct} (RAM offsets) or for the TLB
     * ({@link #TLB}); {@link #ANY_MODE} for a block without loads and stores. A block entered in
     * the other mode bails at once and the dispatcher translates it again ({@link #fits}).
     */
    byte mode = ANY_MODE;
    static final byte ANY_MODE = 0, DIRECT = 1, TLB = 2;

    /** Its loads and stores were translated for the hart's current data access mode. */
    final boolean fits(Hart h) {
        return mode == ANY_MODE || (mode == DIRECT) == h.direct;
    }

    /** Marks a slot that cannot start a block (a system instruction, breakpoint, page crossing...). */
    static final Block NONE = new Block() {
        {
            length = Integer.MAX_VALUE;
            span = 1;
        }

        /** Never chosen while limits stay below its length; if it were, the interpreter takes over. */
        @Override
        long run(Hart h, long pc0, long ic, long limit) {
            h.bail = true;
            return ic;
        }
    };

    /** The instructions a block entered at {@code ic} may retire before {@code limit}, at most 2^31 - 1 (see BlockEmitter's BUDGET). */
    static int budget(long ic, long limit) {
        return (int) Math.min(limit - ic, Integer.MAX_VALUE);
    }

    /**
     * For a store of a block to RAM offset o: its page's flags are
     * exactly DIRTY (no decoded code, no device hooks, not LOGGED: the only pages the fast path
     * may write) and the access stays inside the page ({@code last}: 4096 - size). Small enough
     * for HotSpot to inline at every call.
     */
    static boolean dirty(byte[] flags, long o, int last) {
        return flags[(int) (o >>> 12)] == Memory.DIRTY && (o & 0xfff) <= last;
    }

    // RAM accessors the generated code calls (little-endian views of the RAM byte array).

    static long ld(byte[] m, int o) {
        return (long) Hart.I64.get(m, o);
    }

    static long lw(byte[] m, int o) {
        return (int) Hart.I32.get(m, o);
    }

    static long lwu(byte[] m, int o) {
        return (int) Hart.I32.get(m, o) & 0xffffffffL;
    }

    static long lbu(byte[] m, int o) {
        return m[o] & 0xffL;
    }

    static long lh(byte[] m, int o) {
        return (short) Hart.I16.get(m, o);
    }

    static long lhu(byte[] m, int o) {
        return (short) Hart.I16.get(m, o) & 0xffffL;
    }

    static void sd(byte[] m, int o, long v) {
        Hart.I64.set(m, o, v);
    }

    static void sw(byte[] m, int o, long v) {
        Hart.I32.set(m, o, (int) v);
    }

    static void sh(byte[] m, int o, long v) {
        Hart.I16.set(m, o, (short) v);
    }
}
