package dev.rewind.emulator;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * One RV64GC hart with M/S/U modes and Sv39. The hot path is {@link #inner}: a page-bounded
 * loop over pre-decoded slots with a dense {@code switch}, locals for pc and icount, RAM accessed
 * through direct offsets or a small software TLB. Everything rare lives in cold classes (traps,
 * AMOs, MMIO in {@link HartSystem}; CSRs in {@link CsrFile}; translation in {@link Mmu}) or cold
 * methods here, reached with pc/icount passed along so a trap can be raised by throwing the
 * preallocated {@link Trap}.
 *
 * <p>Hot code leaves the interpreter: {@link #runPage} counts entries per slot and runs a
 * {@link Block} from {@link BlockTranslator} once a slot is hot. Blocks honour the same limit
 * contract and never take a slow path: they stop in front of it and the interpreter executes
 * that one instruction, so traps, MMIO, watchpoints and code invalidation stay in one place.
 */
final class Hart {

    static final long RAM_BASE = 0x8000_0000L;
    static final int M = 3, S = 1, U = 0;

    // runUntil / runBlock status codes
    static final int CONTINUE = 0, WFI = 1, BREAK = 2, WATCH = 3, DEVICE = 4;

    static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    static {
        // What inner calls must be loaded and linked before the JIT compiles it: C2 compiles a
        // call into a class not loaded yet, or a VarHandle shape not linked yet, as an uncommon
        // trap, and the guest's first REMW or 16-bit store then threw the compiled inner away and
        // C2 compiled it again (Linux's boot: ~2 s of a compiler thread, in 3 runs of 3).
        byte[] b = new byte[8];
        I16.set(b, 0, (short) I16.get(b, 0));
        I32.set(b, 0, (int) I32.get(b, 0));
        I64.set(b, 0, (long) I64.get(b, 0) + Arithmetic.remw(1, 1));
    }

    /** Entries of each software TLB (direct-mapped by virtual page; Linux's boot missed 256 often). */
    static final int TLB_SIZE = 1024, TLB_MASK = TLB_SIZE - 1;

    /** x0..x31 plus x32, the write sink for rd = x0. */
    final long[] x = new long[33];
    long pc;
    /**
     * The machine's global position while this hart runs (instructions retired by all harts;
     * the single source of guest time); set from the others' when its turn starts.
     */
    long icount;
    /** This hart's id (mhartid). */
    final int id;
    /** Instructions this hart retired in turns that ended ({@link HartScheduler#retired}). */
    long retired;
    /** {@link #retired} at which a breakpoint at pc is passed once, or -1 ({@link HartScheduler}). */
    long skipRetired = -1;
    int priv = M;
    /** Sleeping in WFI until an interrupt is pending and enabled. */
    boolean waiting;

    final CsrFile csrs;
    /** f0-f31, frm, fflags and the F/D operations. */
    final FloatUnit fpu = new FloatUnit();
    /** This hart's debug triggers (Sdtrig): the guest's own breakpoints and watchpoints. */
    final Triggers triggers = new Triggers();
    final Mmu mmu;
    final HartSystem sys;
    /** Breakpoints and watchpoints: one set for the whole machine. */
    final DebugHooks debug;
    /** The code pages entered, for a recording's code-page index; null unless one is kept. */
    CodePages codePages;
    final Bus bus;
    final Memory ram;
    // Read by translated blocks too.
    final byte[] mem;
    final byte[] flags;
    final long ramLast;

    /** Data accesses go straight to RAM offsets (M-mode, no watchpoints, no locked PMP). */
    boolean direct = true;
    /**
     * The software TLB of the current data privilege ({@link Mmu#privilegeChanged}): virtual page tags
     * and RAM page offsets for loads and for stores. Read once per block or interpreter run
     * (anything that switches them ends the run).
     */
    long[] rTag, rOff, wTag, wOff;

    /** Set by slow paths: end the block after the current instruction with {@link #status}. */
    boolean stopAfter;
    int status;
    /** The instruction at pc when icount equals this executes even if it is a breakpoint. */
    long breakSkipIcount = -1;
    /** One instruction attempt only: return after a trap too (see VirtMachine.step). */
    boolean stepping;
    /**
     * This run is short (a step back replays a few hundred instructions): interpret it. Translated
     * blocks are compiled by C2 from a profile of long runs, in which their budget checks never
     * fail; a short run that ends inside one fails a check C2 left out (an "unstable if"), and the
     * JVM deoptimizes the block, interprets its bytecode and compiles it again: measured as 3 ms
     * of the first reverse-stepi after a jump on Linux, against 0.3 ms for the next ones.
     */
    boolean shortRun;
    /** Set by a translated block that stopped in front of an access it leaves to the interpreter. */
    boolean bail;
    /** The block that set {@link #bail} (the dispatcher's, or one it chained into) and the pc it was entered at. */
    Block bailed;
    long bailedPc;
    /**
     * Identifies the hart's current fetch privilege (its code-page cache, set by {@link Mmu}):
     * a block link holds only for the hart and privilege that made it ({@link Block.Link}).
     */
    Object fetchKey;
    /** Block links a chain may still follow before it returns to the dispatcher. */
    int chainDepth;
    /** Blocks entered through links per call from the dispatcher, at most: each is a JVM call nested in the last. */
    static final int CHAIN_DEPTH = 32;
    /** A block exit with no current link, left by the last call (see {@link Block#linked}), and its index. */
    Block linkFrom;
    int linkExit;
    /** Set by a slow-path load that read a device register whose reads change nothing. */
    boolean pureDeviceRead;
    /** Hot code runs as translated blocks ({@link BlockTranslator}); off only to compare with the interpreter. */
    boolean translate = !"off".equals(System.getProperty("rewind.blocks"));
    /** Calls into translated blocks (diagnostics; one increment per block, not per instruction). */
    long blocksEntered;
    /** Blocks entered through links from other blocks' exits (block chaining; diagnostics, one increment per block). */
    long blocksLinked;
    /** Dispatcher counts under -Drewind.profile ({@link ExecutionProfile#ON}). */
    final ExecutionProfile profile = new ExecutionProfile();
    /**
     * Entries into a slot before its block is translated: cold code stays in the interpreter. A
     * new block runs in the JVM's bytecode interpreter and is compiled twice before it beats
     * {@link #inner}; a program with a few hot loops (a benchmark) gains from translating them
     * at once, a kernel's thousands of lukewarm paths never pay it back. So the first
     * {@link #EAGER_BLOCKS} blocks are translated after {@link #HOT_FIRST} entries, later ones
     * after {@link #HOT}: Linux's first 6e8 boot instructions took 29-31 s CPU translating
     * everything at 32 entries, 19-20 s at 1000 (load ~25), while Embench's whole processes
     * were 10-25% slower at 1000 (their short runs then compile {@link #inner} too). With
     * blocks ending at C1 (the launcher), a JFR sample of Linux's boot found 30% of the main
     * thread in blocks the JVM still interpreted; at 4000 entries its boot to the shell took
     * 29.7 s CPU against 33.7 s at 1000 (1.4e9 instructions, side by side at load ~25; C1 9.3 ->
     * 6.9 s, main thread 15.6 -> 14.2 s).
     */
    static final int HOT_FIRST = 32, HOT = 4000, EAGER_BLOCKS = 256;
    /**
     * Exits of a block to its own page before it is translated again with chaining (calls and
     * returns within the page followed, {@link Region}). Chaining makes blocks larger (callees
     * are copied into their callers), which a kernel's boot pays in compile time (Linux's first
     * 6e8 instructions: 10% more bytecode, 40% more C2 work when chaining after 10,000 exits),
     * while a polling loop's few blocks, left and entered millions of times, gain from it
     * (U-Boot's countdown: half the block entries).
     */
    static final int CHAIN_AFTER = 100_000;
    /**
     * Instructions a block retires (in calls from the dispatcher) before it is translated again
     * as a {@link Block#hot} class, the only kind the launcher lets C2 compile: C2 took 10-15 s of
     * CPU compiling Linux's boot blocks (C1 5-8 s, the emulation itself 12-14 s), while its
     * code only pays back in the few blocks a run spends its time in (a benchmark's loop, memset).
     */
    static final long HOT_BLOCK = 10_000_000;
    /** The current exits-to-chain threshold; tests lower it so short runs chain. */
    int chainAfter = CHAIN_AFTER;
    /**
     * The current threshold; pinned by tests (short runs exercise translated code) and by the
     * launcher's class-cache training run (-Drewind.hot: its short guest loads and profiles the
     * translator for every later command).
     */
    int hot = Integer.getInteger("rewind.hot", HOT_FIRST);
    private boolean hotPinned = Integer.getInteger("rewind.hot") != null;
    /** Blocks this hart has asked the translator for. */
    private int translations;

    private final DecodedPage scratch = new DecodedPage(0);

    /** Pins the translation threshold (tests). */
    void translateAfter(int entries) {
        hot = entries;
        hotPinned = true;
    }

    Hart(int id, Bus bus, DebugHooks debug) {
        this.id = id;
        this.bus = bus;
        this.debug = debug;
        this.ram = bus.ram;
        this.mem = ram.data;
        this.flags = ram.flags;
        this.ramLast = ram.size - 8L;
        this.csrs = new CsrFile(this);
        this.mmu = new Mmu(this);
        this.sys = new HartSystem(this);
        debug.attach(this);
        mmu.translationChanged();
    }

    /**
     * Runs until icount reaches {@code limit} or something needs the machine's attention.
     * Interrupts are taken at block boundaries, i.e. whenever the pc leaves a page, after any
     * CSR write, device access with side effects or other system instruction, and at every call
     * (reads of counters and of the CLINT change nothing an interrupt depends on).
     */
    int runUntil(long limit) {
        while (icount < limit) {
            try {
                sys.checkInterrupts();
                int r = runBlock(limit);
                if (r != CONTINUE) {
                    return r;
                }
            } catch (Trap t) {
                sys.takeTrap();
                if (stepping) {
                    return CONTINUE;
                }
            }
        }
        return CONTINUE;
    }

    private int runBlock(long limit) {
        if (ExecutionProfile.ON) {
            profile.outer++;
        }
        stopAfter = false;
        status = CONTINUE;
        DecodedPage page = mmu.fetchPage(pc);
        if (codePages != null) {
            codePages.note(pc);
        }
        int slot = (int) (pc & 0xfff) >>> 1;
        long e = page.slots[slot];
        if (e == 0) {
            e = decodeSlot(page, slot, pc);
        }
        int op = DecodedPage.word(e) & 0xff;
        if (op == Op.CROSS || (op == Op.BREAKPOINT && (icount == breakSkipIcount || !debug.isBreakpoint(pc)))) {
            if (op == Op.BREAKPOINT && triggers.firesOnExecute(pc, priv)) {
                // The guest's execute trigger: breakpoint exception before the instruction (QEMU 7.2: tval 0).
                throw sys.raise(pc, icount, HartSystem.BREAKPOINT, 0, false);
            }
            // One instruction through a scratch page: page-crossing, or stepping off a breakpoint.
            mmu.decodeInto(scratch, pc);
            inner(scratch, pc, Math.min(limit, icount + 1));
        } else if (op == Op.BREAKPOINT) {
            return BREAK;
        } else {
            runPage(page, pc & ~0xfffL, limit);
        }
        if (stopAfter && status == WFI) {
            // QEMU 7.2 under icount accounts a WFI that halts the hart as two instructions
            // (measured: its rr icount exceeds the executed trace by one per WFI); follow it so
            // totals and virtual time match.
            icount++;
        }
        return stopAfter ? status : CONTINUE;
    }

    /** Decodes the slot from memory; a 32-bit instruction in the page's last halfword becomes CROSS. */
    long decodeSlot(DecodedPage page, int slot, long vpc) {
        if (ExecutionProfile.ON) {
            profile.decodes++;
        }
        Memory m = mmu.fetchMemory;
        int off = page.memOffset + (slot << 1);
        int lo = (short) I16.get(m.data, off) & 0xffff;
        long e;
        if ((lo & 3) == 3 && slot == DecodedPage.SLOTS - 1) {
            e = Op.CROSS;
        } else {
            e = Decoder.decode((lo & 3) == 3 ? (int) I32.get(m.data, off) : lo);
        }
        if (debug.isBreakpoint(vpc) || debug.anyExecuteTrigger(vpc)) {
            e = (e & ~0xffL) | Op.BREAKPOINT;
        }
        page.slots[slot] = e;
        return e;
    }

    /**
     * Runs code from page to page until icount reaches limit or a slow path ends the block:
     * translated blocks where the code is hot, the interpreter one basic block at a time
     * elsewhere. Breakpoints, page-crossing instructions and the page end stop the interpreter
     * without progress and return to {@link #runBlock}.
     */
    private void runPage(DecodedPage page, long pageBase, long limit) {
        page.startBlocks();
        Block[] blocks = page.blocks;
        short[] heat = page.heat;
        while (icount < limit && !stopAfter) {
            long pc = this.pc;
            long off = pc - pageBase;
            if ((off >>> 12) != 0) {
                // Calls and returns between pages: go on in the new page here. Nothing an
                // interrupt or the translation depends on changed (that sets stopAfter), and a
                // breakpoint or page-crossing slot there stops the loop below without progress.
                page = mmu.fetchPage(pc);
                if (codePages != null) {
                    codePages.note(pc);
                }
                page.startBlocks();
                blocks = page.blocks;
                heat = page.heat;
                pageBase = pc & ~0xfffL;
                off = pc - pageBase;
            }
            int slot = (int) off >>> 1;
            Block b = shortRun ? null : blocks[slot];
            if (ExecutionProfile.ON) {
                profile.dispatches++;
            }
            if (b != null) {
                if (icount + b.length <= limit) {
                    if (linkFrom != null) {
                        // The last call left through an exit without a current link: it came here.
                        linkFrom.links[linkExit] = new Block.Link(pc, b, fetchKey, Block.generation());
                        linkFrom = null;
                    }
                    blocksEntered++;
                    long entered = icount;
                    chainDepth = CHAIN_DEPTH;
                    icount = b.run(this, pc, icount, limit);
                    // The block and those it chained into counted their exits and instructions.
                    if (!b.chained && b.pageExits >= chainAfter && blocks[slot] == b) {
                        // It keeps leaving for code of its own page (calls, returns): take that in.
                        b.pageExits = Integer.MIN_VALUE; // once (the cache may give back the same block)
                        blocks[slot] = BlockTranslator.translate(this, page, slot, pc, true, b.hot);
                    } else if (!b.hot && b.retired >= HOT_BLOCK && blocks[slot] == b) {
                        // Where a run spends its time: worth C2's compile time.
                        blocks[slot] = BlockTranslator.translate(this, page, slot, pc, b.chained, true);
                    }
                    if (ExecutionProfile.ON) {
                        countBlock(pc, entered);
                    }
                    if (bail) {
                        // The block stopped in front of an access only the slow path can do: the
                        // block called here or one it chained into, maybe in another page.
                        bail = false;
                        Block from = bailed;
                        long at = this.pc;
                        if (((at - pageBase) >>> 12) != 0) {
                            page = mmu.fetchPage(at);
                            page.startBlocks();
                            blocks = page.blocks;
                            heat = page.heat;
                            pageBase = at & ~0xfffL;
                        }
                        // Its entry lies in the page of the instruction it stopped at (a region is in one page).
                        long fromPc = bailedPc;
                        int fromSlot = (int) (fromPc - pageBase) >>> 1;
                        if (!from.fits(this) && blocks[fromSlot] == from) {
                            // Entered in the other data access mode (direct vs TLB): it left at once.
                            blocks[fromSlot] = BlockTranslator.translate(this, page, fromSlot, fromPc, from.chained, from.hot);
                        }
                        if (ExecutionProfile.ON) {
                            countHandOver(page, pageBase);
                        }
                        long before = icount;
                        if (ExecutionProfile.ON) {
                            profile.interpreted++;
                        }
                        pureDeviceRead = false;
                        inner(page, pageBase, icount + 1);
                        if (pureDeviceRead) {
                            // A load that reads a timer: translate the block again with the
                            // device read inside it (loads that never met a device have none).
                            page.deviceLoads[(int) (at - pageBase) >>> 1] = true;
                            if (blocks[fromSlot] == from) {
                                blocks[fromSlot] = BlockTranslator.translate(this, page, fromSlot, fromPc, from.chained, from.hot);
                            }
                        }
                        if (icount == before) {
                            return;
                        }
                    }
                    continue;
                }
            } else if (translate && !shortRun) {
                int hot = heat[slot];
                if (hot >= this.hot) {
                    blocks[slot] = BlockTranslator.translate(this, page, slot, pc, false);
                    if (++translations == EAGER_BLOCKS && !hotPinned) {
                        this.hot = HOT;
                    }
                    continue;
                }
                heat[slot] = (short) (hot + 1);
            }
            if (ExecutionProfile.ON) {
                profile.interpreted++;
                if (b == null) {
                    profile.cold++;
                } else {
                    countHandOver(page, pageBase);
                }
            }
            linkFrom = null;
            long before = icount;
            inner(page, pageBase, limit);
            if (icount == before) {
                return;
            }
        }
    }

    /** Profile counts for one call into translated code that started at icount {@code entered}. */
    private void countBlock(long pc, long entered) {
        profile.entries++;
        profile.translatedInsns += icount - entered;
        if (((this.pc ^ pc) >>> 12) == 0) {
            profile.samePage++;
        }
    }

    /** Profile count of an instruction the interpreter runs because a block could not. */
    private void countHandOver(DecodedPage page, long pageBase) {
        long off = pc - pageBase;
        long e = (off >>> 12) == 0 ? page.slots[(int) off >>> 1] : Op.PAGE_END;
        profile.handOver[(int) e & 0xff]++;
    }

    /** Illegal instruction unless mstatus.FS enables the FP unit (QEMU translates FP as illegal with FS Off). */
    void fpOn(long pc, long ic) {
        if ((csrs.mstatus & CsrFile.MSTATUS_FS) == 0) {
            throw sys.illegalAtTranslation(pc, ic);
        }
    }

    /**
     * An F/D instruction other than a load or store (also called by translated blocks).
     * Writing an f register makes FS Dirty; only raising fflags does not, as in QEMU 7.2.
     */
    void floatingPoint(int w, int imm, long pc, long ic) {
        fpOn(pc, ic);
        int r = fpu.execute(w, imm, x);
        if (r == FloatUnit.WROTE_F) {
            csrs.mstatus |= CsrFile.MSTATUS_FS;
        } else if (r == FloatUnit.ILLEGAL) {
            // A reserved rounding mode: QEMU's rounding-mode helper raises it at run time (not counted).
            throw sys.illegal(pc, ic);
        }
    }

    /** Ends the interpreter's run after this instruction: a jump or branch starts a new basic block. */
    private static long endOfBasicBlock(long ic) {
        return ic + 1;
    }

    /** -1 if a != b, else 0. */
    private static long ne(long a, long b) {
        long d = a ^ b;
        return (d | -d) >> 63;
    }

    /** -1 if a < b (signed), else 0. */
    private static long lt(long a, long b) {
        long d = a - b;
        return (d ^ ((a ^ b) & (d ^ a))) >> 63;
    }

    /** pc + imm where {@code taken} is -1, else the fall-through npc. */
    private static long branch(long taken, long pc, int imm, long npc) {
        return npc ^ ((npc ^ (pc + imm)) & taken);
    }

    private long endAfterSlowPath(long limit, long ic) {
        return stopAfter ? ic + 1 : limit;
    }

    /**
     * The interpreter: executes slots of one page until a jump or branch, or icount hits limit.
     * Sequential flow off the page lands on the PAGE_END sentinel.
     */
    private void inner(DecodedPage page, long pageBase, long limit) {
        final long[] x = this.x;
        final byte[] mem = this.mem;
        final long[] slots = page.slots;
        // Stable for the whole block: only slow paths that end the block change them.
        final boolean direct = this.direct;
        final long ramLast = this.ramLast;
        final byte[] flags = this.flags;
        final long[] rTag = this.rTag, rOff = this.rOff, wTag = this.wTag, wOff = this.wOff;
        long pc = this.pc;
        long ic = this.icount;
        try {
            while (ic < limit) {
                int slot = (int) (pc - pageBase) >>> 1;
                long e = slots[slot];
                int w = (int) e;
                int imm = (int) (e >> 32);
                int rd = (w >>> 8) & 63;
                int rs1 = (w >>> 14) & 31;
                int rs2 = (w >>> 19) & 31;
                long npc = pc + 4 - ((w >>> 23) & 2);
                switch (w & 0xff) {
                    case Op.LUI: x[rd] = imm; break;
                    case Op.AUIPC: x[rd] = pc + imm; break;
                    // Control flow is written without Java branches on guest data: a guest loop's exit
                    // would otherwise be a never-seen path that deoptimizes this method, and HotSpot's
                    // recompilation after such traps runs about half as fast.
                    case Op.JAL: x[rd] = npc; npc = pc + imm; limit = endOfBasicBlock(ic); break;
                    case Op.JALR: { long t = (x[rs1] + imm) & ~1L; x[rd] = npc; npc = t; limit = endOfBasicBlock(ic);
                        if (((t ^ pc) >>> 12) == 0 && page.jalrTo != null) page.jalrTo[slot] = (short) (1 + ((int) (t & 0xfff) >>> 1));
                        break; }
                    case Op.BEQ: npc = branch(ne(x[rs1], x[rs2]) ^ -1L, pc, imm, npc); limit = endOfBasicBlock(ic); break;
                    case Op.BNE: npc = branch(ne(x[rs1], x[rs2]), pc, imm, npc); limit = endOfBasicBlock(ic); break;
                    case Op.BLT: npc = branch(lt(x[rs1], x[rs2]), pc, imm, npc); limit = endOfBasicBlock(ic); break;
                    case Op.BGE: npc = branch(lt(x[rs1], x[rs2]) ^ -1L, pc, imm, npc); limit = endOfBasicBlock(ic); break;
                    case Op.BLTU: npc = branch(lt(x[rs1] + Long.MIN_VALUE, x[rs2] + Long.MIN_VALUE), pc, imm, npc); limit = endOfBasicBlock(ic); break;
                    case Op.BGEU: npc = branch(lt(x[rs1] + Long.MIN_VALUE, x[rs2] + Long.MIN_VALUE) ^ -1L, pc, imm, npc); limit = endOfBasicBlock(ic); break;
                    // Loads and stores: the RAM fast path is written out at each site because C2 inlines
                    // helpers into this large method only where the profile says hot.
                    case Op.LB: { long a = x[rs1] + imm; long o;
                        if (direct) { o = a - RAM_BASE; o = (o | (ramLast - o)) >= 0 ? o : -1; }
                        else { long vpn = a >>> 12; int t = (int) vpn & TLB_MASK; o = rTag[t] == vpn && (a & 0xfff) <= 4095 ? rOff[t] | (a & 0xfff) : -1; }
                        if (o >= 0) x[rd] = mem[(int) o]; else { x[rd] = (byte) sys.load(a, 1, pc, ic); limit = endAfterSlowPath(limit, ic); } break; }
                    case Op.LH: { long a = x[rs1] + imm; long o;
                        if (direct) { o = a - RAM_BASE; o = (o | (ramLast - o)) >= 0 ? o : -1; }
                        else { long vpn = a >>> 12; int t = (int) vpn & TLB_MASK; o = rTag[t] == vpn && (a & 0xfff) <= 4094 ? rOff[t] | (a & 0xfff) : -1; }
                        if (o >= 0) x[rd] = (short) I16.get(mem, (int) o); else { x[rd] = (short) sys.load(a, 2, pc, ic); limit = endAfterSlowPath(limit, ic); } break; }
                    case Op.LW: { long a = x[rs1] + imm; long o;
                        if (direct) { o = a - RAM_BASE; o = (o | (ramLast - o)) >= 0 ? o : -1; }
                        else { long vpn = a >>> 12; int t = (int) vpn & TLB_MASK; o = rTag[t] == vpn && (a & 0xfff) <= 4092 ? rOff[t] | (a & 0xfff) : -1; }
                        if (o >= 0) x[rd] = (int) I32.get(mem, (int) o); else { x[rd] = (int) sys.load(a, 4, pc, ic); limit = endAfterSlowPath(limit, ic); } break; }
                    case Op.LD: { long a = x[rs1] + imm; long o;
                        if (direct) { o = a - RAM_BASE; o = (o | (ramLast - o)) >= 0 ? o : -1; }
                        else { long vpn = a >>> 12; int t = (int) vpn & TLB_MASK; o = rTag[t] == vpn && (a & 0xfff) <= 4088 ? rOff[t] | (a & 0xfff) : -1; }
                        if (o >= 0) x[rd] = (long) I64.get(mem, (int) o); else { x[rd] = sys.load(a, 8, pc, ic); limit = endAfterSlowPath(limit, ic); } break; }
                    case Op.LBU: { long a = x[rs1] + imm; long o;
                        if (direct) { o = a - RAM_BASE; o = (o | (ramLast - o)) >= 0 ? o : -1; }
                        else { long vpn = a >>> 12; int t = (int) vpn & TLB_MASK; o = rTag[t] == vpn && (a & 0xfff) <= 4095 ? rOff[t] | (a & 0xfff) : -1; }
                        if (o >= 0) x[rd] = mem[(int) o] & 0xffL; else { x[rd] = sys.load(a, 1, pc, ic) & 0xffL; limit = endAfterSlowPath(limit, ic); } break; }
                    case Op.LHU: { long a = x[rs1] + imm; long o;
                        if (direct) { o = a - RAM_BASE; o = (o | (ramLast - o)) >= 0 ? o : -1; }
                        else { long vpn = a >>> 12; int t = (int) vpn & TLB_MASK; o = rTag[t] == vpn && (a & 0xfff) <= 4094 ? rOff[t] | (a & 0xfff) : -1; }
                        if (o >= 0) x[rd] = (short) I16.get(mem, (int) o) & 0xffffL; else { x[rd] = sys.load(a, 2, pc, ic) & 0xffffL; limit = endAfterSlowPath(limit, ic); } break; }
                    case Op.LWU: { long a = x[rs1] + imm; long o;
                        if (direct) { o = a - RAM_BASE; o = (o | (ramLast - o)) >= 0 ? o : -1; }
                        else { long vpn = a >>> 12; int t = (int) vpn & TLB_MASK; o = rTag[t] == vpn && (a & 0xfff) <= 4092 ? rOff[t] | (a & 0xfff) : -1; }
                        if (o >= 0) x[rd] = (int) I32.get(mem, (int) o) & 0xffffffffL; else { x[rd] = sys.load(a, 4, pc, ic) & 0xffffffffL; limit = endAfterSlowPath(limit, ic); } break; }
                    case Op.SB: { long a = x[rs1] + imm; long o;
                        if (direct) { o = a - RAM_BASE; o = (o | (ramLast - o)) >= 0 ? o : -1; }
                        else { long vpn = a >>> 12; int t = (int) vpn & TLB_MASK; o = wTag[t] == vpn ? wOff[t] | (a & 0xfff) : -1; }
                        if (o >= 0 && flags[(int) (o >>> 12)] == Memory.DIRTY && (o & 0xfff) <= 4095) mem[(int) o] = (byte) x[rs2];
                        else { sys.store(a, 1, x[rs2], pc, ic); limit = endAfterSlowPath(limit, ic); } break; }
                    case Op.SH: { long a = x[rs1] + imm; long o;
                        if (direct) { o = a - RAM_BASE; o = (o | (ramLast - o)) >= 0 ? o : -1; }
                        else { long vpn = a >>> 12; int t = (int) vpn & TLB_MASK; o = wTag[t] == vpn ? wOff[t] | (a & 0xfff) : -1; }
                        if (o >= 0 && flags[(int) (o >>> 12)] == Memory.DIRTY && (o & 0xfff) <= 4094) I16.set(mem, (int) o, (short) x[rs2]);
                        else { sys.store(a, 2, x[rs2], pc, ic); limit = endAfterSlowPath(limit, ic); } break; }
                    case Op.SW: { long a = x[rs1] + imm; long o;
                        if (direct) { o = a - RAM_BASE; o = (o | (ramLast - o)) >= 0 ? o : -1; }
                        else { long vpn = a >>> 12; int t = (int) vpn & TLB_MASK; o = wTag[t] == vpn ? wOff[t] | (a & 0xfff) : -1; }
                        if (o >= 0 && flags[(int) (o >>> 12)] == Memory.DIRTY && (o & 0xfff) <= 4092) I32.set(mem, (int) o, (int) x[rs2]);
                        else { sys.store(a, 4, x[rs2], pc, ic); limit = endAfterSlowPath(limit, ic); } break; }
                    case Op.SD: { long a = x[rs1] + imm; long o;
                        if (direct) { o = a - RAM_BASE; o = (o | (ramLast - o)) >= 0 ? o : -1; }
                        else { long vpn = a >>> 12; int t = (int) vpn & TLB_MASK; o = wTag[t] == vpn ? wOff[t] | (a & 0xfff) : -1; }
                        if (o >= 0 && flags[(int) (o >>> 12)] == Memory.DIRTY && (o & 0xfff) <= 4088) I64.set(mem, (int) o, x[rs2]);
                        else { sys.store(a, 8, x[rs2], pc, ic); limit = endAfterSlowPath(limit, ic); } break; }
                    // F/D loads and stores: the same RAM fast path into f registers; FS Off makes them illegal.
                    case Op.FLW: { fpOn(pc, ic); long a = x[rs1] + imm; long o;
                        if (direct) { o = a - RAM_BASE; o = (o | (ramLast - o)) >= 0 ? o : -1; }
                        else { long vpn = a >>> 12; int t = (int) vpn & TLB_MASK; o = rTag[t] == vpn && (a & 0xfff) <= 4092 ? rOff[t] | (a & 0xfff) : -1; }
                        long v; if (o >= 0) v = (int) I32.get(mem, (int) o); else { v = sys.load(a, 4, pc, ic); limit = endAfterSlowPath(limit, ic); }
                        fpu.f[rd] = v | FloatUnit.BOX; csrs.mstatus |= CsrFile.MSTATUS_FS; break; }
                    case Op.FLD: { fpOn(pc, ic); long a = x[rs1] + imm; long o;
                        if (direct) { o = a - RAM_BASE; o = (o | (ramLast - o)) >= 0 ? o : -1; }
                        else { long vpn = a >>> 12; int t = (int) vpn & TLB_MASK; o = rTag[t] == vpn && (a & 0xfff) <= 4088 ? rOff[t] | (a & 0xfff) : -1; }
                        long v; if (o >= 0) v = (long) I64.get(mem, (int) o); else { v = sys.load(a, 8, pc, ic); limit = endAfterSlowPath(limit, ic); }
                        fpu.f[rd] = v; csrs.mstatus |= CsrFile.MSTATUS_FS; break; }
                    case Op.FSW: { fpOn(pc, ic); long a = x[rs1] + imm; long o;
                        if (direct) { o = a - RAM_BASE; o = (o | (ramLast - o)) >= 0 ? o : -1; }
                        else { long vpn = a >>> 12; int t = (int) vpn & TLB_MASK; o = wTag[t] == vpn ? wOff[t] | (a & 0xfff) : -1; }
                        if (o >= 0 && flags[(int) (o >>> 12)] == Memory.DIRTY && (o & 0xfff) <= 4092) I32.set(mem, (int) o, (int) fpu.f[rs2]);
                        else { sys.store(a, 4, fpu.f[rs2], pc, ic); limit = endAfterSlowPath(limit, ic); } break; }
                    case Op.FSD: { fpOn(pc, ic); long a = x[rs1] + imm; long o;
                        if (direct) { o = a - RAM_BASE; o = (o | (ramLast - o)) >= 0 ? o : -1; }
                        else { long vpn = a >>> 12; int t = (int) vpn & TLB_MASK; o = wTag[t] == vpn ? wOff[t] | (a & 0xfff) : -1; }
                        if (o >= 0 && flags[(int) (o >>> 12)] == Memory.DIRTY && (o & 0xfff) <= 4088) I64.set(mem, (int) o, fpu.f[rs2]);
                        else { sys.store(a, 8, fpu.f[rs2], pc, ic); limit = endAfterSlowPath(limit, ic); } break; }
                    case Op.ADDI: x[rd] = x[rs1] + imm; break;
                    case Op.SLTI: x[rd] = x[rs1] < imm ? 1 : 0; break;
                    case Op.SLTIU: x[rd] = x[rs1] + Long.MIN_VALUE < (long) imm + Long.MIN_VALUE ? 1 : 0; break;
                    case Op.XORI: x[rd] = x[rs1] ^ imm; break;
                    case Op.ORI: x[rd] = x[rs1] | imm; break;
                    case Op.ANDI: x[rd] = x[rs1] & imm; break;
                    case Op.SLLI: x[rd] = x[rs1] << imm; break;
                    case Op.SRLI: x[rd] = x[rs1] >>> imm; break;
                    case Op.SRAI: x[rd] = x[rs1] >> imm; break;
                    case Op.ADD: x[rd] = x[rs1] + x[rs2]; break;
                    case Op.SUB: x[rd] = x[rs1] - x[rs2]; break;
                    case Op.SLL: x[rd] = x[rs1] << x[rs2]; break;
                    case Op.SLT: x[rd] = x[rs1] < x[rs2] ? 1 : 0; break;
                    case Op.SLTU: x[rd] = x[rs1] + Long.MIN_VALUE < x[rs2] + Long.MIN_VALUE ? 1 : 0; break;
                    case Op.XOR: x[rd] = x[rs1] ^ x[rs2]; break;
                    case Op.SRL: x[rd] = x[rs1] >>> x[rs2]; break;
                    case Op.SRA: x[rd] = x[rs1] >> x[rs2]; break;
                    case Op.OR: x[rd] = x[rs1] | x[rs2]; break;
                    case Op.AND: x[rd] = x[rs1] & x[rs2]; break;
                    case Op.ADDIW: x[rd] = (int) (x[rs1] + imm); break;
                    case Op.SLLIW: x[rd] = (int) x[rs1] << imm; break;
                    case Op.SRLIW: x[rd] = (int) x[rs1] >>> imm; break;
                    case Op.SRAIW: x[rd] = (int) x[rs1] >> imm; break;
                    case Op.ADDW: x[rd] = (int) (x[rs1] + x[rs2]); break;
                    case Op.SUBW: x[rd] = (int) (x[rs1] - x[rs2]); break;
                    case Op.SLLW: x[rd] = (int) x[rs1] << (int) x[rs2]; break;
                    case Op.SRLW: x[rd] = (int) x[rs1] >>> (int) x[rs2]; break;
                    case Op.SRAW: x[rd] = (int) x[rs1] >> (int) x[rs2]; break;
                    case Op.MUL: x[rd] = x[rs1] * x[rs2]; break;
                    case Op.MULH: x[rd] = Math.multiplyHigh(x[rs1], x[rs2]); break;
                    case Op.MULHSU: x[rd] = Arithmetic.mulhsu(x[rs1], x[rs2]); break;
                    case Op.MULHU: x[rd] = Arithmetic.mulhu(x[rs1], x[rs2]); break;
                    case Op.DIV: x[rd] = Arithmetic.div(x[rs1], x[rs2]); break;
                    case Op.DIVU: x[rd] = Arithmetic.divu(x[rs1], x[rs2]); break;
                    case Op.REM: x[rd] = Arithmetic.rem(x[rs1], x[rs2]); break;
                    case Op.REMU: x[rd] = Arithmetic.remu(x[rs1], x[rs2]); break;
                    case Op.MULW: x[rd] = (int) x[rs1] * (int) x[rs2]; break;
                    case Op.DIVW: x[rd] = Arithmetic.divw(x[rs1], x[rs2]); break;
                    case Op.DIVUW: x[rd] = Arithmetic.divuw(x[rs1], x[rs2]); break;
                    case Op.REMW: x[rd] = Arithmetic.remw(x[rs1], x[rs2]); break;
                    case Op.REMUW: x[rd] = Arithmetic.remuw(x[rs1], x[rs2]); break;
                    case Op.FENCE:
                    case Op.FENCE_I:
                        // Stores invalidate decoded slots as they happen, so the cache is always coherent.
                        break;
                    case Op.ILLEGAL: throw sys.raise(pc, ic, HartSystem.ILLEGAL_INSTRUCTION, imm & 0xffffffffL, true);
                    case Op.ECALL: throw sys.raise(pc, ic, HartSystem.ECALL_FROM_U + priv, 0, true);
                    case Op.EBREAK: throw sys.raise(pc, ic, HartSystem.BREAKPOINT, 0, true); // QEMU 7.2 leaves tval 0
                    case Op.NONE:
                        this.pc = pc;
                        this.icount = ic;
                        decodeSlot(page, slot, pc);
                        continue;
                    case Op.BREAKPOINT:
                    case Op.CROSS:
                    case Op.PAGE_END:
                        // Handled outside the page loop: stop in front of it.
                        limit = ic;
                        continue;
                    default:
                        if ((w & 0xff) >= Op.FP_FIRST) {
                            floatingPoint(w, imm, pc, ic);
                            break;
                        }
                        // CSR, AMO, xRET, WFI, SFENCE.VMA: rare, so kept out of the hot method.
                        npc = sys.system(w, imm, pc, npc, ic);
                        limit = endAfterSlowPath(limit, ic);
                        break;
                }
                pc = npc;
                ic++;
            }
        } finally {
            // On a Trap the slow path has already stored the faulting pc/icount; don't overwrite them.
            if (!sys.trapPending) {
                this.pc = pc;
                this.icount = ic;
            }
        }
    }
}
