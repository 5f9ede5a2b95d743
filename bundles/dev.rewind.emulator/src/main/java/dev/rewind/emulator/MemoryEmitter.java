package dev.rewind.emulator;

import static dev.rewind.emulator.BlockEmitter.A;
import static dev.rewind.emulator.BlockEmitter.BLOCK;
import static dev.rewind.emulator.BlockEmitter.FLAGS;
import static dev.rewind.emulator.BlockEmitter.H;
import static dev.rewind.emulator.BlockEmitter.HART;
import static dev.rewind.emulator.BlockEmitter.MEM;
import static dev.rewind.emulator.BlockEmitter.O;
import static dev.rewind.emulator.BlockEmitter.RAMLAST;
import static dev.rewind.emulator.BlockEmitter.ROFF;
import static dev.rewind.emulator.BlockEmitter.RTAG;
import static dev.rewind.emulator.BlockEmitter.VPN;
import static dev.rewind.emulator.BlockEmitter.WOFF;
import static dev.rewind.emulator.BlockEmitter.WTAG;

/**
 * Loads and stores of a translated block ({@link BlockEmitter}): the interpreter's RAM fast
 * path, reads of side-effect-free device registers through {@link HartSystem#pureDeviceLoad},
 * and a bail-out to the interpreter for everything else. A block is translated for one data
 * access mode ({@link Block#mode}, checked at its entry): direct RAM offsets (M-mode without
 * watchpoints: an add and one range check per access, ~20 bytes of bytecode) or the read/write
 * TLB (S/U-mode, Sv39, watched pages); a mode's block carries no code for the other. Stores go
 * only to pages already dirty that hold no decoded code and are not LOGGED.
 */
final class MemoryEmitter {
    private final BlockEmitter e;
    private final CodeBuffer c;

    MemoryEmitter(BlockEmitter e) {
        this.e = e;
        this.c = e.c;
    }

    /**
     * Leaves O = the RAM offset of a = rs1 + imm, or jumps to {@code bailTo}; for a store, only
     * where the fast path may write ({@link Block#dirty}); {@code keepAddress}: a is also left in
     * A (for a device read).
     */
    void address(int rs1, int imm, int size, boolean store, int bailTo, boolean keepAddress) {
        if (keepAddress) {
            e.read(rs1);
            e.pushLong(imm);
            c.op(CodeBuffer.LADD);
            c.op(CodeBuffer.DUP2);
            c.local(CodeBuffer.LSTORE, A);
            if (e.direct) {
                e.pushLong(-Hart.RAM_BASE);
                c.op(CodeBuffer.LADD);
            }
        } else {
            e.read(rs1);
            e.pushLong(e.direct ? imm - Hart.RAM_BASE : imm);
            c.op(CodeBuffer.LADD);
        }
        if (e.direct) {
            // o = a - RAM_BASE within [0, ramLast]: unsigned o <= ramLast
            c.op(CodeBuffer.DUP2);
            c.local(CodeBuffer.LSTORE, O);
            c.local(CodeBuffer.LLOAD, RAMLAST);
            e.invokeStatic("java/lang/Long", "compareUnsigned", "(JJ)I");
            c.jump(CodeBuffer.IFGT, bailTo);
            if (store) {
                writable(size, bailTo);
            }
            return;
        }
        // The TLB entry of the page must match.
        c.op(CodeBuffer.DUP2);
        c.local(CodeBuffer.LSTORE, A);
        c.op(CodeBuffer.BIPUSH, 12);
        c.op(CodeBuffer.LUSHR);
        c.local(CodeBuffer.LSTORE, VPN);
        c.local(CodeBuffer.ALOAD, store ? WTAG : RTAG);
        tlbIndex();
        c.op(CodeBuffer.LALOAD);
        c.local(CodeBuffer.LLOAD, VPN);
        c.op(CodeBuffer.LCMP);
        c.jump(CodeBuffer.IFNE, bailTo);
        if (!store) {
            pageOffsetFits(A, size, bailTo);
        }
        c.local(CodeBuffer.ALOAD, store ? WOFF : ROFF);
        tlbIndex();
        c.op(CodeBuffer.LALOAD);
        c.local(CodeBuffer.LLOAD, A);
        e.pushLong(0xfff);
        c.op(CodeBuffer.LAND);
        c.op(CodeBuffer.LOR);
        c.local(CodeBuffer.LSTORE, O);
        if (store) {
            writable(size, bailTo);
        }
    }

