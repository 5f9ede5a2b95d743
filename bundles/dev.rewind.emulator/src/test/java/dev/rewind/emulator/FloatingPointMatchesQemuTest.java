package dev.rewind.emulator;

import static org.junit.Assert.fail;
import static org.junit.Assume.assumeTrue;

import dev.rewind.emulator.reference.QemuReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Differential test of the F and D extensions against qemu-system-riscv64 7.2: a generated
 * guest ({@link FpVectors}) executes random FP instructions (every computational encoding,
 * every rm including the reserved ones and dynamic rounding with every frm) over operand pools
 * rich in special values; per instruction the f/x result, fcsr and any trap are stored to
 * memory, QEMU's memory is dumped through its monitor and compared with the same vectors
 * executed by {@link FloatUnit} alone and by the guest on a {@link VirtMachine}. A mismatch
 * names the instruction, operands and both results.
 *
 * <p>CI runs {@value #DEFAULT_COUNT} vectors; {@code -Drewind.fp.vectors=1048576} runs the
 * long form (about a million instructions), {@code -Drewind.fp.seed=N} another seed.
 */
public class FloatingPointMatchesQemuTest {
    static final int DEFAULT_COUNT = 200_000;

    private static QemuReference qemu;

    @BeforeClass
    public static void needQemu() {
        assumeTrue("qemu-system-riscv64 not installed", QemuReference.qemuAvailable());
        qemu = new QemuReference(Guests.repoRoot());
    }

    /** QEMU's results for the vectors: 32 bytes each. */
    static byte[] qemuResults(FpVectors v) throws Exception {
        Path elf = Guests.assembleFile(v.assembly(), "rv64gc", "lp64d");
        Path data = Files.createTempFile("rewind-fpvec", ".bin");
        try {
            Files.write(data, v.data);
            return qemu.runAndDump(elf,
                    List.of("-device", "loader,file=" + data + ",addr=" + FpVectors.VECTORS + ",force-raw=on"),
                    FpVectors.DONE_FLAG, FpVectors.DONE, FpVectors.RESULTS, 32 * v.count, Duration.ofMinutes(5));
        } finally {
            Files.deleteIfExists(data);
        }
    }

    /** The same results computed by {@link FloatUnit} alone, as the guest's loop would store them. */
    static byte[] unitResults(FpVectors v) {
        ByteBuffer out = ByteBuffer.allocate(32 * v.count).order(ByteOrder.LITTLE_ENDIAN);
        FloatUnit fu = new FloatUnit();
        long[] x = new long[33];
        for (int i = 0; i < v.count; i++) {
            FpVectors.Stub st = v.stubs.get(v.stubOf[i]);
            long a = v.operand(i, 0);
            fu.f[1] = a;
            fu.f[2] = v.operand(i, 1);
            fu.f[3] = v.operand(i, 2);
            x[28] = a;
            fu.f[4] = FpVectors.SENTINEL;
            x[30] = FpVectors.SENTINEL;
            fu.setFcsr(v.initialFcsr(i));
            long slot = Decoder.decode(st.insn());
            int w = DecodedPage.word(slot);
            int imm = DecodedPage.imm(slot);
            long trap = 0, tval = 0;
            switch (w & 0xff) {
                case Op.FLW -> fu.f[4] = FloatUnit.box(a & 0xffffffffL);
                case Op.FLD -> fu.f[4] = a;
                default -> {
                    if (fu.execute(w, imm, x) == FloatUnit.ILLEGAL) {
                        trap = 3;
                        tval = st.insn() & 0xffffffffL;
                    }
                }
            }
            out.putLong(32 * i, fu.f[4]);
            out.putLong(32 * i + 8, x[30]);
            out.putLong(32 * i + 16, fu.fcsr() | trap << 32);
            out.putLong(32 * i + 24, tval);
        }
        return out.array();
    }

    /** Mismatch descriptions (at most 20) between two result dumps. */
    static List<String> compare(FpVectors v, byte[] expected, String expectedName, byte[] actual, String actualName) {
        ByteBuffer e = ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer a = ByteBuffer.wrap(actual).order(ByteOrder.LITTLE_ENDIAN);
        List<String> out = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < v.count; i++) {
            boolean same = true;
            for (int k = 0; k < 4; k++) {
                same &= e.getLong(32 * i + 8 * k) == a.getLong(32 * i + 8 * k);
            }
            if (same) {
                continue;
            }
            total++;
            if (out.size() < 20) {
                out.add(String.format("vector %d: %s a=%016x b=%016x c=%016x fcsr=%02x%n"
                        + "   %-7s f4=%016x x30=%016x fcsr=%02x trap=%d tval=%x%n"
                        + "   %-7s f4=%016x x30=%016x fcsr=%02x trap=%d tval=%x",
                        i, v.stubs.get(v.stubOf[i]).describe(), v.operand(i, 0), v.operand(i, 1), v.operand(i, 2),
                        v.initialFcsr(i),
                        expectedName, e.getLong(32 * i), e.getLong(32 * i + 8), e.getLong(32 * i + 16) & 0xff,
                        e.getLong(32 * i + 16) >>> 32, e.getLong(32 * i + 24),
                        actualName, a.getLong(32 * i), a.getLong(32 * i + 8), a.getLong(32 * i + 16) & 0xff,
                        a.getLong(32 * i + 16) >>> 32, a.getLong(32 * i + 24)));
            }
        }
        if (total > 0) {
            out.add(0, total + " of " + v.count + " vectors differ; the first:");
        }
        return out;
    }

    static int count() {
        return Integer.getInteger("rewind.fp.vectors", DEFAULT_COUNT);
    }

    static long seed() {
        return Long.getLong("rewind.fp.seed", 0x5eed_f00dL);
    }

    /** The guest run on our machine (interpreter and translated blocks), its results read back. */
    static byte[] machineResults(FpVectors v) throws Exception {
        Path elf = Guests.assembleFile(v.assembly(), "rv64gc", "lp64d");
        VirtMachine m = new VirtMachine(MachineConfig.builder().build());
        m.load(ElfImage.read(elf));
        m.translateAfter(Guests.TRANSLATE_AFTER);
        m.writePhysical(FpVectors.VECTORS, v.data, 0, v.data.length);
        byte[] flag = new byte[8];
        long limit = 0;
        while (ByteBuffer.wrap(flag).order(ByteOrder.LITTLE_ENDIAN).getLong() != FpVectors.DONE) {
            limit += 10_000_000;
            if (limit > 200L * v.count + 100_000_000) {
                fail("the vector guest did not finish on Rewind (pc " + Long.toHexString(m.pc()) + ")");
            }
            m.run(limit);
            m.readMemory(FpVectors.DONE_FLAG, flag, 0, 8);
        }
        byte[] out = new byte[32 * v.count];
        m.readMemory(FpVectors.RESULTS, out, 0, out.length);
        return out;
    }

    @Test
    public void everyOpcodeAndRoundingModeMatchesQemuOnTheUnitAndOnTheMachine() throws Exception {
        FpVectors v = new FpVectors(count(), seed());
        byte[] q = qemuResults(v);
        List<String> diffs = compare(v, q, "QEMU", unitResults(v), "unit");
        if (diffs.isEmpty()) {
            diffs = compare(v, q, "QEMU", machineResults(v), "Rewind");
        }
        if (!diffs.isEmpty()) {
            fail(String.join("\n", diffs));
        }
    }
}
