package dev.rewind.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a hart's instructions ran, counted by the run loop when {@code -Drewind.profile=true}
 * ({@link #ON}, a constant the JIT folds away otherwise): how often the dispatcher chose what
 * runs next, how often a translated block was entered and how many blocks it ran before it
 * returned (chaining), and which instructions made blocks hand over to the interpreter.
 * Diagnostics only: none of it is guest state.
 */
public final class ExecutionProfile {
    /** Counting is on for this JVM. */
    static final boolean ON = Boolean.getBoolean("rewind.profile");

    /** Trips through the outer loop ({@code Hart.runBlock}: interrupt check, fetch page). */
    long outer;
    /** Iterations of the dispatcher ({@code Hart.runPage}): a slot looked up and something run. */
    long dispatches;
    /** Calls into translated code from the dispatcher. */
    long entries;
    /** Instructions retired inside translated blocks. */
    long translatedInsns;
    /** Interpreter runs (basic blocks or single instructions). */
    long interpreted;
    /** ... of them on code not translated yet (still warming up). */
    long cold;
    /** Exits from a block to another instruction of its page. */
    long samePage;
    /** Calls and returns that went on inside a translated block instead of leaving it. */
    long chained;
    /** By op: where a block stopped in front of an instruction it leaves to the interpreter. */
    final long[] handOver = new long[256];

    void merge(ExecutionProfile o) {
        outer += o.outer;
        dispatches += o.dispatches;
        entries += o.entries;
        translatedInsns += o.translatedInsns;
        interpreted += o.interpreted;
        cold += o.cold;
        samePage += o.samePage;
        chained += o.chained;
        for (int i = 0; i < handOver.length; i++) {
            handOver[i] += o.handOver[i];
        }
    }

    /** Human-readable lines (empty unless counting is on). */
    public List<String> report(long icount) {
        List<String> out = new ArrayList<>();
        if (!ON) {
            return out;
        }
        out.add(String.format(Locale.ROOT, "outer loop trips:      %,d (%.1f instructions each)", outer, per(icount, outer)));
        out.add(String.format(Locale.ROOT, "dispatches:            %,d (%.1f instructions each)", dispatches, per(icount, dispatches)));
        out.add(String.format(Locale.ROOT, "block entries:         %,d (%.1f instructions each)", entries,
                per(translatedInsns, entries)));
        out.add(String.format(Locale.ROOT, "exits within the page:  %,d; calls and returns inside blocks: %,d", samePage, chained));
        out.add(String.format(Locale.ROOT, "translated:            %.1f%% of instructions", 100.0 * translatedInsns / Math.max(1, icount)));
        out.add(String.format(Locale.ROOT, "interpreter runs:      %,d (%,d on code not yet translated)", interpreted, cold));
        long total = 0;
        for (long n : handOver) {
            total += n;
        }
        StringBuilder top = new StringBuilder("handed to interpreter:");
        long[] counts = handOver.clone();
        for (int k = 0; k < 12; k++) {
            int best = 0;
            for (int i = 1; i < counts.length; i++) {
                if (counts[i] > counts[best]) {
                    best = i;
                }
            }
            if (counts[best] == 0) {
                break;
            }
            top.append(String.format(Locale.ROOT, " %s %.1f%%", name(best), 100.0 * counts[best] / total));
            counts[best] = 0;
        }
        out.add(String.format(Locale.ROOT, "hand-overs:            %,d", total));
        out.add(top.toString());
        return out;
    }

    private static double per(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }

    private static String name(int op) {
        switch (op) {
            case Op.NONE -> {
                return "(undecoded)";
            }
            case Op.BREAKPOINT -> {
                return "(breakpoint)";
            }
            case Op.CROSS -> {
                return "(page-crossing)";
            }
            case Op.PAGE_END -> {
                return "(page end)";
            }
            default -> {
                for (Encoding e : Encoding.values()) {
                    if (e.op == op) {
                        return e.mnemonic;
                    }
                }
                return "op" + op;
            }
        }
    }
}