    /** Bails unless the fast path may store {@code size} bytes at RAM offset O ({@link Block#dirty}). */
    private void writable(int size, int bailTo) {
        c.local(CodeBuffer.ALOAD, FLAGS);
        c.local(CodeBuffer.LLOAD, O);
        e.pushInt(4096 - size);
        e.invokeStatic(BLOCK, "dirty", "([BJI)Z");
        c.jump(CodeBuffer.IFEQ, bailTo);
    }

    private void tlbIndex() {
        c.local(CodeBuffer.LLOAD, VPN);
        c.op(CodeBuffer.L2I);
        e.pushInt(Hart.TLB_MASK);
        c.op(CodeBuffer.IAND);
    }

    /** Bails unless (local & 0xfff) + size stays inside the page. */
    private void pageOffsetFits(int local, int size, int bailTo) {
        c.local(CodeBuffer.LLOAD, local);
        c.op(CodeBuffer.L2I);
        e.pushInt(0xfff);
        c.op(CodeBuffer.IAND);
        e.pushInt(4096 - size);
        c.jump(CodeBuffer.IF_ICMPGT, bailTo);
    }

    /** Pushes RAM and the offset in O as an int, for an array access. */
    void pushTarget() {
        c.local(CodeBuffer.ALOAD, MEM);
        c.local(CodeBuffer.LLOAD, O);
        c.op(CodeBuffer.L2I);
    }

    private static int size(int op) {
        return switch (op) {
            case Op.LB, Op.LBU, Op.SB -> 1;
            case Op.LH, Op.LHU, Op.SH -> 2;
            case Op.LW, Op.LWU, Op.SW -> 4;
            default -> 8;
        };
    }

    /**
     * A load into rd. {@code pending}: instructions of the block retired before it and not yet
     * in BUDGET, or -1 if the load never read a device while interpreted (no device path: it bails).
     */
    void load(int op, int rd, int rs1, int imm, int off, int pending) {
        int bailTo = e.newBail(off);
        int device = pending < 0 ? bailTo : c.newLabel(), done = c.newLabel();
        address(rs1, imm, size(op), false, device, pending >= 0);
        pushTarget();
        switch (op) {
            case Op.LB -> {
                c.op(CodeBuffer.BALOAD);
                c.op(CodeBuffer.I2L);
            }
            case Op.LBU -> e.invokeStatic(BLOCK, "lbu", "([BI)J");
            case Op.LH -> e.invokeStatic(BLOCK, "lh", "([BI)J");
            case Op.LHU -> e.invokeStatic(BLOCK, "lhu", "([BI)J");
            case Op.LW -> e.invokeStatic(BLOCK, "lw", "([BI)J");
            case Op.LWU -> e.invokeStatic(BLOCK, "lwu", "([BI)J");
            default -> e.invokeStatic(BLOCK, "ld", "([BI)J");
        }
        e.write(rd);
        if (pending < 0) {
            return;
        }
        c.jump(CodeBuffer.GOTO, done);
        // Not RAM: a timer register read in a delay loop stays in the block.
        c.place(device);
        c.local(CodeBuffer.ALOAD, H);
        c.opU2(CodeBuffer.GETFIELD, e.cf.fieldRef(HART, "sys", "Ldev/rewind/emulator/HartSystem;"));
        c.local(CodeBuffer.LLOAD, A);
        e.pushInt(op);
        e.pushIcount(pending);
        c.opU2(CodeBuffer.INVOKEVIRTUAL, e.cf.methodRef("dev/rewind/emulator/HartSystem", "pureDeviceLoad", "(JIJ)J"));
        c.local(CodeBuffer.LSTORE, O);
        c.local(CodeBuffer.ALOAD, H);
        c.opU2(CodeBuffer.GETFIELD, e.cf.fieldRef(HART, "bail", "Z"));
        c.jump(CodeBuffer.IFNE, bailTo);
        c.local(CodeBuffer.LLOAD, O);
        e.write(rd);
        c.place(done);
    }

    void store(int op, int rs1, int rs2, int imm, int off) {
        int bailTo = e.newBail(off);
        int size = size(op);
        address(rs1, imm, size, true, bailTo, false);
        pushTarget();
        e.read(rs2);
        switch (op) {
            case Op.SB -> {
                c.op(CodeBuffer.L2I);
                c.op(CodeBuffer.BASTORE);
            }
            case Op.SH -> e.invokeStatic(BLOCK, "sh", "([BIJ)V");
            case Op.SW -> e.invokeStatic(BLOCK, "sw", "([BIJ)V");
            default -> e.invokeStatic(BLOCK, "sd", "([BIJ)V");
        }
    }
}
