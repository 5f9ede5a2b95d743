package dev.rewind.emulator;

/**
 * The hart's control and status registers (privileged spec 20211203 ch. 2-3): their values,
 * the CSR instructions' read and write rules, and PMP's configuration registers. Where the spec
 * leaves a choice (WARL fields, which optional CSRs exist), QEMU 7.2's default CPU is followed.
 */
final class CsrFile {

    static final long MSTATUS_SIE = 1 << 1, MSTATUS_MIE = 1 << 3, MSTATUS_SPIE = 1 << 5, MSTATUS_MPIE = 1 << 7,
            MSTATUS_SPP = 1 << 8, MSTATUS_MPP = 3 << 11, MSTATUS_MPRV = 1 << 17, MSTATUS_SUM = 1 << 18,
            MSTATUS_MXR = 1 << 19, MSTATUS_TVM = 1 << 20, MSTATUS_TW = 1 << 21, MSTATUS_TSR = 1 << 22;
    static final long MSTATUS_XL = 0xaL << 32; // UXL = SXL = 2 (64-bit), read-only
    /** FP state: Off (FP instructions are illegal), Initial, Clean, Dirty; SD reads 1 exactly when FS is Dirty. */
    static final long MSTATUS_FS = 3L << 13, MSTATUS_SD = Long.MIN_VALUE;
    static final long MSTATUS_WRITABLE = MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP
            | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR | MSTATUS_FS;
    static final long SSTATUS_MASK = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR
            | (3L << 32);

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
    /** RV64 (MXL=2) with A, C, D, F, I, M, S, U. */
    static final long MISA = (2L << 62) | (1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) | (1 << 12) | (1 << 18)
            | (1 << 20);

    /** marchid and mimpid as QEMU 7.2.22 (Debian 12's build) reports them: its version number. */
    static final long QEMU_ARCH_ID = 0x070216;

    private final Hart h;

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

    VirtualClock clock;

    CsrFile(Hart hart) {
        this.h = hart;
    }

    long mip() {
        return mipSoft | mipLines;
    }

    /** A device drives an interrupt line (MSIP, MTIP, MEIP, SEIP). */
    void setLine(long bit, boolean level) {
        mipLines = level ? mipLines | bit : mipLines & ~bit;
    }

