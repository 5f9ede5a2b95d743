package dev.rewind.emulator;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The cold half of the hart: CSRs (privileged spec 20211203 ch. 2-3), traps and interrupts
 * with delegation, Sv39 translation with A/D updates (ch. 4.3-4.4), PMP (3.7), LR/SC and AMOs,
 * slow-path loads/stores (MMIO, TLB misses, page crossings, watchpoints) and instruction fetch.
 *
 * <p>Where the spec leaves a choice, QEMU 7.2's behaviour is followed so that instruction
 * counts and register traces match it: interrupts are chosen lowest-cause-first (QEMU without
 * AIA), A/D bits are set by hardware, SC succeeds if the reserved address still holds the value
 * LR read, an instruction that faults on a memory access or on a runtime privilege check does
 * not retire, while ECALL/EBREAK and undecodable instructions do.
 */
final class HartSystem {

    static final int INSN_MISALIGNED = 0, INSN_ACCESS = 1, ILLEGAL_INSTRUCTION = 2, BREAKPOINT = 3,
            LOAD_MISALIGNED = 4, LOAD_ACCESS = 5, STORE_MISALIGNED = 6, STORE_ACCESS = 7,
            ECALL_FROM_U = 8, INSN_PAGE_FAULT = 12, LOAD_PAGE_FAULT = 13, STORE_PAGE_FAULT = 15;
    static final int FETCH = 0, LOAD = 1, STORE = 2;

    static final long MSTATUS_SIE = 1 << 1, MSTATUS_MIE = 1 << 3, MSTATUS_SPIE = 1 << 5, MSTATUS_MPIE = 1 << 7,
            MSTATUS_SPP = 1 << 8, MSTATUS_MPP = 3 << 11, MSTATUS_MPRV = 1 << 17, MSTATUS_SUM = 1 << 18,
            MSTATUS_MXR = 1 << 19, MSTATUS_TVM = 1 << 20, MSTATUS_TW = 1 << 21, MSTATUS_TSR = 1 << 22;
    static final long MSTATUS_XL = 0xaL << 32; // UXL = SXL = 2 (64-bit), read-only
    static final long MSTATUS_WRITABLE = MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP
            | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR;
    static final long SSTATUS_MASK = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR | (3L << 32);

