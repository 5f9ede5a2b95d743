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
    /** Exits to another instruction of the same page, counted at its exits ({@link #linked}) until it is chained. */
    int pageExits;
    /**
     * Instructions it retired itself while not {@link #hot} (counted at its exits; {@link Hart#HOT_BLOCK}).
     * Unsynchronized: a block shared with a machine on another thread may lose counts, which only delays its promotion.
     */
    long retired;
    /**
     * Defined as a {@code HotBlock}: the launcher lets only those reach C2 (the others end at
     * C1, whose compile time a block run a few thousand times pays back; see the launcher).
     */
    boolean hot;
    /** The lowest slot its instructions cover, relative to its entry slot (0 or less: a function it calls lies below). */
    int firstSlot;
    /**
     * Per exit that may chain (each static exit and each JALR, {@link BlockEmitter}): the block
     * the dispatcher last entered where that exit went, or null.
     */
    Link[] links;

    /**
     * A successor of a block exit: the block the dispatcher entered at {@code pc} right after the
     * exit left there. Valid only for the hart and fetch privilege it was made with
     * ({@code key}: {@link Hart#fetchKey}) and while no block or code mapping has changed since
     * ({@link #GENERATION}); immutable, so blocks shared by machines on other threads see whole links.
     */
    static final class Link {
        final long pc;
        final Block to;
        final Object key;
        final long generation;

        Link(long pc, Block to, Object key, long generation) {
            this.pc = pc;
            this.to = to;
            this.key = key;
            this.generation = generation;
        }
    }

    /**
     * Counts changes that may make a link wrong: a block replaced or dropped, a code mapping
     * changed. One count for every machine of the JVM: a change anywhere unlinks everything
     * (links are a cache: only speed depends on them, never what the guest sees).
     */
    private static final java.util.concurrent.atomic.AtomicLong GENERATION = new java.util.concurrent.atomic.AtomicLong();

    /** The current {@link #GENERATION} (a volatile read: machines on other threads bump it too, and it only grows). */
    static long generation() {
        return GENERATION.get();
    }

    /**
     * Due to be translated again by the dispatcher, which does that only for blocks it calls
     * itself: with chaining after {@link Hart#chainAfter} exits to its own page, as a
     * {@link #hot} class after {@link Hart#HOT_BLOCK} instructions. Links do not enter it then.
     */
    final boolean due(Hart h) {
        return (!chained && pageExits >= h.chainAfter) || (!hot && retired >= Hart.HOT_BLOCK);
    }

    /** Drops every link (see {@link #GENERATION}). */
    static void unlink() {
        GENERATION.incrementAndGet();
    }

    /**
     * Called at a block's exit (after its registers are written back) with the exit's index and
     * target: the successor to enter directly (block chaining), or null to return to the
     * dispatcher, which then links this exit to the block it enters there. A successor is entered
     * only on the dispatcher's own terms: its first run fits under {@code limit} (so stops stay
     * at exact icounts and interrupts where the interpreter takes them), the link is current, and
     * the hart's chain depth ({@link Hart#chainDepth}, the JVM stack) allows one more.
     */
    static Block linked(Block from, int exit, Hart h, long pc0, long pc, long ic, long limit) {
        if (((pc ^ pc0) >>> 12) == 0 && !from.chained) {
            from.pageExits++;
        }
        Link l = from.links[exit];
        if (l != null && l.key == h.fetchKey && l.generation == generation()) {
            Block to = l.to;
            if (l.pc == pc && ic + to.length <= limit && !to.due(h) && --h.chainDepth >= 0) {
                h.blocksLinked++;
                if (ExecutionProfile.ON) {
                    h.profile.linked++;
                }
                if (h.codePages != null) {
                    h.codePages.note(pc); // a link enters code past the dispatcher, which notes the rest
                }
                return to;
            }
            // A current link elsewhere (a JALR's other target) stays: relinking would allocate at every change.
            return null;
        }
        // No current link: the dispatcher makes one when it enters a block there.
        h.linkFrom = from;
        h.linkExit = exit;
        return null;
    }

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
            h.bailed = this;
            h.bailedPc = pc0;
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
