package dev.rewind.emulator;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

/** What the random lockstep tests share: encoding, register values, loading, and running two machines side by side. */
final class RandomPrograms {
    private RandomPrograms() {
    }

    static int encode(Encoding e, int rd, int rs1, int rs2, int imm) {
        int m = e.match;
        return switch (e.format) {
            case R -> m | rd << 7 | rs1 << 15 | rs2 << 20;
            case I, SHAMT6, SHAMT5, CSR -> m | rd << 7 | rs1 << 15 | (imm & 0xfff) << 20;
            case U -> m | rd << 7 | (imm & 0xfffff000);
            case S -> m | rs1 << 15 | rs2 << 20 | (imm & 0x1f) << 7 | ((imm >> 5) & 0x7f) << 25;
            case B -> m | rs1 << 15 | rs2 << 20 | ((imm >> 11) & 1) << 7 | ((imm >> 1) & 15) << 8
                    | ((imm >> 5) & 63) << 25 | ((imm >> 12) & 1) << 31;
            case J -> m | rd << 7 | ((imm >> 12) & 0xff) << 12 | ((imm >> 11) & 1) << 20 | ((imm >> 1) & 0x3ff) << 21
                    | ((imm >> 20) & 1) << 31;
            default -> throw new IllegalArgumentException(e.format.toString());
        };
    }

    /** A random ALU instruction {@code e}: its immediate fits its format (shift amounts keep the funct bits). */
    static int randomAlu(SplittableRandom r, Encoding e, int rd, int rs1, int rs2) {
        int imm = switch (e.format) {
            case SHAMT6 -> r.nextInt(64) | (e.match & 0xfc000000) >>> 20;
            case SHAMT5 -> r.nextInt(32) | (e.match & 0xfe000000) >>> 20;
            case U -> r.nextInt() & 0xfffff000;
            default -> r.nextInt(4096) - 2048;
        };
        return encode(e, rd, rs1, rs2, imm);
    }

    /** x1..x29: small, extreme and random values, so divisions and shifts meet their edge cases. */
    static long[] registers(SplittableRandom r) {
        long[] regs = new long[32];
        for (int i = 1; i < 30; i++) {
            regs[i] = switch (r.nextInt(4)) {
                case 0 -> r.nextInt(5) - 2;
                case 1 -> r.nextBoolean() ? Long.MIN_VALUE : Integer.MIN_VALUE;
                default -> r.nextLong();
            };
        }
        return regs;
    }

    /** Writes the program's words at {@code code} and sets x1..x29. */
    static void install(VirtMachine m, long code, List<Integer> program, long[] regs) {
        byte[] bytes = new byte[4 * program.size()];
        for (int i = 0; i < program.size(); i++) {
            int w = program.get(i);
            for (int b = 0; b < 4; b++) {
                bytes[4 * i + b] = (byte) (w >>> (8 * b));
            }
        }
        m.writePhysical(code, bytes, 0, bytes.length);
        for (int i = 1; i < 30; i++) {
            m.setReg(i, regs[i]);
        }
    }

    /**
     * Runs the interpreting machine {@code a} and the translating {@code b} to their exit in
     * chunks of the given sizes; after each chunk the stop reason and {@link #assertSameState}
     * must agree, at the end the exit code (0) and the state digest.
     */
    static void lockstep(String name, VirtMachine a, VirtMachine b, long[] chunks) {
        runInLockstep(name, a, b, chunks, Long.MAX_VALUE);
        assertEquals(name + " passes (mcause " + a.csr(0x342).orElse(-1) + ", mepc 0x"
                + Long.toHexString(a.csr(0x341).orElse(-1)) + ")", 0, a.exitCode());
        assertEquals(name + ": state digest", a.digestHex(), b.digestHex());
    }

    /** Runs both machines in chunks until they stop for another reason than the limit, which must be EXIT, within budget instructions. */
    static void runInLockstep(String name, VirtMachine a, VirtMachine b, long[] chunks, long budget) {
        int chunk = 0;
        while (true) {
            long limit = a.icount() + chunks[chunk++ % chunks.length];
            StopReason ra = a.run(limit);
            StopReason rb = b.run(limit);
            String where = name + " at icount " + a.icount();
            assertEquals(where + ": stop", ra, rb);
            assertSameState(where, a, b);
            if (ra != StopReason.LIMIT) {
                assertEquals(where + ": ends with EXIT", StopReason.EXIT, ra);
                return;
            }
            assertTrue(name + " exceeds its budget", a.icount() < budget);
        }
    }

    /** icount, pc, privilege, the integer and FP registers and fcsr. */
    static void assertSameState(String where, VirtMachine interpreted, VirtMachine translated) {
        assertEquals(where + ": icount", interpreted.icount(), translated.icount());
        assertEquals(where + ": pc", Long.toHexString(interpreted.pc()), Long.toHexString(translated.pc()));
        assertEquals(where + ": privilege", interpreted.privilege(), translated.privilege());
        for (int i = 1; i < 32; i++) {
            assertEquals(where + ": x" + i, interpreted.reg(i), translated.reg(i));
        }
        for (int i = 0; i < 32; i++) {
            assertEquals(where + ": f" + i, interpreted.debugView().fpr(i), translated.debugView().fpr(i));
        }
        assertEquals(where + ": fcsr", interpreted.debugView().fcsr(), translated.debugView().fcsr());
    }
}
