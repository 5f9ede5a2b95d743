package dev.rewind.emulator;

/**
 * Address translation for one hart: PMP checks (privileged spec 3.7), the Sv39 walk with A/D
 * updates (4.3-4.4), filling the hart's software TLB, the fetch translation cache, and the
 * debugger's side-effect-free reads through the current translation.
 */
final class Mmu {

    static final int FETCH = 0, LOAD = 1, STORE = 2;

    private final Hart h;
    private final CsrFile c;

    // Fetch translation cache: the current page, then a small direct-mapped cache of recent ones
    // (code that calls across pages would otherwise walk and check PMP at every page change).
    // One cache per privilege (U, S, M; index 2 unused), like the data TLBs below.
    Memory fetchMemory;
    private long fetchVpn = -1;
    private DecodedPage fetchPage;
    private static final int FETCH_WAYS = 256;
    private long[] fetchTags;
    private DecodedPage[] fetchPages;
    private Memory[] fetchMemories;
    private final long[][] fetchTagsBy = new long[4][FETCH_WAYS];
    private final DecodedPage[][] fetchPagesBy = new DecodedPage[4][FETCH_WAYS];
    private final Memory[][] fetchMemoriesBy = new Memory[4][FETCH_WAYS];

    // The data TLBs, one per effective data privilege and, for S, mstatus.SUM ({@link #dataSet}):
    // what an entry holds depends on satp, mstatus.MXR, PMP, watchpoints and triggers, which
    // flush all of them when they change, and on the privilege and SUM, which only select one. So
    // traps and returns between U, S and M (system calls, interrupts, SBI calls) and the kernel's
    // SUM toggles around user accesses keep every entry.
    private final long[][] rTags = new long[4][Hart.TLB_SIZE], rOffs = new long[4][Hart.TLB_SIZE];
    private final long[][] wTags = new long[4][Hart.TLB_SIZE], wOffs = new long[4][Hart.TLB_SIZE];
    /** Per privilege: its TLB or fetch cache may hold entries (bit p), so a flush need not clear the others. */
    private int tlbFilled, fetchFilled;
    /** The level of the leaf the last translation found (0: a 4 KiB page or no translation, 1: 2 MiB, 2: 1 GiB). */
    private int walkLevel;
    /**
     * The superpages cached entries came from since the last full flush, as {@code vpn >>> (9 *
     * level)} with the level in the low 2 bits ({@link #superpage}): entries are per 4 KiB page,
     * so a superpage leaves one per page used, and an SFENCE.VMA for one address of it must drop
     * all of them ({@link #flushPage}). Past {@link #SUPERPAGES} of them, {@link #manySuperpages}:
     * every one-address SFENCE.VMA drops the whole 1 GiB around its address.
     */
    private final long[] superpages = new long[SUPERPAGES];
    private int superpageCount;
    private boolean manySuperpages;
    private static final int SUPERPAGES = 64;

    Mmu(Hart hart) {
        this.h = hart;
        this.c = hart.csrs;
        for (long[][] t : new long[][][] {rTags, wTags, fetchTagsBy}) {
            for (long[] a : t) {
                java.util.Arrays.fill(a, -1L);
            }
        }
    }

    /** {@link #translationChanged()}, counted by cause under -Drewind.profile ({@link ExecutionProfile#flushes}). */
    void translationChanged(int cause) {
        if (ExecutionProfile.ON) {
            h.profile.flushes[cause]++;
        }
        translationChanged();
    }

    /** satp, SUM/MXR, PMP, watchpoints, triggers or the whole state changed: drop every cached translation. */
    void translationChanged() {
        for (int p = 0; p < 4; p++) {
            if ((tlbFilled & (1 << p)) != 0) {
                java.util.Arrays.fill(rTags[p], -1L);
                java.util.Arrays.fill(wTags[p], -1L);
            }
            if ((fetchFilled & (1 << p)) != 0) {
                java.util.Arrays.fill(fetchTagsBy[p], -1L);
            }
        }
        tlbFilled = 0;
        fetchFilled = 0;
        Block.unlink(); // code may sit at other addresses now
        superpageCount = 0;
        manySuperpages = false;
        privilegeChanged();
    }

