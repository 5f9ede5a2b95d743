package dev.rewind.emulator;

import static dev.rewind.emulator.BlockEmitter.A;
import static dev.rewind.emulator.BlockEmitter.BLOCK;
import static dev.rewind.emulator.BlockEmitter.DIRECT;
import static dev.rewind.emulator.BlockEmitter.FLAGS;
import static dev.rewind.emulator.BlockEmitter.H;
import static dev.rewind.emulator.BlockEmitter.HART;
import static dev.rewind.emulator.BlockEmitter.IC;
import static dev.rewind.emulator.BlockEmitter.MEM;
import static dev.rewind.emulator.BlockEmitter.O;
import static dev.rewind.emulator.BlockEmitter.RAMLAST;
import static dev.rewind.emulator.BlockEmitter.RTAG;
import static dev.rewind.emulator.BlockEmitter.ROFF;
import static dev.rewind.emulator.BlockEmitter.VPN;
import static dev.rewind.emulator.BlockEmitter.WOFF;
import static dev.rewind.emulator.BlockEmitter.WTAG;

/**
 * Loads and stores of a translated block ({@link BlockEmitter}): the interpreter's RAM fast
 * path (direct RAM offsets in M-mode, the read/write TLB otherwise; stores only to pages already
 * dirty that hold no decoded code), reads of side-effect-free device registers through
 * {@link HartSystem#pureDeviceLoad}, and a bail-out to the interpreter for everything else.
 */
final class MemoryEmitter {
    private final BlockEmitter e;
    private final CodeBuffer c;

    MemoryEmitter(BlockEmitter e) {
        this.e = e;
        this.c = e.c;
    }

    /**
     * Leaves o = the RAM offset of a = rs1 + imm, or jumps to the bail label, following the
     * interpreter's fast path: direct RAM offsets, or the read/write TLB.
     */
    void address(int rs1, int imm, int size, boolean store, int bailTo) {
        e.read(rs1);
        e.pushLong(imm);
        c.op(CodeBuffer.LADD);
        c.local(CodeBuffer.LSTORE, A);
        int tlb = c.newLabel();
        int done = c.newLabel();
        c.local(CodeBuffer.ILOAD, DIRECT);
        c.jump(CodeBuffer.IFEQ, tlb);
        // direct: o = a - RAM_BASE within [0, ramLast]
        c.local(CodeBuffer.LLOAD, A);
        e.pushLong(Hart.RAM_BASE);
        c.op(CodeBuffer.LSUB);
        c.local(CodeBuffer.LSTORE, O);
        c.local(CodeBuffer.LLOAD, O);
        c.local(CodeBuffer.LLOAD, RAMLAST);
        c.local(CodeBuffer.LLOAD, O);
        c.op(CodeBuffer.LSUB);
        c.op(CodeBuffer.LOR);
        c.op(CodeBuffer.LCONST_0);
        c.op(CodeBuffer.LCMP);
        c.jump(CodeBuffer.IFLT, bailTo);
        c.jump(CodeBuffer.GOTO, done);
        // translated: the TLB entry of the page must match
        c.place(tlb);
        c.local(CodeBuffer.LLOAD, A);
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
        c.place(done);
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
        e.pushLong(0xfff);
        c.op(CodeBuffer.LAND);
        e.pushLong(4096 - size);
        c.op(CodeBuffer.LCMP);
        c.jump(CodeBuffer.IFGT, bailTo);
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
     * in IC, or -1 if the load never read a device while interpreted (no device path: it bails).
     */
    void load(int op, int rd, int rs1, int imm, int off, int pending) {
        int bailTo = e.newBail(off);
        int device = pending < 0 ? bailTo : c.newLabel(), done = c.newLabel();
        address(rs1, imm, size(op), false, device);
        c.local(CodeBuffer.ALOAD, MEM);
        c.local(CodeBuffer.LLOAD, O);
        c.op(CodeBuffer.L2I);
        switch (op) {
            case Op.LB -> {
                c.op(CodeBuffer.BALOAD);
                c.op(CodeBuffer.I2L);
            }
            case Op.LBU -> {
                c.op(CodeBuffer.BALOAD);
                e.pushInt(0xff);
                c.op(CodeBuffer.IAND);
                c.op(CodeBuffer.I2L);
            }
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
        c.local(CodeBuffer.LLOAD, IC);
        e.pushLong(pending);
        c.op(CodeBuffer.LADD);
        c.opU2(CodeBuffer.INVOKEVIRTUAL, e.cf.methodRef("dev/rewind/emulator/HartSystem", "pureDeviceLoad", "(JIJ)J"));
        c.local(CodeBuffer.LSTORE, O);
        c.local(CodeBuffer.ALOAD, H);
        c.opU2(CodeBuffer.GETFIELD, e.cf.fieldRef(HART, "bail", "Z"));
        c.jump(CodeBuffer.IFNE, bailTo);
        c.local(CodeBuffer.LLOAD, O);
        e.write(rd);
        c.place(done);
    }

    /**
     * For a store to the offset in O: bails unless its page is already dirty and holds no decoded
     * code or device hooks (the only pages the fast path may write) and the access stays inside
     * the page; then pushes RAM and the offset as an int, for the value and the array store.
     */
    void pushStoreTarget(int size, int bailTo) {
        c.local(CodeBuffer.ALOAD, FLAGS);
        c.local(CodeBuffer.LLOAD, O);
        c.op(CodeBuffer.BIPUSH, 12);
        c.op(CodeBuffer.LUSHR);
        c.op(CodeBuffer.L2I);
        c.op(CodeBuffer.BALOAD);
        e.pushInt(Memory.DIRTY);
        c.jump(CodeBuffer.IF_ICMPNE, bailTo);
        pageOffsetFits(O, size, bailTo);
        c.local(CodeBuffer.ALOAD, MEM);
        c.local(CodeBuffer.LLOAD, O);
        c.op(CodeBuffer.L2I);
    }

    void store(int op, int rs1, int rs2, int imm, int off) {
        int bailTo = e.newBail(off);
        int size = size(op);
        address(rs1, imm, size, true, bailTo);
        pushStoreTarget(size, bailTo);
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
