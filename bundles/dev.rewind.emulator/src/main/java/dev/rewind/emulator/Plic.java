package dev.rewind.emulator;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * SiFive PLIC as on QEMU virt (RISC-V PLIC spec 1.0.0): two contexts per hart, context 2h =
 * hart h's M-mode (drives its MEIP), context 2h+1 = its S-mode (drives its SEIP).
 *
 * <pre>
 * offset                 register
 * 0x000000 + 4*src       source priority (src 1..95, 3 bits)
 * 0x001000               pending bits, sources 0..31 (read-only), 0x1004 sources 32..63, ...
 * 0x002000 + 0x80*ctx    enable bits of context ctx
 * 0x200000 + 0x1000*ctx  priority threshold of context ctx
 * 0x200004 + 0x1000*ctx  claim (read) / complete (write)
 * </pre>
 * Gateways are level-triggered: a source is pending while its line is high and it is not
 * claimed; completing it re-samples the line.
 */
final class Plic extends MmioDevice {

    static final long BASE = 0x0c00_0000L, SIZE = 0x60_0000L;
    static final int SOURCES = 96;

    private final CsrFile[] harts;
    private final int contexts;

    private final int[] priority = new int[SOURCES];
    private final long[] level = new long[2];
    private final long[] pending = new long[2];
    private final long[] claimed = new long[2];
    private final long[][] enable;
    private final int[] threshold;

    Plic(CsrFile[] harts) {
        super("plic", BASE, SIZE);
        this.harts = harts;
        this.contexts = 2 * harts.length;
        this.enable = new long[contexts][2];
        this.threshold = new int[contexts];
    }

    /** A device's interrupt line changed. */
    void setLevel(int source, boolean high) {
        int w = source >>> 6;
        long bit = 1L << (source & 63);
        level[w] = high ? level[w] | bit : level[w] & ~bit;
        if (high && (claimed[w] & bit) == 0) {
            pending[w] |= bit;
        }
        update();
    }

    private int best(int ctx) {
        int bestSource = 0, bestPriority = 0;
        for (int w = 0; w < 2; w++) {
            long candidates = pending[w] & enable[ctx][w];
            while (candidates != 0) {
                int s = w * 64 + Long.numberOfTrailingZeros(candidates);
                candidates &= candidates - 1;
                if (s > 0 && s < SOURCES && priority[s] > bestPriority && priority[s] > threshold[ctx]) {
                    bestPriority = priority[s];
                    bestSource = s;
                }
            }
        }
        return bestSource;
    }

    private void update() {
        for (int h = 0; h < harts.length; h++) {
            harts[h].setLine(CsrFile.MIP_MEIP, best(2 * h) != 0);
            harts[h].setLine(CsrFile.MIP_SEIP, best(2 * h + 1) != 0);
        }
    }

    @Override
    public long read(long off, int size) {
        if (off < 0x1000) {
            int s = (int) (off >>> 2);
            return s < SOURCES ? priority[s] : 0;
        }
        if (off < 0x2000) {
            int word = (int) ((off - 0x1000) >>> 2);
            return word < 4 ? (pending[word >>> 1] >>> ((word & 1) * 32)) & 0xffffffffL : 0;
        }
        if (off < 0x200000) {
            int ctx = (int) ((off - 0x2000) / 0x80);
            int word = (int) (((off - 0x2000) % 0x80) >>> 2);
            if (ctx < contexts && word < 4) {
                return (enable[ctx][word >>> 1] >>> ((word & 1) * 32)) & 0xffffffffL;
            }
            return 0;
        }
        int ctx = (int) ((off - 0x200000) / 0x1000);
        int reg = (int) ((off - 0x200000) % 0x1000);
        if (ctx >= contexts) {
            return 0;
        }
        if (reg == 0) {
            return threshold[ctx];
        }
        if (reg == 4) {
            int s = best(ctx);
            if (s != 0) {
                long bit = 1L << (s & 63);
                pending[s >>> 6] &= ~bit;
                claimed[s >>> 6] |= bit;
                update();
            }
            return s;
        }
        return 0;
    }

    /** As {@link #read}, but the claim register shows the source a claim would return without claiming it. */
    @Override
    long peek(long off, int size) {
        if (off >= 0x200000 && (off - 0x200000) % 0x1000 == 4 && (off - 0x200000) / 0x1000 < contexts) {
            return best((int) ((off - 0x200000) / 0x1000));
        }
        return read(off, size);
    }

    @Override
    public void write(long off, int size, long value) {
        int v = (int) value;
        if (off < 0x1000) {
            int s = (int) (off >>> 2);
            if (s > 0 && s < SOURCES) {
                priority[s] = v & 7;
            }
        } else if (off >= 0x2000 && off < 0x200000) {
            int ctx = (int) ((off - 0x2000) / 0x80);
            int word = (int) (((off - 0x2000) % 0x80) >>> 2);
            if (ctx < contexts && word < 4) {
                int shift = (word & 1) * 32;
                long mask = 0xffffffffL << shift;
                long bits = (v & 0xffffffffL) << shift;
                if (word == 0) {
                    bits &= ~1L; // source 0 does not exist
                }
                enable[ctx][word >>> 1] = (enable[ctx][word >>> 1] & ~mask) | bits;
            }
        } else if (off >= 0x200000) {
            int ctx = (int) ((off - 0x200000) / 0x1000);
            int reg = (int) ((off - 0x200000) % 0x1000);
            if (ctx >= contexts) {
                return;
            }
            if (reg == 0) {
                threshold[ctx] = v & 7;
            } else if (reg == 4 && v > 0 && v < SOURCES) {
                long bit = 1L << (v & 63);
                int w = v >>> 6;
                if ((enable[ctx][w] & bit) != 0) {
                    claimed[w] &= ~bit;
                    if ((level[w] & bit) != 0) {
                        pending[w] |= bit;
                    }
                }
            }
        }
        update();
    }

    @Override
    public void save(DataOutputStream out) throws IOException {
        for (int p : priority) {
            out.writeByte(p);
        }
        for (int w = 0; w < 2; w++) {
            out.writeLong(level[w]);
            out.writeLong(pending[w]);
            out.writeLong(claimed[w]);
            out.writeLong(enable[0][w]);
            out.writeLong(enable[1][w]);
        }
        out.writeByte(threshold[0]);
        out.writeByte(threshold[1]);
        // Harts 1..: after hart 0's contexts, so one hart keeps the one-hart layout.
        for (int ctx = 2; ctx < contexts; ctx++) {
            out.writeLong(enable[ctx][0]);
            out.writeLong(enable[ctx][1]);
            out.writeByte(threshold[ctx]);
        }
    }

    @Override
    public void load(DataInputStream in) throws IOException {
        for (int i = 0; i < SOURCES; i++) {
            priority[i] = in.readByte();
        }
        for (int w = 0; w < 2; w++) {
            level[w] = in.readLong();
            pending[w] = in.readLong();
            claimed[w] = in.readLong();
            enable[0][w] = in.readLong();
            enable[1][w] = in.readLong();
        }
        threshold[0] = in.readByte();
        threshold[1] = in.readByte();
        for (int ctx = 2; ctx < contexts; ctx++) {
            enable[ctx][0] = in.readLong();
            enable[ctx][1] = in.readLong();
            threshold[ctx] = in.readByte();
        }
    }
}