    /** Executes a Zicsr instruction; returns whether it wrote the CSR (a read alone changes nothing). */
    boolean csrInstruction(int w, int imm, long pc, long ic) {
        int op = w & 0xff;
        int rd = (w >>> 8) & 63;
        int rs1 = (w >>> 14) & 31;
        int csr = imm & 0xfff;
        boolean immediate = op >= Op.CSRRWI;
        long src = immediate ? rs1 : h.x[rs1];
        boolean isWrite = op == Op.CSRRW || op == Op.CSRRWI || rs1 != 0;
        if (((csr >>> 8) & 3) > h.priv || (isWrite && (csr >>> 10) == 3)) {
            throw h.sys.illegal(pc, ic);
        }
        long old = csrRead(csr, pc, ic);
        if (isWrite) {
            long value = switch (op) {
                case Op.CSRRW, Op.CSRRWI -> src;
                case Op.CSRRS, Op.CSRRSI -> old | src;
                default -> old & ~src;
            };
            csrWrite(Csr.lookup(csr), value);
            if (csr == 0x180 && h.sys.trapObserver != null) {
                h.sys.trapObserver.satpWritten(ic + 1, satp);
            }
        }
        h.x[rd] = old;
        return isWrite;
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

    /**
     * Value of a CSR, or an illegal-instruction trap for one that does not exist ({@link Csr}'s
     * table) or is not accessible.
     */
    long csrRead(int csr, long pc, long ic) {
        Csr row = Csr.lookup(csr);
        if (row == null || (row.group() == Csr.Group.COUNTERS && row.privilege() == Hart.U && !counterEnabled(csr & 0x1f))) {
            throw h.sys.illegal(pc, ic);
        }
        switch (csr) {
            case 0x001: return fpCsr(pc, ic).fflags();
            case 0x002: return fpCsr(pc, ic).frm;
            case 0x003: return fpCsr(pc, ic).fcsr();
            case 0x100: return (mstatus & SSTATUS_MASK) | sd();
            case 0x300: return mstatus | sd();
            case 0x104: return mie & mideleg;
            case 0x144: return mip() & mideleg;
            case 0x180:
                if (h.priv == Hart.S && (mstatus & MSTATUS_TVM) != 0) {
                    throw h.sys.illegal(pc, ic);
                }
                return satp;
            case 0x301: return MISA;
            case 0x303: return mideleg | MIDELEG_READ_ONLY;
            case 0x344: return mip();
            case 0xb00: case 0xc00: return clock.ioNowNs() + cycleOffset;
            case 0xb02: case 0xc02: return clock.ioNowNs() + instretOffset;
            case 0xc01: return clock.ioNowNs() / 100;
            case 0xf14: return h.id;
            case 0xf11: case 0xf15: return 0;
            case 0xf12: case 0xf13: return QEMU_ARCH_ID;
            case 0x7a1: return h.triggers.tdata1();
            case 0x7a2: return h.triggers.tdata2();
            case 0x7a4: return Triggers.TINFO;
            default: return row.kind() == Csr.Kind.STATE ? row.get(h) : 0; // ZERO rows: counters without events
        }
    }

    private void csrWrite(Csr row, long v) {
        int csr = row.number();
        switch (csr) {
            // Reached only with FS on (the read before the write checks it); FP CSR writes make FS Dirty.
            case 0x001 -> { h.fpu.setFflags((int) v); mstatus |= MSTATUS_FS; }
            case 0x002 -> { h.fpu.frm = (int) v & 7; mstatus |= MSTATUS_FS; }
            case 0x003 -> { h.fpu.setFcsr(v); mstatus |= MSTATUS_FS; }
            case 0x100 -> writeMstatus((mstatus & ~SSTATUS_MASK) | (v & SSTATUS_MASK & ~(3L << 32)));
            case 0x104 -> mie = (mie & ~mideleg) | (v & mideleg);
            case 0x105 -> stvec = (v & 3) < 2 ? v : stvec;
            case 0x106 -> scounteren = v & 0xffffffffL;
            case 0x10a -> senvcfg = v & 1;
            case 0x141 -> sepc = v & ~1L;
            case 0x144 -> mipSoft = (mipSoft & ~(mideleg & MIP_SSIP)) | (v & mideleg & MIP_SSIP);
            case 0x180 -> {
                long mode = v >>> 60;
                if (mode == 0 || mode == 8) {
                    satp = v & ((0xfL << 60) | (0xffffL << 44) | ((1L << 44) - 1));
                    h.mmu.translationChanged(ExecutionProfile.FLUSH_SATP);
                }
            }
            case 0x300 -> writeMstatus(v);
            case 0x302 -> medeleg = v & DELEGABLE_EXCEPTIONS;
            case 0x303 -> mideleg = v & (S_INTERRUPTS | LCOFIP);
            case 0x304 -> mie = v & MIE_WRITABLE;
            case 0x305 -> mtvec = (v & 3) < 2 ? v : mtvec;
            case 0x306 -> mcounteren = v & 0xffffffffL;
            case 0x30a -> menvcfg = v & 1;
            case 0x320 -> mcountinhibit = v & 0xfffffffdL;
            case 0x341 -> mepc = v & ~1L;
            case 0x344 -> mipSoft = v & (MIP_SSIP | MIP_STIP);
            case 0x3a0 -> writePmpcfg(0, v);
            case 0x3a2 -> writePmpcfg(8, v);
            case 0xb00 -> cycleOffset = v - clock.ioNowNs();
            case 0xb02 -> instretOffset = v - clock.ioNowNs();
            case 0x7a0 -> h.triggers.writeSelect(v);
            case 0x7a1 -> {
                if (h.triggers.writeTdata1(v)) {
                    h.sys.triggersChanged();
                }
            }
            case 0x7a2 -> {
                if (h.triggers.writeTdata2(v)) {
                    h.sys.triggersChanged();
                }
            }
            default -> {
                if (csr >= 0x3b0 && csr <= 0x3bf) {
                    int i = csr - 0x3b0;
                    boolean nextLockedTor = i < 15 && (pmpCfg(i + 1) & 0x98) == 0x88;
                    if ((pmpCfg(i) & 0x80) == 0 && !nextLockedTor) {
                        pmpaddr[i] = v & ((1L << 54) - 1);
                        h.mmu.translationChanged();
                    }
                } else if (row.kind() == Csr.Kind.STATE) {
                    row.set(h, v); // a plain read/write register (the scratch, cause and tval CSRs)
                }
                // misa and tinfo are fixed; tdata3 and mhpmevent / mhpmcounter writes are ignored
                // (QEMU 7.2 keeps no tdata3; no counter events are implemented)
            }
        }
    }

    /** SD as read: set while FS is Dirty (QEMU 7.2 derives it on read; XS and VS are always 0 here). */
    private long sd() {
        return (mstatus & MSTATUS_FS) == MSTATUS_FS ? MSTATUS_SD : 0;
    }

    /** The FP unit for an fflags/frm/fcsr access, which is illegal while FS is Off. */
    private FloatUnit fpCsr(long pc, long ic) {
        if ((mstatus & MSTATUS_FS) == 0) {
            throw h.sys.illegal(pc, ic);
        }
        return h.fpu;
    }

    private void writeMstatus(long v) {
        long mpp = (v >>> 11) & 3;
        if (mpp == 2) {
            v = (v & ~MSTATUS_MPP) | (mstatus & MSTATUS_MPP); // reserved value: keep the old one
        }
        long was = mstatus;
        mstatus = (v & MSTATUS_WRITABLE) | MSTATUS_XL;
        if (((was ^ mstatus) & MSTATUS_MXR) != 0) {
            h.mmu.translationChanged(ExecutionProfile.FLUSH_STATUS);
        } else {
            // SIE/MIE, FS, SUM, MPRV, MPP...: at most another TLB is selected (see Mmu.rTags).
            h.mmu.privilegeChanged();
        }
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
        h.mmu.translationChanged();
    }

    boolean pmpLocked() {
        return ((pmpcfg0 | pmpcfg2) & 0x8080808080808080L) != 0;
    }
}