    private static long superpage(long vpn, int level) {
        return (vpn >>> (9 * level)) << 2 | level;
    }

    /** Notes the superpage (if any) of the translation just cached for {@code vpn}. */
    private void cached(long vpn) {
        if (walkLevel == 0 || manySuperpages) {
            return;
        }
        long sp = superpage(vpn, walkLevel);
        for (int i = 0; i < superpageCount; i++) {
            if (superpages[i] == sp) {
                return;
            }
        }
        if (superpageCount == SUPERPAGES) {
            manySuperpages = true;
        } else {
            superpages[superpageCount++] = sp;
        }
    }

    /**
     * SFENCE.VMA for the one virtual address {@code va}: drops the cached translations its leaf
     * PTE made, i.e. of its 4 KiB page, or of every page of the superpage (up to 1 GiB) around it
     * when superpages were cached; the others stay.
     */
    void flushPage(long va) {
        long vpn = va >>> 12;
        drop(vpn, 0);
        if (manySuperpages) {
            drop(vpn, 18);
        } else {
            for (int i = 0; i < superpageCount; i++) {
                int level = (int) superpages[i] & 3;
                if (superpages[i] == superpage(vpn, level)) {
                    drop(vpn, 9 * level);
                    superpages[i--] = superpages[--superpageCount];
                }
            }
        }
        fetchVpn = -1;
        fetchPage = null;
        Block.unlink();
    }

    /** Drops the cached translations of every page whose vpn equals {@code vpn} above bit {@code shift}. */
    private void drop(long vpn, int shift) {
        for (int p = 0; p < 4; p++) {
            if ((tlbFilled & (1 << p)) != 0) {
                dropPage(rTags[p], vpn, shift);
                dropPage(wTags[p], vpn, shift);
            }
            if ((fetchFilled & (1 << p)) != 0) {
                dropPage(fetchTagsBy[p], vpn, shift);
            }
        }
    }

    private static void dropPage(long[] tags, long vpn, int shift) {
        if (shift == 0) {
            int i = (int) vpn & (tags.length - 1);
            if (tags[i] == vpn) {
                tags[i] = -1L;
            }
            return;
        }
        long region = vpn >>> shift;
        for (int i = 0; i < tags.length; i++) {
            if (tags[i] >>> shift == region) {
                tags[i] = -1L;
            }
        }
    }

    /**
     * The privilege or mstatus.MPRV/MPP changed: select the TLB and fetch cache of the new data
     * and fetch privileges (their entries stay valid: see {@link #rTags}).
     */
    void privilegeChanged() {
        int dataPriv = effectivePriv(LOAD);
        h.direct = dataPriv == Hart.M && !c.pmpLocked() && !h.debug.watching() && !h.triggers.dataArmed;
        int set = dataSet();
        h.rTag = rTags[set];
        h.rOff = rOffs[set];
        h.wTag = wTags[set];
        h.wOff = wOffs[set];
        fetchTags = fetchTagsBy[h.priv];
        fetchPages = fetchPagesBy[h.priv];
        h.fetchKey = fetchPages;
        fetchMemories = fetchMemoriesBy[h.priv];
        fetchVpn = -1;
        fetchPage = null;
    }

    // ---------------------------------------------------------------- PMP