    static final long MIP_SSIP = 1 << 1, MIP_MSIP = 1 << 3, MIP_STIP = 1 << 5, MIP_MTIP = 1 << 7,
            MIP_SEIP = 1 << 9, MIP_MEIP = 1 << 11;
    static final long S_INTERRUPTS = MIP_SSIP | MIP_STIP | MIP_SEIP;
    /** Counter-overflow interrupt: delegable in QEMU 7.2 (Sscofpmf), never raised here. */
    static final long LCOFIP = 1 << 13;
    /**
     * QEMU 7.2's default CPU has the hypervisor extension, whose VS-level and guest external
     * interrupts read as always delegated; reported the same so mideleg reads match.
     */
    static final long MIDELEG_READ_ONLY = 0x1444;
    static final long ALL_INTERRUPTS = 0xaaa;
    /** mie's writable bits in QEMU 7.2 (with its H and Sscofpmf enables; those never pend here). */
    static final long MIE_WRITABLE = 0x3eee;
    /**
     * medeleg's writable bits as QEMU 7.2 has them (read back from it: 0xf0bfff, including its
     * hypervisor causes 10 and 20-23, which this hart never raises).
     */
    static final long DELEGABLE_EXCEPTIONS = 0xf0bfff;
    /** RV64 (MXL=2) with A, C, I, M, S, U. */
    static final long MISA = (2L << 62) | (1 << 0) | (1 << 2) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20);

    /** marchid and mimpid as QEMU 7.2.22 (Debian 12's build) reports them: its version number. */
    static final long QEMU_ARCH_ID = 0x070216;

    private final Hart h;

    // CSRs
    long mstatus = MSTATUS_XL;
    long medeleg, mideleg, mie, mtvec, mcounteren, mscratch, mepc, mcause, mtval;
    long stvec, scounteren, sscratch, sepc, scause, stval, satp, menvcfg, senvcfg, mcountinhibit;
    long cycleOffset, instretOffset;
    /** Interrupt bits written by software (SSIP, STIP). */
    long mipSoft;
    /** Interrupt bits driven by devices (MSIP, MTIP, MEIP, SEIP). */
    long mipLines;
    final long[] pmpaddr = new long[16];
    long pmpcfg0, pmpcfg2;
    long reservation = -1, reservedValue;

    // Pending synchronous trap
    boolean trapPending;
    int trapCause;
    long trapTval;
    boolean trapRetires;

    // Fetch translation cache
    Memory fetchMemory;
    private long fetchVpn = -1;
    private DecodedPage fetchPage;

    VirtualClock clock;
    /** Called for writes to SPECIAL RAM pages (HTIF tohost). */
    SpecialStoreListener specialStores;

    private final TreeSet<Long> breakpoints = new TreeSet<>();
    private final List<long[]> watchpoints = new ArrayList<>(); // {addr, len, kind ordinal}
    WatchHit lastWatchHit;

    interface SpecialStoreListener {
        /** Returns true if the machine must stop after this instruction. */
        boolean stored(long paddr, int size);
    }

    HartSystem(Hart hart) {
        this.h = hart;
    }

    // ---------------------------------------------------------------- traps and interrupts

    /** Records a synchronous exception for the instruction at {@code pc}; the caller throws the result. */
    Trap raise(long pc, long ic, int cause, long tval, boolean retires) {
        h.pc = pc;
        h.icount = ic;
        trapPending = true;
        trapCause = cause;
        trapTval = tval;
        trapRetires = retires;
        return Trap.INSTANCE;
    }

    void takeTrap() {
        trapPending = false;
        if (trapRetires) {
            h.icount++;
        }
        enter(trapCause, trapTval, false);
    }

    long mip() {
        return mipSoft | mipLines;
    }

    void setLine(long bit, boolean level) {
        mipLines = level ? mipLines | bit : mipLines & ~bit;
    }

    /** Interrupts that would be taken now (QEMU 7.2 riscv_cpu_local_irq_pending). */
    long takeableInterrupts() {
        long pending = mip() & mie;
        if (pending == 0) {
            return 0;
        }
        boolean mEnabled = h.priv < Hart.M || (mstatus & MSTATUS_MIE) != 0;
        boolean sEnabled = h.priv < Hart.S || (h.priv == Hart.S && (mstatus & MSTATUS_SIE) != 0);
        return (mEnabled ? pending & ~mideleg : 0) | (sEnabled ? pending & mideleg : 0);
    }

    /** True if WFI would wake: any interrupt pending and enabled in mie, regardless of xIE. */
    boolean wakeable() {
        return (mip() & mie) != 0;
    }

    void checkInterrupts() {
        long irqs = takeableInterrupts();
        if (irqs != 0) {
            enter(Long.numberOfTrailingZeros(irqs), 0, true);
        }
    }

    private void enter(int cause, long tval, boolean interrupt) {
        long delegation = interrupt ? mideleg : medeleg;
        int from = h.priv;
        long vectorOffset = 0;
        if (from <= Hart.S && ((delegation >>> cause) & 1) != 0) {
            scause = (interrupt ? Long.MIN_VALUE : 0) | cause;
            sepc = h.pc;
            stval = tval;
            long s = mstatus;
            s = (s & MSTATUS_SIE) != 0 ? s | MSTATUS_SPIE : s & ~MSTATUS_SPIE;
            s &= ~MSTATUS_SIE;
            s = from == Hart.S ? s | MSTATUS_SPP : s & ~MSTATUS_SPP;
            mstatus = s;
            if (interrupt && (stvec & 3) == 1) {
                vectorOffset = 4L * cause;
            }
            h.pc = (stvec & ~3L) + vectorOffset;
            setPriv(Hart.S);
        } else {
            mcause = (interrupt ? Long.MIN_VALUE : 0) | cause;
            mepc = h.pc;
            mtval = tval;
            long s = mstatus;
            s = (s & MSTATUS_MIE) != 0 ? s | MSTATUS_MPIE : s & ~MSTATUS_MPIE;
            s &= ~MSTATUS_MIE;
            s = (s & ~MSTATUS_MPP) | ((long) from << 11);
            mstatus = s;
            if (interrupt && (mtvec & 3) == 1) {
                vectorOffset = 4L * cause;
            }
            h.pc = (mtvec & ~3L) + vectorOffset;
            setPriv(Hart.M);
        }
    }

    void setPriv(int p) {
        h.priv = p;
        translationChanged();
    }

    /** Privilege, satp, MPRV/MPP/SUM/MXR, PMP or watchpoints changed: drop cached translations. */
    void translationChanged() {
        int dataPriv = h.priv == Hart.M && (mstatus & MSTATUS_MPRV) != 0 ? (int) ((mstatus >>> 11) & 3) : h.priv;
        h.direct = dataPriv == Hart.M && !pmpLocked() && watchpoints.isEmpty();
        java.util.Arrays.fill(h.rTag, -1L);
        java.util.Arrays.fill(h.wTag, -1L);
        flushFetch();
    }

    void flushFetch() {
        fetchVpn = -1;
        fetchPage = null;
    }

    // ---------------------------------------------------------------- system instructions

    /** CSR, AMO, xRET, WFI, SFENCE.VMA. Returns the next pc. */
    long system(int w, int imm, long pc, long npc, long ic) {
        h.pc = pc;
        h.icount = ic;
        int op = w & 0xff;
        if (op >= Op.LR_W && op <= Op.AMOMAXU_D) {
            amo(w, pc, ic);
            return npc;
        }
        switch (op) {
            case Op.CSRRW, Op.CSRRS, Op.CSRRC, Op.CSRRWI, Op.CSRRSI, Op.CSRRCI -> {
                csrInstruction(w, imm, pc, ic);
                endBlock(Hart.CONTINUE);
                return npc;
            }
            case Op.MRET -> {
                if (h.priv != Hart.M) {
                    throw illegal(pc, ic);
                }
                long s = mstatus;
                int prev = (int) ((s >>> 11) & 3);
                s = (s & MSTATUS_MPIE) != 0 ? s | MSTATUS_MIE : s & ~MSTATUS_MIE;
                s |= MSTATUS_MPIE;
                s &= ~MSTATUS_MPP; // MPP := U
                if (prev != Hart.M) {
                    s &= ~MSTATUS_MPRV;
                }
                mstatus = s;
                setPriv(prev);
                endBlock(Hart.CONTINUE);
                return mepc & ~1L;
            }
            case Op.SRET -> {
                if (h.priv < Hart.S || (h.priv == Hart.S && (mstatus & MSTATUS_TSR) != 0)) {
                    throw illegal(pc, ic);
                }
                long s = mstatus;
                int prev = (s & MSTATUS_SPP) != 0 ? Hart.S : Hart.U;
                s = (s & MSTATUS_SPIE) != 0 ? s | MSTATUS_SIE : s & ~MSTATUS_SIE;
                s |= MSTATUS_SPIE;
                s &= ~MSTATUS_SPP;
                s &= ~MSTATUS_MPRV;
                mstatus = s;
                setPriv(prev);
                endBlock(Hart.CONTINUE);
                return sepc & ~1L;
            }
            case Op.WFI -> {
                if (h.priv == Hart.U || (h.priv == Hart.S && (mstatus & MSTATUS_TW) != 0)) {
                    throw illegal(pc, ic);
                }
                endBlock(Hart.WFI);
                return npc;
            }
            case Op.SFENCE_VMA -> {
                if (h.priv == Hart.U || (h.priv == Hart.S && (mstatus & MSTATUS_TVM) != 0)) {
                    throw illegal(pc, ic);
                }
                translationChanged();
                endBlock(Hart.CONTINUE);
                return npc;
            }
            default -> throw new IllegalStateException("op " + op + " reached the system path");
        }
    }

    private void endBlock(int status) {
        h.stopAfter = true;
        if (status != Hart.CONTINUE || h.status == Hart.CONTINUE) {
            h.status = status;
        }
    }

    private Trap illegal(long pc, long ic) {
        return raise(pc, ic, ILLEGAL_INSTRUCTION, instructionBits(pc), false);
    }

    /** The raw bits of the instruction at pc (it was just fetched, so translation succeeds). */
    private long instructionBits(long pc) {
        byte[] b = new byte[4];
        int n = debugRead(pc, b, 0, 4, true);
        if (n < 2) {
            return 0;
        }
        int lo = (b[0] & 0xff) | (b[1] & 0xff) << 8;
        if ((lo & 3) != 3 || n < 4) {
            return lo;
        }
        return (lo | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24) & 0xffffffffL;
    }

    // ---------------------------------------------------------------- CSRs

    private void csrInstruction(int w, int imm, long pc, long ic) {
        int op = w & 0xff;
        int rd = (w >>> 8) & 63;
        int rs1 = (w >>> 14) & 31;
        int csr = imm & 0xfff;
        boolean immediate = op >= Op.CSRRWI;
        long src = immediate ? rs1 : h.x[rs1];
        boolean isWrite = op == Op.CSRRW || op == Op.CSRRWI || rs1 != 0;
        if (((csr >>> 8) & 3) > h.priv || (isWrite && (csr >>> 10) == 3)) {
            throw illegal(pc, ic);
        }
        long old = csrRead(csr, pc, ic);
        if (isWrite) {
            long value = switch (op) {
                case Op.CSRRW, Op.CSRRWI -> src;
                case Op.CSRRS, Op.CSRRSI -> old | src;
                default -> old & ~src;
            };
            csrWrite(csr, value, pc, ic);
        }
        h.x[rd] = old;
    }

    private boolean counterEnabled(int index) {
        if (h.priv == Hart.M) {
            return true;
        }
        if (((mcounteren >>> index) & 1) == 0) {
            return false;
        }
        return h.priv == Hart.S || ((scounteren >>> index) & 1) != 0;
    }

    /** Value of a CSR, or an illegal-instruction trap for one that does not exist or is not accessible. */
    long csrRead(int csr, long pc, long ic) {
        switch (csr) {
            case 0x100: return mstatus & SSTATUS_MASK;
            case 0x104: return mie & mideleg;
            case 0x105: return stvec;
            case 0x106: return scounteren;
            case 0x10a: return senvcfg;
            case 0x140: return sscratch;
            case 0x141: return sepc;
            case 0x142: return scause;
            case 0x143: return stval;
            case 0x144: return mip() & mideleg;
            case 0x180:
                if (h.priv == Hart.S && (mstatus & MSTATUS_TVM) != 0) {
                    throw illegal(pc, ic);
                }
                return satp;
            case 0x300: return mstatus;
            case 0x301: return MISA;
            case 0x302: return medeleg;
            case 0x303: return mideleg | MIDELEG_READ_ONLY;
            case 0x304: return mie;
            case 0x305: return mtvec;
            case 0x306: return mcounteren;
            case 0x30a: return menvcfg;
            case 0x320: return mcountinhibit;
            case 0x340: return mscratch;
            case 0x341: return mepc;
            case 0x342: return mcause;
            case 0x343: return mtval;
            case 0x344: return mip();
            case 0x3a0: return pmpcfg0;
            case 0x3a2: return pmpcfg2;
            case 0xb00: return clock.ioNowNs() + cycleOffset;
            case 0xb02: return clock.ioNowNs() + instretOffset;
            case 0xc00:
            case 0xc01:
            case 0xc02:
                if (!counterEnabled(csr - 0xc00)) {
                    throw illegal(pc, ic);
                }
                return csr == 0xc01 ? clock.ioNowNs() / 100 : clock.ioNowNs() + (csr == 0xc00 ? cycleOffset : instretOffset);
            case 0xf11: case 0xf14: case 0xf15:
                return 0;
            case 0xf12: case 0xf13:
                return QEMU_ARCH_ID;
            default:
                break;
        }
        if (csr >= 0x3b0 && csr <= 0x3bf) {
            return pmpaddr[csr - 0x3b0];
        }
        if ((csr >= 0x323 && csr <= 0x33f) || (csr >= 0xb03 && csr <= 0xb1f)) {
            return 0;
        }
        if (csr >= 0xc03 && csr <= 0xc1f) {
            if (!counterEnabled(csr - 0xc00)) {
                throw illegal(pc, ic);
            }
            return 0;
        }
        throw illegal(pc, ic);
    }

    private void csrWrite(int csr, long v, long pc, long ic) {
        switch (csr) {
            case 0x100 -> writeMstatus((mstatus & ~SSTATUS_MASK) | (v & SSTATUS_MASK & ~(3L << 32)));
            case 0x104 -> mie = (mie & ~mideleg) | (v & mideleg);
            case 0x105 -> stvec = (v & 3) < 2 ? v : stvec;
            case 0x106 -> scounteren = v & 0xffffffffL;
            case 0x10a -> senvcfg = v & 1;
            case 0x140 -> sscratch = v;
            case 0x141 -> sepc = v & ~1L;
            case 0x142 -> scause = v;
            case 0x143 -> stval = v;
            case 0x144 -> mipSoft = (mipSoft & ~(mideleg & MIP_SSIP)) | (v & mideleg & MIP_SSIP);
            case 0x180 -> {
                long mode = v >>> 60;
                if (mode == 0 || mode == 8) {
                    satp = v & ((0xfL << 60) | (0xffffL << 44) | ((1L << 44) - 1));
                    translationChanged();
                }
            }
            case 0x300 -> writeMstatus(v);
            case 0x301 -> { } // misa is fixed
            case 0x302 -> medeleg = v & DELEGABLE_EXCEPTIONS;
            case 0x303 -> mideleg = v & (S_INTERRUPTS | LCOFIP);
            case 0x304 -> mie = v & MIE_WRITABLE;
            case 0x305 -> mtvec = (v & 3) < 2 ? v : mtvec;
            case 0x306 -> mcounteren = v & 0xffffffffL;
            case 0x30a -> menvcfg = v & 1;
            case 0x320 -> mcountinhibit = v & 0xfffffffdL;
            case 0x340 -> mscratch = v;
            case 0x341 -> mepc = v & ~1L;
            case 0x342 -> mcause = v;
            case 0x343 -> mtval = v;
            case 0x344 -> mipSoft = v & (MIP_SSIP | MIP_STIP);
            case 0x3a0 -> writePmpcfg(0, v);
            case 0x3a2 -> writePmpcfg(8, v);
            case 0xb00 -> cycleOffset = v - clock.ioNowNs();
            case 0xb02 -> instretOffset = v - clock.ioNowNs();
            default -> {
                if (csr >= 0x3b0 && csr <= 0x3bf) {
                    int i = csr - 0x3b0;
                    boolean nextLockedTor = i < 15 && (pmpCfg(i + 1) & 0x98) == 0x88;
                    if ((pmpCfg(i) & 0x80) == 0 && !nextLockedTor) {
                        pmpaddr[i] = v & ((1L << 54) - 1);
                        translationChanged();
                    }
                }
                // mhpmevent / mhpmcounter writes are accepted and ignored (no events implemented)
            }
        }
    }

    private void writeMstatus(long v) {
        long mpp = (v >>> 11) & 3;
        if (mpp == 2) {
            v = (v & ~MSTATUS_MPP) | (mstatus & MSTATUS_MPP); // reserved value: keep the old one
        }
        mstatus = (v & MSTATUS_WRITABLE) | MSTATUS_XL;
        translationChanged();
    }

    // ---------------------------------------------------------------- PMP

    int pmpCfg(int i) {
        long reg = i < 8 ? pmpcfg0 : pmpcfg2;
        return (int) (reg >>> ((i & 7) * 8)) & 0xff;
    }

    private void writePmpcfg(int first, long v) {
        long reg = first == 0 ? pmpcfg0 : pmpcfg2;
        for (int k = 0; k < 8; k++) {
            int shift = k * 8;
            if (((reg >>> shift) & 0x80) != 0) {
                continue; // locked
            }
            long b = (v >>> shift) & 0x9f;
            reg = (reg & ~(0xffL << shift)) | (b << shift);
        }
        if (first == 0) {
            pmpcfg0 = reg;
        } else {
            pmpcfg2 = reg;
        }
        translationChanged();
    }

    private boolean pmpLocked() {
        return ((pmpcfg0 | pmpcfg2) & 0x8080808080808080L) != 0;
    }

    /** Whether [pa, pa+size) may be accessed; QEMU 7.2 denies S/U everything when no entry is set. */
    boolean pmpAllows(long pa, long size, int access, int p) {
        long last = pa + size - 1;
        for (int i = 0; i < 16; i++) {
            int cfg = pmpCfg(i);
            int a = (cfg >>> 3) & 3;
            if (a == 0) {
                continue;
            }
            long lo, hi; // [lo, hi]
            if (a == 1) {
                lo = i == 0 ? 0 : pmpaddr[i - 1] << 2;
                hi = (pmpaddr[i] << 2) - 1;
                if (Long.compareUnsigned(lo, hi + 1) >= 0) {
                    continue;
                }
            } else if (a == 2) {
                lo = pmpaddr[i] << 2;
                hi = lo + 3;
            } else {
                long addr = pmpaddr[i];
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
    }

    // ---------------------------------------------------------------- translation

    private int effectivePriv(int access) {
        if (access != FETCH && h.priv == Hart.M && (mstatus & MSTATUS_MPRV) != 0) {
            return (int) ((mstatus >>> 11) & 3);
        }
        return h.priv;
    }

    private int pageFault(int access) {
        return access == FETCH ? INSN_PAGE_FAULT : access == LOAD ? LOAD_PAGE_FAULT : STORE_PAGE_FAULT;
    }

    private int accessFault(int access) {
        return access == FETCH ? INSN_ACCESS : access == LOAD ? LOAD_ACCESS : STORE_ACCESS;
    }

    /**
     * Virtual to physical (Sv39 walk with A/D update, then PMP), raising the right fault.
     * With {@code debug} set nothing is written and failures return -1 instead of trapping.
     */
    long translate(long va, int access, long pc, long ic, boolean debug) {
        int p = effectivePriv(access);
        long pa;
        if (p == Hart.M || (satp >>> 60) != 8) {
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
            throw raise(pc, ic, accessFault(access), va, false);
        }
        return pa;
    }

    private long walk(long va, int access, int p, long pc, long ic, boolean debug) {
        if ((va >> 38) != 0 && (va >> 38) != -1) {
            return fail(va, access, pc, ic, debug, true);
        }
        long table = (satp & ((1L << 44) - 1)) << 12;
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
                case LOAD -> r || (x && (mstatus & MSTATUS_MXR) != 0);
                default -> w;
            };
            if (p == Hart.U && !u) {
                allowed = false;
            } else if (p == Hart.S && u && (access == FETCH || (mstatus & MSTATUS_SUM) == 0)) {
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
                if ((m.flags[f] & Memory.SPECIAL) != 0 && specialStores != null) {
                    specialStores.stored(pteAddr, 8);
                }
            }
            long pageMask = (1L << (12 + 9 * level)) - 1;
            return ((ppn << 12) & ~pageMask) | (va & pageMask);
        }
        return fail(va, access, pc, ic, debug, true);
    }

    private long fail(long va, int access, long pc, long ic, boolean debug, boolean page) {
        if (debug) {
            return -1;
        }
        throw raise(pc, ic, page ? pageFault(access) : accessFault(access), va, false);
    }

    // ---------------------------------------------------------------- fetch

    /** The decoded page holding pc, translating and checking execute permission on a miss. */
    DecodedPage fetchPage(long pc) {
        long vpn = pc >>> 12;
        if (vpn == fetchVpn) {
            return fetchPage;
        }
        long pa = translate(pc, FETCH, pc, h.icount, false);
        Memory m = h.bus.memory(pa, 2);
        if (m == null) {
            throw raise(pc, h.icount, INSN_ACCESS, pc, false);
        }
        fetchMemory = m;
        fetchPage = m.decodedPage((int) (pa - m.base));
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
        int lo = fetchHalf(pc, pc);
        int insn = lo;
        if ((lo & 3) == 3) {
            insn = lo | fetchHalf(pc + 2, pc) << 16;
        }
        scratch.slots[0] = Decoder.decode(insn);
        java.util.Arrays.fill(scratch.slots, 1, DecodedPage.SLOTS, 0L);
    }

    private int fetchHalf(long va, long pc) {
        long pa = translate(va, FETCH, pc, h.icount, false);
        Memory m = h.bus.memory(pa, 2);
        if (m == null) {
            throw raise(pc, h.icount, INSN_ACCESS, va, false);
        }
        return (short) Hart.I16.get(m.data, (int) (pa - m.base)) & 0xffff;
    }

    // ---------------------------------------------------------------- loads and stores

    /** Slow-path load: TLB miss, MMIO, ROM, page crossing or watched access. Returns the raw bits. */
    long load(long a, int size, long pc, long ic) {
        h.pc = pc;
        h.icount = ic;
        if (!h.direct && (a & 0xfff) + size > 4096) {
            long v = 0;
            for (int i = 0; i < size; i++) {
                v |= (load(a + i, 1, pc, ic) & 0xff) << (8 * i);
            }
            return v;
        }
        long pa = h.direct ? a : translate(a, LOAD, pc, ic, false);
        if (!watchpoints.isEmpty()) {
            checkWatch(a, size, false, ic);
        }
        Memory m = h.bus.memory(pa, size);
        if (m != null) {
            int off = (int) (pa - m.base);
            fillTlb(a, pa, m, LOAD);
            return readRaw(m.data, off, size);
        }
        MmioDevice d = h.bus.device(pa, size);
        if (d == null) {
            throw raise(pc, ic, LOAD_ACCESS, a, false);
        }
        long v = d.read(pa - d.base(), size);
        endBlock(Hart.DEVICE);
        return v;
    }

    void store(long a, int size, long v, long pc, long ic) {
        h.pc = pc;
        h.icount = ic;
        if (!h.direct && (a & 0xfff) + size > 4096) {
            // QEMU checks both pages before writing either.
            translate(a, STORE, pc, ic, false);
            translate(a + size - 1, STORE, pc, ic, false);
            for (int i = 0; i < size; i++) {
                store(a + i, 1, v >>> (8 * i), pc, ic);
            }
            return;
        }
        long pa = h.direct ? a : translate(a, STORE, pc, ic, false);
        if (!watchpoints.isEmpty()) {
            checkWatch(a, size, true, ic);
        }
        Memory m = h.bus.memory(pa, size);
        if (m == h.ram) {
            int off = (int) (pa - m.base);
            boolean special = m.beforeStore(off, size);
            writeRaw(m.data, off, size, v);
            fillTlb(a, pa, m, STORE);
            if (special && specialStores != null && specialStores.stored(pa, size)) {
                endBlock(Hart.DEVICE);
            }
            return;
        }
        MmioDevice d = m == null ? h.bus.device(pa, size) : null;
        if (d == null) {
            throw raise(pc, ic, STORE_ACCESS, a, false);
        }
        d.write(pa - d.base(), size, v);
        endBlock(Hart.DEVICE);
    }

    private void fillTlb(long va, long pa, Memory m, int access) {
        if (h.direct || m != h.ram || !watchpoints.isEmpty()) {
            return;
        }
        long pageVa = va & ~0xfffL;
        long pagePa = pa & ~0xfffL;
        if (!pmpAllows(pagePa, 4096, access, effectivePriv(access))) {
            return;
        }
        int i = (int) (va >>> 12) & Hart.TLB_MASK;
        long ramPage = pagePa - m.base;
        if (access == LOAD) {
            h.rTag[i] = pageVa >>> 12;
            h.rOff[i] = ramPage;
        } else {
            h.wTag[i] = pageVa >>> 12;
            h.wOff[i] = ramPage;
        }
    }

    static long readRaw(byte[] b, int off, int size) {
        return switch (size) {
            case 1 -> b[off] & 0xffL;
            case 2 -> (short) Hart.I16.get(b, off) & 0xffffL;
            case 4 -> (int) Hart.I32.get(b, off) & 0xffffffffL;
            default -> (long) Hart.I64.get(b, off);
        };
    }

    static void writeRaw(byte[] b, int off, int size, long v) {
        switch (size) {
            case 1 -> b[off] = (byte) v;
            case 2 -> Hart.I16.set(b, off, (short) v);
            case 4 -> Hart.I32.set(b, off, (int) v);
            default -> Hart.I64.set(b, off, v);
        }
    }

    // ---------------------------------------------------------------- A extension

    private void amo(int w, long pc, long ic) {
        int op = w & 0xff;
        int rd = (w >>> 8) & 63;
        int rs1 = (w >>> 14) & 31;
        int rs2 = (w >>> 19) & 31;
        boolean word = op <= Op.AMOMAXU_W;
        int size = word ? 4 : 8;
        long a = h.x[rs1];
        boolean lr = op == Op.LR_W || op == Op.LR_D;
        boolean sc = op == Op.SC_W || op == Op.SC_D;
        if (sc && reservation != a) {
            // QEMU fails an SC to another address without touching memory.
            h.x[rd] = 1;
            reservation = -1;
            return;
        }
        if ((a & (size - 1)) != 0) {
            // The spec says store/AMO misaligned for AMOs; QEMU 7.2 reports load misaligned for all.
            throw raise(pc, ic, LOAD_MISALIGNED, a, false);
        }
        int access = lr ? LOAD : STORE;
        long pa = translate(a, access, pc, ic, false);
        if (!watchpoints.isEmpty()) {
            checkWatch(a, size, !lr, ic);
        }
        Memory m = h.bus.memory(pa, size);
        if (m != h.ram) {
            throw raise(pc, ic, lr ? LOAD_ACCESS : STORE_ACCESS, a, false);
        }
        int off = (int) (pa - m.base);
        long old = readRaw(m.data, off, size);
        if (word) {
            old = (int) old;
        }
        if (lr) {
            reservation = a;
            reservedValue = old;
            h.x[rd] = old;
            return;
        }
        long src = h.x[rs2];
        long result;
        if (sc) {
            reservation = -1;
            if (old != (word ? (long) (int) reservedValue : reservedValue)) {
                h.x[rd] = 1;
                return;
            }
            result = src;
            old = 0;
        } else {
            if (word) {
                src = (int) src;
            }
            result = switch (op) {
                case Op.AMOSWAP_W, Op.AMOSWAP_D -> src;
                case Op.AMOADD_W, Op.AMOADD_D -> old + src;
                case Op.AMOXOR_W, Op.AMOXOR_D -> old ^ src;
                case Op.AMOAND_W, Op.AMOAND_D -> old & src;
                case Op.AMOOR_W, Op.AMOOR_D -> old | src;
                case Op.AMOMIN_W, Op.AMOMIN_D -> Math.min(old, src);
                case Op.AMOMAX_W, Op.AMOMAX_D -> Math.max(old, src);
                case Op.AMOMINU_W, Op.AMOMINU_D -> Long.compareUnsigned(word ? old & 0xffffffffL : old, word ? src & 0xffffffffL : src) <= 0 ? old : src;
                default -> Long.compareUnsigned(word ? old & 0xffffffffL : old, word ? src & 0xffffffffL : src) >= 0 ? old : src;
            };
        }
        boolean special = m.beforeStore(off, size);
        writeRaw(m.data, off, size, result);
        if (special && specialStores != null && specialStores.stored(pa, size)) {
            endBlock(Hart.DEVICE);
        }
        h.x[rd] = old;
    }

    // ---------------------------------------------------------------- debugger support

    boolean isBreakpoint(long pc) {
        return !breakpoints.isEmpty() && breakpoints.contains(pc);
    }

    boolean addBreakpoint(long pc) {
        boolean added = breakpoints.add(pc);
        h.bus.ram.forgetDecoded();
        h.bus.rom.forgetDecoded();
        return added;
    }

    boolean removeBreakpoint(long pc) {
        boolean removed = breakpoints.remove(pc);
        h.bus.ram.forgetDecoded();
        h.bus.rom.forgetDecoded();
        return removed;
    }

    void addWatchpoint(long addr, long len, WatchKind kind) {
        watchpoints.add(new long[] {addr, len, kind.ordinal()});
        translationChanged();
    }

    boolean removeWatchpoint(long addr, long len, WatchKind kind) {
        for (int i = 0; i < watchpoints.size(); i++) {
            long[] wp = watchpoints.get(i);
            if (wp[0] == addr && wp[1] == len && wp[2] == kind.ordinal()) {
                watchpoints.remove(i);
                translationChanged();
                return true;
            }
        }
        return false;
    }

    private void checkWatch(long a, int size, boolean write, long ic) {
        for (long[] wp : watchpoints) {
            if (WatchKind.values()[(int) wp[2]].catches(write)
                    && Long.compareUnsigned(a, wp[0] + wp[1]) < 0 && Long.compareUnsigned(wp[0], a + size) < 0) {
                lastWatchHit = new WatchHit(a, size, write, ic + 1);
                endBlock(Hart.WATCH);
                return;
            }
        }
    }

    /** Side-effect-free read through the current translation; returns bytes read before a hole. */
    int debugRead(long va, byte[] dst, int off, int len, boolean fetch) {
        for (int i = 0; i < len; i++) {
            long pa = translate(va + i, fetch ? FETCH : LOAD, h.pc, h.icount, true);
            if (pa == -1) {
                return i;
            }
            Memory m = h.bus.memory(pa, 1);
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

    // ---------------------------------------------------------------- state

    void save(DataOutputStream out) throws IOException {
        for (int i = 0; i < 32; i++) {
            out.writeLong(h.x[i]);
        }
        out.writeLong(h.pc);
        out.writeByte(h.priv);
        long[] csrs = {mstatus, medeleg, mideleg, mie, mtvec, mcounteren, mscratch, mepc, mcause, mtval, stvec,
            scounteren, sscratch, sepc, scause, stval, satp, menvcfg, senvcfg, mcountinhibit, cycleOffset,
            instretOffset, mipSoft, mipLines, pmpcfg0, pmpcfg2, reservation, reservedValue};
        for (long v : csrs) {
            out.writeLong(v);
        }
        for (long v : pmpaddr) {
            out.writeLong(v);
        }
    }

    void load(DataInputStream in) throws IOException {
        for (int i = 0; i < 32; i++) {
            h.x[i] = in.readLong();
        }
        h.x[32] = 0;
        h.pc = in.readLong();
        h.priv = in.readByte();
        mstatus = in.readLong();
        medeleg = in.readLong();
        mideleg = in.readLong();
        mie = in.readLong();
        mtvec = in.readLong();
        mcounteren = in.readLong();
        mscratch = in.readLong();
        mepc = in.readLong();
        mcause = in.readLong();
        mtval = in.readLong();
        stvec = in.readLong();
        scounteren = in.readLong();
        sscratch = in.readLong();
        sepc = in.readLong();
        scause = in.readLong();
        stval = in.readLong();
        satp = in.readLong();
        menvcfg = in.readLong();
        senvcfg = in.readLong();
        mcountinhibit = in.readLong();
        cycleOffset = in.readLong();
        instretOffset = in.readLong();
        mipSoft = in.readLong();
        mipLines = in.readLong();
        pmpcfg0 = in.readLong();
        pmpcfg2 = in.readLong();
        reservation = in.readLong();
        reservedValue = in.readLong();
        for (int i = 0; i < 16; i++) {
            pmpaddr[i] = in.readLong();
        }
        trapPending = false;
        translationChanged();
    }
}
