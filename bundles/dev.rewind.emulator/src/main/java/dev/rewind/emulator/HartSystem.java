package dev.rewind.emulator;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The cold half of the hart: traps and interrupts with delegation (privileged spec 20211203
 * ch. 3), the system instructions (xRET, WFI, SFENCE.VMA; CSR access goes to {@link CsrFile}),
 * LR/SC and AMOs, and slow-path loads/stores (MMIO, TLB misses, page crossings, watchpoints).
 * Translation and fetch are the {@link Mmu}'s; breakpoints and watchpoints the {@link DebugHooks}'.
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

    private final Hart h;
    private final CsrFile c;
    private final Mmu mmu;

    /** LR's reservation: the address, or -1, and the value LR read (see the class comment). */
    long reservation = -1, reservedValue;

    // Pending synchronous trap
    boolean trapPending;
    int trapCause;
    long trapTval;
    boolean trapRetires;

    /** Sees trap entries and returns (a query index being built); null almost always. */
    TrapObserver trapObserver;

    /** Called for writes to SPECIAL RAM pages (HTIF tohost). */
    SpecialStoreListener specialStores;

    interface SpecialStoreListener {
        /** Returns true if the machine must stop after this instruction. */
        boolean stored(long paddr, int size);
    }

    HartSystem(Hart hart) {
        this.h = hart;
        this.c = hart.csrs;
        this.mmu = hart.mmu;
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

    /** Interrupts that would be taken now (QEMU 7.2 riscv_cpu_local_irq_pending). */
    long takeableInterrupts() {
        long pending = c.mip() & c.mie;
        if (pending == 0) {
            return 0;
        }
        boolean mEnabled = h.priv < Hart.M || (c.mstatus & CsrFile.MSTATUS_MIE) != 0;
        boolean sEnabled = h.priv < Hart.S || (h.priv == Hart.S && (c.mstatus & CsrFile.MSTATUS_SIE) != 0);
        return (mEnabled ? pending & ~c.mideleg : 0) | (sEnabled ? pending & c.mideleg : 0);
    }

    /** True if WFI would wake: any interrupt pending and enabled in c.mie, regardless of xIE. */
    boolean wakeable() {
        return (c.mip() & c.mie) != 0;
    }

    void checkInterrupts() {
        long irqs = takeableInterrupts();
        if (irqs != 0) {
            enter(Long.numberOfTrailingZeros(irqs), 0, true);
        }
    }

    private void enter(int cause, long tval, boolean interrupt) {
        long delegation = interrupt ? c.mideleg : c.medeleg;
        int from = h.priv;
        long epc = h.pc;
        if (h.codePages != null) {
            h.codePages.note(epc); // about to run there: a breakpoint at epc counts as reached
        }
        long vectorOffset = 0;
        if (from <= Hart.S && ((delegation >>> cause) & 1) != 0) {
            c.scause = (interrupt ? Long.MIN_VALUE : 0) | cause;
            c.sepc = h.pc;
            c.stval = tval;
            long s = c.mstatus;
            s = (s & CsrFile.MSTATUS_SIE) != 0 ? s | CsrFile.MSTATUS_SPIE : s & ~CsrFile.MSTATUS_SPIE;
            s &= ~CsrFile.MSTATUS_SIE;
            s = from == Hart.S ? s | CsrFile.MSTATUS_SPP : s & ~CsrFile.MSTATUS_SPP;
            c.mstatus = s;
            if (interrupt && (c.stvec & 3) == 1) {
                vectorOffset = 4L * cause;
            }
            h.pc = (c.stvec & ~3L) + vectorOffset;
            setPriv(Hart.S);
        } else {
            c.mcause = (interrupt ? Long.MIN_VALUE : 0) | cause;
            c.mepc = h.pc;
            c.mtval = tval;
            long s = c.mstatus;
            s = (s & CsrFile.MSTATUS_MIE) != 0 ? s | CsrFile.MSTATUS_MPIE : s & ~CsrFile.MSTATUS_MPIE;
            s &= ~CsrFile.MSTATUS_MIE;
            s = (s & ~CsrFile.MSTATUS_MPP) | ((long) from << 11);
            c.mstatus = s;
            if (interrupt && (c.mtvec & 3) == 1) {
                vectorOffset = 4L * cause;
            }
            h.pc = (c.mtvec & ~3L) + vectorOffset;
            setPriv(Hart.M);
        }
        if (trapObserver != null) {
            trapObserver.trap(h.icount, epc, cause, interrupt, tval, from, h.priv, h.pc);
        }
    }

    /** A trap or xRET changes the privilege; like QEMU 7.2's riscv_cpu_set_mode it drops LR's reservation. */
    void setPriv(int p) {
        h.priv = p;
        reservation = -1;
        mmu.privilegeChanged();
    }

    /**
     * A trigger changed: decoded code is marked again where execute triggers sit (as for the
     * debugger's breakpoints) and data accesses leave the fast paths while load/store triggers are armed.
     */
    void triggersChanged() {
        h.bus.ram.forgetDecoded();
        h.bus.rom.forgetDecoded();
        mmu.translationChanged();
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
                // A write may enable an interrupt or change translation: end the block. A read
                // (time, cycle, instret polled in a loop) changes nothing the block depends on.
                if (c.csrInstruction(w, imm, pc, ic)) {
                    endBlock(Hart.CONTINUE);
                }
                return npc;
            }
            case Op.MRET -> {
                if (h.priv != Hart.M) {
                    throw illegal(pc, ic);
                }
                long s = c.mstatus;
                int prev = (int) ((s >>> 11) & 3);
                s = (s & CsrFile.MSTATUS_MPIE) != 0 ? s | CsrFile.MSTATUS_MIE : s & ~CsrFile.MSTATUS_MIE;
                s |= CsrFile.MSTATUS_MPIE;
                s &= ~CsrFile.MSTATUS_MPP; // MPP := U
                if (prev != Hart.M) {
                    s &= ~CsrFile.MSTATUS_MPRV;
                }
                c.mstatus = s;
                int fromM = h.priv;
                setPriv(prev);
                endBlock(Hart.CONTINUE);
                if (trapObserver != null) {
                    trapObserver.trapReturn(ic + 1, pc, fromM, prev, c.mepc & ~1L);
                }
                return c.mepc & ~1L;
            }
            case Op.SRET -> {
                if (h.priv < Hart.S || (h.priv == Hart.S && (c.mstatus & CsrFile.MSTATUS_TSR) != 0)) {
                    throw illegal(pc, ic);
                }
                long s = c.mstatus;
                int prev = (s & CsrFile.MSTATUS_SPP) != 0 ? Hart.S : Hart.U;
                s = (s & CsrFile.MSTATUS_SPIE) != 0 ? s | CsrFile.MSTATUS_SIE : s & ~CsrFile.MSTATUS_SIE;
                s |= CsrFile.MSTATUS_SPIE;
                s &= ~CsrFile.MSTATUS_SPP;
                s &= ~CsrFile.MSTATUS_MPRV;
                c.mstatus = s;
                int fromS = h.priv;
                setPriv(prev);
                endBlock(Hart.CONTINUE);
                if (trapObserver != null) {
                    trapObserver.trapReturn(ic + 1, pc, fromS, prev, c.sepc & ~1L);
                }
                return c.sepc & ~1L;
            }
            case Op.WFI -> {
                if (h.priv == Hart.U || (h.priv == Hart.S && (c.mstatus & CsrFile.MSTATUS_TW) != 0)) {
                    throw illegal(pc, ic);
                }
                endBlock(Hart.WFI);
                return npc;
            }
            case Op.SFENCE_VMA -> {
                if (h.priv == Hart.U || (h.priv == Hart.S && (c.mstatus & CsrFile.MSTATUS_TVM) != 0)) {
                    throw illegal(pc, ic);
                }
                int rs1 = (w >>> Op.RS1_SHIFT) & 31;
                if (rs1 == 0) {
                    mmu.translationChanged(ExecutionProfile.FLUSH_SFENCE);
                } else {
                    // One address (Linux after changing one page's mapping): that page only.
                    if (ExecutionProfile.ON) {
                        h.profile.flushes[ExecutionProfile.FLUSH_PAGE]++;
                    }
                    mmu.flushPage(h.x[rs1]);
                }
                endBlock(Hart.CONTINUE);
                return npc;
            }
            default -> throw new IllegalStateException("op " + op + " reached the system path");
        }
    }

    private void endBlock(int status) {
        h.stopAfter = true;
        if (h.status == Hart.WATCH) {
            return; // a watched device access: the device's own block end must not hide the stop
        }
        if (status != Hart.CONTINUE || h.status == Hart.CONTINUE) {
            h.status = status;
        }
    }

    Trap illegal(long pc, long ic) {
        return raise(pc, ic, ILLEGAL_INSTRUCTION, instructionBits(pc), false);
    }

    /**
     * Illegal as QEMU's translator decides it (e.g. an FP instruction with mstatus.FS Off): its
     * translation block ends in the exception, so under icount the instruction counts as executed.
     */
    Trap illegalAtTranslation(long pc, long ic) {
        return raise(pc, ic, ILLEGAL_INSTRUCTION, instructionBits(pc), true);
    }

    /** The raw bits of the instruction at pc (it was just fetched, so translation succeeds). */
    private long instructionBits(long pc) {
        byte[] b = new byte[4];
        int n = mmu.debugRead(pc, b, 0, 4, true);
        if (n < 2) {
            return 0;
        }
        int lo = (b[0] & 0xff) | (b[1] & 0xff) << 8;
        if ((lo & 3) != 3 || n < 4) {
            return lo;
        }
        return (lo | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24) & 0xffffffffL;
    }

    // ---------------------------------------------------------------- loads and stores

    /** Slow-path load: TLB miss, MMIO, ROM, page crossing or watched access. Returns the raw bits. */
    long load(long a, int size, long pc, long ic) {
        h.pc = pc;
        h.icount = ic;
        if (!h.direct && (a & 0xfff) + size > 4096) {
            if (ExecutionProfile.ON) {
                h.profile.slow[ExecutionProfile.SLOW_LOAD_CROSS]++;
            }
            long v = 0;
            for (int i = 0; i < size; i++) {
                v |= (load(a + i, 1, pc, ic) & 0xff) << (8 * i);
            }
            return v;
        }
        long pa = h.direct ? a : mmu.translate(a, Mmu.LOAD, pc, ic, false);
        if (h.triggers.dataArmed && h.triggers.firesOnAccess(a, size, Triggers.LOAD, h.priv)) {
            throw raise(pc, ic, BREAKPOINT, 0, false);
        }
        if (h.debug.watching() && h.debug.checkWatch(h, a, pa, size, false, pc, ic)) {
            endBlock(Hart.WATCH);
        }
        Memory m = h.bus.memory(pa, size);
        if (ExecutionProfile.ON && size > 0) {
            h.profile.slow[m != null ? ExecutionProfile.SLOW_LOAD_MISS : ExecutionProfile.SLOW_LOAD_DEVICE]++;
        }
        if (m != null) {
            int off = (int) (pa - m.base);
            mmu.fillTlb(a, pa, m, Mmu.LOAD);
            return readRaw(m.data, off, size);
        }
        MmioDevice d = h.bus.device(pa, size);
        if (d == null) {
            throw raise(pc, ic, LOAD_ACCESS, a, false);
        }
        long v = d.read(pa - d.base(), size);
        if (!d.readIsPure(pa - d.base())) {
            endBlock(Hart.DEVICE);
        } else {
            h.pureDeviceRead = true;
        }
        return v;
    }

    /**
     * A translated block's load that missed the RAM fast path, if it reads a device register
     * whose reads change nothing ({@link MmioDevice#readIsPure}: the timer polled in delay
     * loops) at a physical address (no translation, watchpoints or triggers): the value, sign-
     * or zero-extended for the load op, with {@code ic} as the instruction's icount (devices
     * see it as the interpreter's slow path shows it). Anything else sets {@code h.bail} and
     * leaves the access to the interpreter.
     */
    long pureDeviceLoad(long a, int op, long ic) {
        int size = switch (op) {
            case Op.LB, Op.LBU -> 1;
            case Op.LH, Op.LHU -> 2;
            case Op.LW, Op.LWU -> 4;
            default -> 8;
        };
        MmioDevice d = h.direct && !h.triggers.dataArmed && !h.debug.watching() ? h.bus.device(a, size) : null;
        if (d == null || h.bus.memory(a, size) != null || !d.readIsPure(a - d.base())) {
            h.bail = true;
            return 0;
        }
        long saved = h.icount;
        h.icount = ic;
        long v = d.read(a - d.base(), size);
        h.icount = saved;
        return switch (op) {
            case Op.LB -> (byte) v;
            case Op.LH -> (short) v;
            case Op.LW -> (int) v;
            case Op.LBU -> v & 0xff;
            case Op.LHU -> v & 0xffff;
            case Op.LWU -> v & 0xffffffffL;
            default -> v;
        };
    }

    void store(long a, int size, long v, long pc, long ic) {
        h.pc = pc;
        h.icount = ic;
        if (!h.direct && (a & 0xfff) + size > 4096) {
            if (ExecutionProfile.ON) {
                h.profile.slow[ExecutionProfile.SLOW_STORE_CROSS]++;
            }
            // QEMU checks both pages before writing either.
            mmu.translate(a, Mmu.STORE, pc, ic, false);
            mmu.translate(a + size - 1, Mmu.STORE, pc, ic, false);
            for (int i = 0; i < size; i++) {
                store(a + i, 1, v >>> (8 * i), pc, ic);
            }
            return;
        }
        long pa = h.direct ? a : mmu.translate(a, Mmu.STORE, pc, ic, false);
        if (h.triggers.dataArmed && h.triggers.firesOnAccess(a, size, Triggers.STORE, h.priv)) {
            throw raise(pc, ic, BREAKPOINT, 0, false);
        }
        if (h.debug.watching() && h.debug.checkWatch(h, a, pa, size, true, pc, ic)) {
            endBlock(Hart.WATCH);
        }
        Memory m = h.bus.memory(pa, size);
        if (ExecutionProfile.ON) {
            countSlowStore(m, pa);
        }
        if (m == h.ram) {
            int off = (int) (pa - m.base);
            boolean special = m.beforeHartStore(off, size);
            writeRaw(m.data, off, size, v);
            mmu.fillTlb(a, pa, m, Mmu.STORE);
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

    private void countSlowStore(Memory m, long pa) {
        int why = ExecutionProfile.SLOW_STORE_DEVICE;
        if (m == h.ram) {
            byte f = m.flags[(int) (pa - m.base) >>> 12];
            why = (f & Memory.CODE) != 0 ? ExecutionProfile.SLOW_STORE_CODE
                    : (f & Memory.DIRTY) == 0 ? ExecutionProfile.SLOW_STORE_CLEAN : ExecutionProfile.SLOW_STORE_MISS;
        }
        h.profile.slow[why]++;
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
        int access = lr ? Mmu.LOAD : Mmu.STORE;
        long pa = mmu.cachedTranslation(a, access);
        boolean walked = pa == -1;
        if (walked) {
            pa = mmu.translate(a, access, pc, ic, false);
        }
        // QEMU 7.2 checks SC and AMOs as read-modify-writes (load and store triggers), LR as a load.
        if (h.triggers.dataArmed && h.triggers.firesOnAccess(a, size, lr ? Triggers.LOAD : Triggers.LOAD | Triggers.STORE, h.priv)) {
            throw raise(pc, ic, BREAKPOINT, 0, false);
        }
        if (h.debug.watching() && h.debug.checkWatch(h, a, pa, size, !lr, pc, ic)) {
            endBlock(Hart.WATCH);
        }
        Memory m = h.bus.memory(pa, size);
        if (m != h.ram) {
            throw raise(pc, ic, lr ? LOAD_ACCESS : STORE_ACCESS, a, false);
        }
        if (walked) {
            mmu.fillTlb(a, pa, m, access);
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
        boolean special = m.beforeHartStore(off, size);
        writeRaw(m.data, off, size, result);
        if (special && specialStores != null && specialStores.stored(pa, size)) {
            endBlock(Hart.DEVICE);
        }
        h.x[rd] = old;
    }

    // ---------------------------------------------------------------- state

    /** x0..x31, pc, privilege, WFI: the part of the hart's state that is not in {@link Csr}'s table. */
    void saveRegisters(DataOutputStream out) throws IOException {
        for (int i = 0; i < 32; i++) {
            out.writeLong(h.x[i]);
        }
        out.writeLong(h.pc);
        out.writeByte(h.priv);
    }

    void loadRegisters(DataInputStream in) throws IOException {
        for (int i = 0; i < 32; i++) {
            h.x[i] = in.readLong();
        }
        h.x[32] = 0;
        h.pc = in.readLong();
        h.priv = in.readByte();
    }

    /** The saved rows of {@link Csr}'s table, in save order. */
    void saveRows(DataOutputStream out) throws IOException {
        for (Csr row : Csr.saved()) {
            out.writeLong(row.get(h));
        }
    }

    /**
     * Reads the first {@code count} saved rows; rows added to the table after the state was
     * written start at zero (their reset value: see {@link Csr}).
     */
    void loadRows(DataInputStream in, int count) throws IOException {
        boolean executeTriggers = h.triggers.executeArmed;
        java.util.List<Csr> rows = Csr.saved();
        for (int i = 0; i < rows.size(); i++) {
            rows.get(i).set(h, i < count ? in.readLong() : 0);
        }
        trapPending = false;
        if (executeTriggers || h.triggers.executeArmed) {
            triggersChanged(); // slots marked for the old triggers, or unmarked for the new ones
        } else {
            mmu.translationChanged();
        }
    }
}