    /** Whether [pa, pa+size) may be accessed; QEMU 7.2 denies S/U everything when no entry is set. */
    boolean pmpAllows(long pa, long size, int access, int p) {
        long last = pa + size - 1;
        for (int i = 0; i < 16; i++) {
            int cfg = c.pmpCfg(i);
            int a = (cfg >>> 3) & 3;
            if (a == 0) {
                continue;
            }
            long lo, hi; // [lo, hi]
            if (a == 1) {
                lo = i == 0 ? 0 : c.pmpaddr[i - 1] << 2;
                hi = (c.pmpaddr[i] << 2) - 1;
                if (Long.compareUnsigned(lo, hi + 1) >= 0) {
                    continue;
                }
            } else if (a == 2) {
                lo = c.pmpaddr[i] << 2;
                hi = lo + 3;
            } else {
                long addr = c.pmpaddr[i];
                int t = Long.numberOfTrailingZeros(~addr);
                long bytes = t >= 61 ? -1L : 8L << t;
                lo = (addr & ~((1L << t) - 1)) << 2;
                hi = bytes == -1L ? -1L : lo + bytes - 1;
            }
            boolean startIn = Long.compareUnsigned(pa, lo) >= 0 && Long.compareUnsigned(pa, hi) <= 0;
            boolean endIn = Long.compareUnsigned(last, lo) >= 0 && Long.compareUnsigned(last, hi) <= 0;
            if (startIn && endIn) {
                if (p == Hart.M && (cfg & 0x80) == 0) {
                    return true;
                }
                int bit = access == FETCH ? 4 : access == STORE ? 2 : 1;
                return (cfg & bit) != 0;
            }
            if (startIn || endIn) {
                return false; // partial match fails
            }
        }
        return p == Hart.M;
    }    // ---------------------------------------------------------------- translation

    /** The data TLB in use: U 0, S 1, S with mstatus.SUM 2 (a privilege that does not exist), M 3. */
    private int dataSet() {
        int p = effectivePriv(LOAD);
        return p == Hart.S && (c.mstatus & CsrFile.MSTATUS_SUM) != 0 ? 2 : p;
    }

    int effectivePriv(int access) {
        if (access != FETCH && h.priv == Hart.M && (c.mstatus & CsrFile.MSTATUS_MPRV) != 0) {
            return (int) ((c.mstatus >>> 11) & 3);
        }
        return h.priv;
    }

    /**
     * The address space data accesses of this kind go through now: the root page table's
     * physical page number while Sv39 translates them, else {@link WatchHit#ANY_SPACE} (bare).
     */
    long dataSpace(int access) {
        return effectivePriv(access) == Hart.M || (c.satp >>> 60) != 8 ? WatchHit.ANY_SPACE : c.satp & ((1L << 44) - 1);
    }

    private int pageFault(int access) {
        return access == FETCH ? HartSystem.INSN_PAGE_FAULT : access == LOAD ? HartSystem.LOAD_PAGE_FAULT : HartSystem.STORE_PAGE_FAULT;
    }

    private int accessFault(int access) {
        return access == FETCH ? HartSystem.INSN_ACCESS : access == LOAD ? HartSystem.LOAD_ACCESS : HartSystem.STORE_ACCESS;
    }

    /**
     * Virtual to physical (Sv39 walk with A/D update, then PMP), raising the right fault.
     * With {@code debug} set nothing is written and failures return -1 instead of trapping.
     */
    long translate(long va, int access, long pc, long ic, boolean debug) {
        int p = effectivePriv(access);
        long pa;
        if (p == Hart.M || (c.satp >>> 60) != 8) {
            if (!debug) {
                walkLevel = 0;
            }
            pa = va;
        } else {
            pa = walk(va, access, p, pc, ic, debug);
            if (pa == -1) {
                return -1;
            }
        }
        if (!pmpAllows(pa, 1, access, p)) {
            if (debug) {
                return -1;
            }
            throw h.sys.raise(pc, ic, accessFault(access), va, false);
        }
        return pa;
    }

