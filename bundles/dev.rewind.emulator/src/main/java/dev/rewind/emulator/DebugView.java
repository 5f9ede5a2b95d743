package dev.rewind.emulator;

import java.util.OptionalLong;

/**
 * What a debugger sees of one hart, without side effects on the guest: registers, CSRs,
 * privilege, memory through the hart's current translation, the instruction at an address.
 * Writes (registers, pc) break replay determinism: the replay engine refuses them.
 */
public final class DebugView {

    private final Hart hart;

    DebugView(Hart hart) {
        this.hart = hart;
    }

    public long pc() {
        return hart.pc;
    }

    /** Integer register x{@code i} (x0 reads 0). */
    public long reg(int i) {
        if (i < 0 || i > 31) {
            throw new IllegalArgumentException("no register x" + i);
        }
        return hart.x[i];
    }

    /** Debugger write of a register (breaks replay determinism: the replay engine should refuse it). */
    public void setReg(int i, long value) {
        if (i < 1 || i > 31) {
            throw new IllegalArgumentException("register x" + i + " is not writable");
        }
        hart.x[i] = value;
    }

    public void setPc(long pc) {
        hart.pc = pc;
    }

    /** Floating-point register f{@code i}: 64 bits, a single NaN-boxed in the upper half. */
    public long fpr(int i) {
        if (i < 0 || i > 31) {
            throw new IllegalArgumentException("no register f" + i);
        }
        return hart.fpu.f[i];
    }

    /** Debugger write of f{@code i} (breaks replay determinism like {@link #setReg}). */
    public void setFpr(int i, long value) {
        if (i < 0 || i > 31) {
            throw new IllegalArgumentException("no register f" + i);
        }
        hart.fpu.f[i] = value;
    }

    /** fcsr (frm in bits 7:5, fflags in 4:0), readable by the debugger whatever mstatus.FS says. */
    public int fcsr() {
        return hart.fpu.fcsr();
    }

    /** Debugger write of fcsr; fflags and frm are its fields. */
    public void setFcsr(int value) {
        hart.fpu.setFcsr(value);
    }

    /** 0 = U, 1 = S, 3 = M. */
    public int privilege() {
        return hart.priv;
    }

    /**
     * The address space this hart's data accesses use now: the root page table's physical page
     * number while Sv39 translates them (S/U mode, or M with MPRV), else
     * {@link WatchHit#ANY_SPACE}. A watchpoint set with it stops only for that page table's accesses.
     */
    public long addressSpace() {
        return hart.mmu.dataSpace(Mmu.LOAD);
    }

    /**
     * The address space a watchpoint on {@code vaddr} belongs to: this page table's
     * ({@link #addressSpace()}) if {@code vaddr} is a process's own memory now (a user page not
     * marked global, or not mapped yet), else {@link WatchHit#ANY_SPACE}: kernel and bare-metal
     * addresses mean the same in every address space.
     */
    public long addressSpaceOf(long vaddr) {
        long space = addressSpace();
        if (space == WatchHit.ANY_SPACE) {
            return space;
        }
        long pte = hart.mmu.leafPte(vaddr);
        boolean user = (pte & 0x10) != 0, global = (pte & 0x20) != 0;
        return pte == 0 || user && !global ? space : WatchHit.ANY_SPACE;
    }

    /** Virtual to physical as this hart's loads would translate now (no A/D update, no trap); -1 if unmapped. */
    public long translate(long vaddr) {
        return hart.mmu.translate(vaddr, Mmu.LOAD, hart.pc, hart.icount, true);
    }

    /** True while the hart sleeps in WFI. */
    public boolean waitingForInterrupt() {
        return hart.waiting;
    }

    /** Reads a CSR without side effects, as M-mode would; empty for CSRs this hart lacks. */
    public OptionalLong csr(int number) {
        switch (number) {
            // The debugger reads fflags, frm and fcsr whatever mstatus.FS says (as QEMU's gdb stub does).
            case 0x001: return OptionalLong.of(hart.fpu.fflags());
            case 0x002: return OptionalLong.of(hart.fpu.frm);
            case 0x003: return OptionalLong.of(hart.fpu.fcsr());
            default: break;
        }
        int saved = hart.priv;
        try {
            hart.priv = Hart.M;
            return OptionalLong.of(hart.csrs.csrRead(number & 0xfff, hart.pc, hart.icount));
        } catch (Trap t) {
            hart.sys.trapPending = false;
            return OptionalLong.empty();
        } finally {
            hart.priv = saved;
        }
    }

    /**
     * Read of guest virtual memory through the current translation, without side effects (no
     * A/D bits, no MMIO reads: device ranges read as zero). Returns the number of bytes read
     * before the first unmapped address.
     */
    public int readMemory(long vaddr, byte[] dst, int off, int len) {
        return hart.mmu.debugRead(vaddr, dst, off, len, false);
    }

    /** Raw bits of the instruction at pc (16 or 32 bits), or -1 if unreadable. */
    public long instructionAt(long pc) {
        byte[] b = new byte[4];
        int n = hart.mmu.debugRead(pc, b, 0, 4, true);
        if (n < 2) {
            return -1;
        }
        int lo = (b[0] & 0xff) | (b[1] & 0xff) << 8;
        if ((lo & 3) != 3) {
            return lo;
        }
        return n < 4 ? -1 : (lo | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24) & 0xffffffffL;
    }

    /** Mnemonic of the instruction at virtual address pc, for traces ("?" if unreadable). */
    public String mnemonicAt(long pc) {
        long insn = instructionAt(pc);
        if (insn == -1) {
            return "?";
        }
        Encoding e = Decoder.lookup((int) insn);
        return e == null ? "illegal" : e.mnemonic;
    }
}
