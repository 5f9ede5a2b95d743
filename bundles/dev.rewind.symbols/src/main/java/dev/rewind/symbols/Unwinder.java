package dev.rewind.symbols;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.LongFunction;

/**
 * Walks the call stack of a stopped RISC-V hart using {@code .debug_frame} CFI. Unwinding
 * stops (without error) at the outermost frame (return address rule undefined or 0), at a pc
 * no CFI covers, when memory cannot be read, or when the stack stops growing towards higher
 * addresses, so a corrupt stack yields a short trace rather than a loop.
 */
public final class Unwinder {
    private static final int RA = 1;
    private static final int SP = 2;
    /** More frames than any embedded program has; a bound against cyclic stacks. */
    public static final int MAX_FRAMES = 512;

    private final CallFrameInfo cfi;
    private final LongFunction<FunctionInfo> functions;
    private final LineTable lines;

    Unwinder(CallFrameInfo cfi, LongFunction<FunctionInfo> functions, LineTable lines) {
        this.cfi = cfi;
        this.functions = functions;
        this.lines = lines;
    }

    /**
     * The call stack at {@code pc}, innermost first. {@code registers} holds x0-x31 (index =
     * register number; x0 ignored). Never throws for bad CFI or unreadable memory; those end the
     * trace at the last frame that could be trusted.
     */
    public List<StackFrame> unwind(long pc, long[] registers, MemoryReader memory) {
        if (registers.length < 32) {
            throw new IllegalArgumentException("need 32 registers, got " + registers.length);
        }
        List<StackFrame> frames = new ArrayList<>();
        long[] regs = new long[32];
        System.arraycopy(registers, 0, regs, 0, 32);
        regs[0] = 0;
        long previousCfa = 0;
        long known = 0xffffffffL;
        for (int physical = 0; frames.size() < MAX_FRAMES; physical++) {
            // A return address points after the call; the call itself is at pc - 1.
            long lookup = physical == 0 ? pc : pc - 1;
            UnwindRules rules;
            try {
                rules = cfi.rulesAt(lookup);
            } catch (SymbolsException e) {
                rules = null;
            }
            long cfa = 0;
            boolean cfaKnown = rules != null && rules.cfaRegister() >= 0 && rules.cfaRegister() < 32;
            if (cfaKnown) {
                cfa = regs[rules.cfaRegister()] + rules.cfaOffset();
            }
            addFrames(frames, pc, lookup, cfa, regs, known);
            if (!cfaKnown) {
                return frames;
            }
            if (physical > 0 && Long.compareUnsigned(cfa, previousCfa) <= 0) {
                return frames; // the stack must grow towards higher addresses as we unwind
            }
            long[] caller = new long[32];
            long callerKnown = 1L; // x0
            boolean raKnown = true;
            for (int r = 1; r < 32; r++) {
                byte kind = rules.kind(r);
                long value = rules.value(r);
                switch (kind) {
                    case UnwindRules.SAME_VALUE:
                        caller[r] = regs[r];
                        // Unsaved callee-saved registers still hold the caller's value;
                        // caller-saved ones may have been clobbered by the callee.
                        if (isCalleeSaved(r)) {
                            callerKnown |= known & (1L << r);
                        }
                        break;
                    case UnwindRules.OFFSET: {
                        OptionalLong v = memory.read64(cfa + value);
                        if (v.isEmpty()) {
                            if (r == RA || r == rules.returnAddressRegister()) {
                                return frames;
                            }
                            caller[r] = 0;
                        } else {
                            caller[r] = v.getAsLong();
                            callerKnown |= 1L << r;
                        }
                        break;
                    }
                    case UnwindRules.VAL_OFFSET:
                        caller[r] = cfa + value;
                        callerKnown |= 1L << r;
                        break;
                    case UnwindRules.REGISTER:
                        caller[r] = value >= 0 && value < 32 ? regs[(int) value] : 0;
                        if (value >= 0 && value < 32) {
                            callerKnown |= ((known >>> value) & 1L) << r;
                        }
                        break;
                    default: // UNDEFINED or an expression we do not evaluate
                        caller[r] = 0;
                        if (r == rules.returnAddressRegister()) {
                            raKnown = false;
                        }
                        break;
                }
            }
            caller[SP] = cfa;
            callerKnown |= 1L << SP;
            int raColumn = rules.returnAddressRegister();
            if (!raKnown || raColumn >= 32) {
                return frames; // outermost frame: the CFI says there is no caller
            }
            long returnAddress = caller[raColumn];
            if (returnAddress == 0) {
                return frames;
            }
            previousCfa = cfa;
            pc = returnAddress;
            regs = caller;
            known = callerKnown;
        }
        return frames;
    }

    private void addFrames(List<StackFrame> frames, long pc, long lookup, long cfa, long[] regs, long known) {
        FunctionInfo f = functions.apply(lookup);
        SourceLocation location = lines.statementAt(lookup);
        long[] snapshot = regs.clone();
        if (f == null) {
            frames.add(new StackFrame(frames.size(), pc, lookup, cfa, null, null, location, false, snapshot, known));
            return;
        }
        // Inlined calls show as frames of their own, innermost first, like gdb's backtrace.
        while (f != null && frames.size() < MAX_FRAMES) {
            frames.add(new StackFrame(frames.size(), pc, lookup, cfa, f.name(), f, location, f.inlined(), snapshot,
                    known));
            if (!f.inlined()) {
                break;
            }
            location = f.callSite();
            f = f.parent();
        }
    }

    /** sp, gp, tp, s0-s11: preserved across calls by the RISC-V psABI. */
    private static boolean isCalleeSaved(int r) {
        return r == 2 || r == 3 || r == 4 || r == 8 || r == 9 || (r >= 18 && r <= 27);
    }
}