    private long walk(long va, int access, int p, long pc, long ic, boolean debug) {
        if (ExecutionProfile.ON && !debug) {
            if (access == FETCH) {
                h.profile.fetchWalks++;
            } else {
                h.profile.dataWalks++;
            }
        }
        if ((va >> 38) != 0 && (va >> 38) != -1) {
            return fail(va, access, pc, ic, debug, true);
        }
        long table = (c.satp & ((1L << 44) - 1)) << 12;
        for (int level = 2; level >= 0; level--) {
            long pteAddr = table + (((va >>> (12 + 9 * level)) & 511) << 3);
            Memory m = h.bus.memory(pteAddr, 8);
            if (m != h.ram || !pmpAllows(pteAddr, 8, LOAD, Hart.S)) {
                return fail(va, access, pc, ic, debug, false);
            }
            int off = (int) (pteAddr - m.base);
            long pte = (long) Hart.I64.get(m.data, off);
            if ((pte & 1) == 0 || (pte & 6) == 4) {
                return fail(va, access, pc, ic, debug, true);
            }
            long ppn = (pte >>> 10) & ((1L << 44) - 1);
            if ((pte & 0xa) == 0) { // pointer to next level
                table = ppn << 12;
                continue;
            }
            boolean r = (pte & 2) != 0, w = (pte & 4) != 0, x = (pte & 8) != 0, u = (pte & 16) != 0;
            boolean allowed = switch (access) {
                case FETCH -> x;
                case LOAD -> r || (x && (c.mstatus & CsrFile.MSTATUS_MXR) != 0);
                default -> w;
            };
            if (p == Hart.U && !u) {
                allowed = false;
            } else if (p == Hart.S && u && (access == FETCH || (c.mstatus & CsrFile.MSTATUS_SUM) == 0)) {
                allowed = false;
            }
            if (!allowed || (level > 0 && (ppn & ((1L << (9 * level)) - 1)) != 0)) {
                return fail(va, access, pc, ic, debug, true);
            }
            long updated = pte | 0x40 | (access == STORE ? 0x80 : 0);
            if (updated != pte && !debug) {
                int f = off >>> 12;
                m.beforeStore(off, 8);
                Hart.I64.set(m.data, off, updated);
                if ((m.flags[f] & Memory.SPECIAL) != 0 && h.sys.specialStores != null) {
                    h.sys.specialStores.stored(pteAddr, 8);
                }
            }
            long pageMask = (1L << (12 + 9 * level)) - 1;
            if (!debug) {
                walkLevel = level;
            }
            return ((ppn << 12) & ~pageMask) | (va & pageMask);
        }
        return fail(va, access, pc, ic, debug, true);
    }

    private long fail(long va, int access, long pc, long ic, boolean debug, boolean page) {
        if (debug) {
            return -1;
        }
        throw h.sys.raise(pc, ic, page ? pageFault(access) : accessFault(access), va, false);
    }

    // ---------------------------------------------------------------- fetch

    /** The decoded page holding pc, translating and checking execute permission on a miss. */
    DecodedPage fetchPage(long pc) {
        long vpn = pc >>> 12;
        if (vpn == fetchVpn) {
            return fetchPage;
        }
        int way = (int) vpn & (FETCH_WAYS - 1);
        if (fetchTags[way] != vpn) {
            long pa = translate(pc, FETCH, pc, h.icount, false);
            Memory m = h.bus.fetchMemory(pa, 2);
            if (m == null) {
                throw h.sys.raise(pc, h.icount, HartSystem.INSN_ACCESS, pc, false);
            }
            fetchTags[way] = vpn;
            fetchFilled |= 1 << h.priv;
            cached(vpn);
            fetchMemories[way] = m;
            fetchPages[way] = m.decodedPage((int) (pa - m.base));
        }
        fetchMemory = fetchMemories[way];
        fetchPage = fetchPages[way];
        fetchVpn = vpn;
        return fetchPage;
    }

    /**
     * Fetches what the instruction at pc needs (both halves if it crosses a page) so that a
     * fetch fault is raised before anything observes the instruction.
     */
    void prefetch(long pc) {
        DecodedPage page = fetchPage(pc);
        if ((pc & 0xfff) == 0xffe) {
            int lo = (short) Hart.I16.get(fetchMemory.data, page.memOffset + 0xffe) & 0xffff;
            if ((lo & 3) == 3) {
                fetchHalf(pc + 2, pc);
            }
        }
    }

    /** Decodes the instruction at pc (possibly crossing a page) into slot 0 of {@code scratch}. */
    void decodeInto(DecodedPage scratch, long pc) {
        if (ExecutionProfile.ON) {
            h.profile.crossDecodes++;
        }
        int lo = fetchHalf(pc, pc);
        int insn = lo;
        if ((lo & 3) == 3) {
            insn = lo | fetchHalf(pc + 2, pc) << 16;
        }
        scratch.slots[0] = Decoder.decode(insn);
        // The scratch page runs exactly one instruction (limit icount + 1): only the slot after
        // it could ever be looked at, so clearing all 2,048 on every page-crossing instruction
        // (a hot one in some loops) was wasted work.
        scratch.slots[1] = 0L;
        scratch.slots[2] = 0L;
    }

