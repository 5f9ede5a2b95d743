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
    /** Blocks entered through a link from another block's exit, without the dispatcher (block chaining). */
    long linked;
    /** Blocks translated (defined as classes, not found in the cache), their guest instructions and bytecode bytes. */
    long translatedBlocks, blockInsns, blockBytes;
    /** ... of that bytecode: in loads and stores, and the loads and stores. */
    long memoryBytes, memoryInsns;
    /** By op: where a block stopped in front of an instruction it leaves to the interpreter. */
    final long[] handOver = new long[256];
    /** Slots decoded (first execution, or again after a store invalidated them) and page-crossing instructions decoded. */
    long decodes, crossDecodes;
    /** Sv39 walks for data accesses and for fetches. */
    long dataWalks, fetchWalks;
    /** Slow-path loads and stores by why the fast path could not take them ({@link #SLOW_NAMES}). */
    final long[] slow = new long[SLOW_NAMES.length];
    static final int SLOW_LOAD_MISS = 0, SLOW_LOAD_DEVICE = 1, SLOW_LOAD_CROSS = 2, SLOW_STORE_MISS = 3,
            SLOW_STORE_CODE = 4, SLOW_STORE_CLEAN = 5, SLOW_STORE_DEVICE = 6, SLOW_STORE_CROSS = 7;
    static final String[] SLOW_NAMES = {"load TLB miss", "load device", "load page-crossing", "store TLB miss",
        "store to a code page", "store to a clean page", "store device", "store page-crossing"};
    /** Translation caches dropped, by cause ({@link #FLUSH_NAMES}). */
    final long[] flushes = new long[FLUSH_NAMES.length];
    static final int FLUSH_STATUS = 0, FLUSH_SATP = 1, FLUSH_SFENCE = 2, FLUSH_PAGE = 3;
    static final String[] FLUSH_NAMES = {"mstatus.MXR write", "satp write", "sfence.vma (all)", "sfence.vma (one page)"};

    void merge(ExecutionProfile o) {
        outer += o.outer;
        dispatches += o.dispatches;
        entries += o.entries;
        translatedInsns += o.translatedInsns;
        interpreted += o.interpreted;
        cold += o.cold;
        samePage += o.samePage;
        chained += o.chained;
        decodes += o.decodes;
        crossDecodes += o.crossDecodes;
        linked += o.linked;
        dataWalks += o.dataWalks;
        fetchWalks += o.fetchWalks;
        translatedBlocks += o.translatedBlocks;
        blockInsns += o.blockInsns;
        blockBytes += o.blockBytes;
        memoryBytes += o.memoryBytes;
        memoryInsns += o.memoryInsns;
        for (int i = 0; i < handOver.length; i++) {
            handOver[i] += o.handOver[i];
        }
        for (int i = 0; i < slow.length; i++) {
            slow[i] += o.slow[i];
        }
        for (int i = 0; i < flushes.length; i++) {
            flushes[i] += o.flushes[i];
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
        out.add(String.format(Locale.ROOT, "blocks linked:         %,d (%.2f blocks per block entry from the dispatcher)", linked,
                per(entries + linked, entries)));
        out.add(String.format(Locale.ROOT, "exits within the page:  %,d; calls and returns inside blocks: %,d", samePage, chained));
        out.add(String.format(Locale.ROOT, "translated:            %.1f%% of instructions", 100.0 * translatedInsns / Math.max(1, icount)));
        out.add(String.format(Locale.ROOT, "blocks translated:     %,d (%.1f instructions, %.1f bytecode bytes per instruction; loads/stores %.1f)",
                translatedBlocks, per(blockInsns, translatedBlocks), per(blockBytes, blockInsns), per(memoryBytes, memoryInsns)));
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
        out.add(String.format(Locale.ROOT, "decodes:               %,d slots, %,d page-crossing instructions", decodes, crossDecodes));
        out.add(String.format(Locale.ROOT, "Sv39 walks:            %,d for data, %,d for fetch", dataWalks, fetchWalks));
        out.add("slow loads/stores:    " + counts(slow, SLOW_NAMES));
        out.add("translation flushes:  " + counts(flushes, FLUSH_NAMES));
        return out;
    }

    private static String counts(long[] n, String[] names) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n.length; i++) {
            b.append(String.format(Locale.ROOT, " %s %,d;", names[i], n[i]));
        }
        return b.toString();
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
