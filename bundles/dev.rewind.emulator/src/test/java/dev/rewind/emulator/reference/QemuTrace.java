package dev.rewind.emulator.reference;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * QEMU's per-instruction state log, kept compact: the pc of every instruction plus,
 * for the integer registers, only the registers that changed since the previous
 * instruction and a full register file every {@value #CHECKPOINT_EVERY} instructions.
 * Entry i is the state QEMU printed before executing instruction i (so x(i, r) is the
 * value instruction i reads, and x(i + 1, r) shows what it wrote).
 * 200,000 instructions take a few MB instead of the ~350 MB of text QEMU printed.
 * <p>
 * Entries are the instructions QEMU started, in order. Entries QEMU logged but abandoned
 * because an interrupt was taken first are dropped (the instruction appears once, when it
 * really runs). An instruction that raises an exception is listed (the next entry is the
 * trap vector); QEMU 7.2's icount counts some of those (ecall, ebreak) but not others
 * (e.g. CSR permission faults, page faults), so trace length and icount at exit agree only
 * for guests without such exceptions.
 */
public final class QemuTrace {
    static final int CHECKPOINT_EVERY = 1024;

    private long[] pcs = new long[4096];
    private int size;
    private int[] deltaStart = new int[4097];
    private byte[] deltaReg = new byte[4096];
    private long[] deltaValue = new long[4096];
    private int deltaCount;
    private long[] checkpoints = new long[32 * 8];
    private final long[] last = new long[32];
    private boolean wholeRun;
    private byte[] uart = new byte[0];

    QemuTrace() {
    }

    void append(long pc, long[] x) {
        if (size == pcs.length) {
            pcs = Arrays.copyOf(pcs, size * 2);
            deltaStart = Arrays.copyOf(deltaStart, size * 2 + 1);
        }
        if (size % CHECKPOINT_EVERY == 0) {
            int k = size / CHECKPOINT_EVERY;
            if ((k + 1) * 32 > checkpoints.length) {
                checkpoints = Arrays.copyOf(checkpoints, checkpoints.length * 2);
            }
            System.arraycopy(x, 0, checkpoints, k * 32, 32);
        }
        deltaStart[size] = deltaCount;
        for (int r = 0; r < 32; r++) {
            if (x[r] != last[r] || size == 0 && x[r] != 0) {
                if (deltaCount == deltaReg.length) {
                    deltaReg = Arrays.copyOf(deltaReg, deltaCount * 2);
                    deltaValue = Arrays.copyOf(deltaValue, deltaCount * 2);
                }
                deltaReg[deltaCount] = (byte) r;
                deltaValue[deltaCount++] = x[r];
                last[r] = x[r];
            }
        }
        pcs[size++] = pc;
        deltaStart[size] = deltaCount;
    }

    void finish(boolean wholeRun, byte[] uart) {
        this.wholeRun = wholeRun;
        this.uart = uart.clone();
    }

    /** Number of instructions traced. */
    public int size() {
        return size;
    }

    /** True when QEMU exited before the instruction limit, i.e. the trace covers the whole run. */
    public boolean wholeRun() {
        return wholeRun;
    }

    /** UART output produced while tracing (partial unless {@link #wholeRun()}). */
    public String uart() {
        return new String(uart, StandardCharsets.UTF_8);
    }

    /** pc of instruction i. */
    public long pc(int i) {
        checkIndex(i);
        return pcs[i];
    }

    /** Register x[r] as it was before instruction i executed. */
    public long x(int i, int r) {
        checkIndex(i);
        if (r < 0 || r > 31) {
            throw new IllegalArgumentException("register x" + r + " does not exist");
        }
        int k = i / CHECKPOINT_EVERY;
        long v = checkpoints[k * 32 + r];
        for (int d = deltaStart[Math.min(k * CHECKPOINT_EVERY, i) + 1]; d < deltaStart[i + 1]; d++) {
            if (deltaReg[d] == r) {
                v = deltaValue[d];
            }
        }
        return v;
    }

    /** All 32 integer registers before instruction i (a new array). */
    public long[] registers(int i) {
        checkIndex(i);
        int k = i / CHECKPOINT_EVERY;
        long[] x = Arrays.copyOfRange(checkpoints, k * 32, k * 32 + 32);
        for (int d = deltaStart[Math.min(k * CHECKPOINT_EVERY, i) + 1]; d < deltaStart[i + 1]; d++) {
            x[deltaReg[d]] = deltaValue[d];
        }
        return x;
    }

    /** Sequential, allocation-free walk over the trace. */
    public Cursor cursor() {
        return new Cursor();
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("instruction " + i + " of a trace of " + size);
        }
    }

    /** Walks the trace in order; {@link #x()} is updated in place by {@link #next()}. */
    public final class Cursor {
        private final long[] x = new long[32];
        private int index = -1;

        private Cursor() {
        }

        /** Advances to the next instruction; false at the end of the trace. */
        public boolean next() {
            if (index + 1 >= size) {
                return false;
            }
            index++;
            for (int d = deltaStart[index]; d < deltaStart[index + 1]; d++) {
                x[deltaReg[d]] = deltaValue[d];
            }
            return true;
        }

        public int index() {
            return index;
        }

        public long pc() {
            return pcs[index];
        }

        public long x(int r) {
            return x[r];
        }

        /** The live register array (do not modify). */
        public long[] x() {
            return x;
        }
    }
}