    private int fetchHalf(long va, long pc) {
        long vpn = va >>> 12;
        int way = (int) vpn & (FETCH_WAYS - 1);
        if (fetchTags[way] == vpn) {
            // A page the fetch cache holds (a page-crossing instruction runs here every time).
            return (short) Hart.I16.get(fetchMemories[way].data, fetchPages[way].memOffset + (int) (va & 0xfff)) & 0xffff;
        }
        long pa = translate(va, FETCH, pc, h.icount, false);
        Memory m = h.bus.fetchMemory(pa, 2);
        if (m == null) {
            throw h.sys.raise(pc, h.icount, HartSystem.INSN_ACCESS, va, false);
        }
        return (short) Hart.I16.get(m.data, (int) (pa - m.base)) & 0xffff;
    }
    /**
     * The physical address the data TLB holds for an aligned access at {@code va} that stays in
     * its page (RAM only: nothing else enters it), or -1 if it holds none (see {@link #fillTlb}).
     */
    long cachedTranslation(long va, int access) {
        long vpn = va >>> 12;
        int i = (int) vpn & Hart.TLB_MASK;
        if (h.direct || (access == LOAD ? h.rTag : h.wTag)[i] != vpn) {
            return -1;
        }
        return h.ram.base + ((access == LOAD ? h.rOff : h.wOff)[i] | (va & 0xfff));
    }

    void fillTlb(long va, long pa, Memory m, int access) {
        // A watched page never enters the TLB, so every access to it takes the checked slow
        // path; the other pages keep the fast path while a watchpoint is set.
        if (h.direct || m != h.ram || h.debug.watchesPage(va & ~0xfffL, pa & ~0xfffL) || h.triggers.dataArmed) {
            return;
        }
        long pageVa = va & ~0xfffL;
        long pagePa = pa & ~0xfffL;
        if (!pmpAllows(pagePa, 4096, access, effectivePriv(access))) {
            return;
        }
        int i = (int) (va >>> 12) & Hart.TLB_MASK;
        long ramPage = pagePa - m.base;
        tlbFilled |= 1 << dataSet();
        cached(va >>> 12);
        if (access == LOAD) {
            h.rTag[i] = pageVa >>> 12;
            h.rOff[i] = ramPage;
        } else {
            h.wTag[i] = pageVa >>> 12;
            h.wOff[i] = ramPage;
        }
    }

    // ---------------------------------------------------------------- debugger reads

    /** The leaf PTE that maps {@code va} in the current page table (0 if none), read without side effects or permission checks. */
    long leafPte(long va) {
        long table = (c.satp & ((1L << 44) - 1)) << 12;
        for (int level = 2; level >= 0; level--) {
            long pteAddr = table + (((va >>> (12 + 9 * level)) & 511) << 3);
            Memory m = h.bus.memory(pteAddr, 8);
            if (m != h.ram) {
                return 0;
            }
            long pte = (long) Hart.I64.get(m.data, (int) (pteAddr - m.base));
            if ((pte & 1) == 0) {
                return 0;
            }
            if ((pte & 0xa) != 0) {
                return pte;
            }
            table = ((pte >>> 10) & ((1L << 44) - 1)) << 12;
        }
        return 0;
    }

    /** Side-effect-free read through the current translation; returns bytes read before a hole. */
    int debugRead(long va, byte[] dst, int off, int len, boolean fetch) {
        for (int i = 0; i < len; i++) {
            long pa = translate(va + i, fetch ? FETCH : LOAD, h.pc, h.icount, true);
            if (pa == -1) {
                return i;
            }
            Memory m = fetch ? h.bus.fetchMemory(pa, 1) : h.bus.memory(pa, 1);
            if (m != null) {
                dst[off + i] = m.data[(int) (pa - m.base)];
            } else if (h.bus.device(pa, 1) != null) {
                dst[off + i] = 0; // no device reads from the debugger: they have side effects
            } else {
                return i;
            }
        }
        return len;
    }
}
