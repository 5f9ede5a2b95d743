package dev.rewind.emulator;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.Test;

/**
 * Random straight-line code with forward branches and jumps, run as a hot loop with random register
 * values: every ALU, M-extension, load and store encoding with random operands (shift amounts,
 * division by zero and overflow, sign extension, misaligned accesses, first stores to a clean
 * page) through translated blocks and through the interpreter, in lockstep chunks of awkward
 * sizes; registers after every chunk and the whole machine state at the end must agree.
 */
public class RandomBlocksMatchInterpreterTest {

    private static final int PROGRAMS = 24;
    private static final int BODY = 40;
    private static final int ITERATIONS = 200;
    private static final long[] CHUNKS = {1, 3, 2, 17, 1000, 5, 333, 7919};
    /** x30 counts iterations, x31 points at the data page; random code only writes x1..x29. */
    private static final String FRAME = "la x31, data\n li x30, " + ITERATIONS + "\ncode:\n .space " + 4 * (BODY + 3)
            + ", 0\n j fail\n.data\n.balign 4096\ndata: .space 4096, 0\n";

    private static final Encoding[] ALU = {Encoding.ADD, Encoding.SUB, Encoding.SLL, Encoding.SLT, Encoding.SLTU,
        Encoding.XOR, Encoding.SRL, Encoding.SRA, Encoding.OR, Encoding.AND, Encoding.ADDW, Encoding.SUBW, Encoding.SLLW,
        Encoding.SRLW, Encoding.SRAW, Encoding.MUL, Encoding.MULH, Encoding.MULHSU, Encoding.MULHU, Encoding.DIV,
        Encoding.DIVU, Encoding.REM, Encoding.REMU, Encoding.MULW, Encoding.DIVW, Encoding.DIVUW, Encoding.REMW,
        Encoding.REMUW, Encoding.ADDI, Encoding.SLTI, Encoding.SLTIU, Encoding.XORI, Encoding.ORI, Encoding.ANDI,
        Encoding.SLLI, Encoding.SRLI, Encoding.SRAI, Encoding.ADDIW, Encoding.SLLIW, Encoding.SRLIW, Encoding.SRAIW,
        Encoding.LUI, Encoding.AUIPC};
    private static final Encoding[] MEMORY = {Encoding.LB, Encoding.LH, Encoding.LW, Encoding.LD, Encoding.LBU,
        Encoding.LHU, Encoding.LWU, Encoding.SB, Encoding.SH, Encoding.SW, Encoding.SD};
    private static final Encoding[] BRANCHES = {Encoding.BEQ, Encoding.BNE, Encoding.BLT, Encoding.BGE, Encoding.BLTU,
        Encoding.BGEU};

    private static int encode(Encoding e, int rd, int rs1, int rs2, int imm) {
        int m = e.match;
        return switch (e.format) {
            case R -> m | rd << 7 | rs1 << 15 | rs2 << 20;
            case I, SHAMT6, SHAMT5 -> m | rd << 7 | rs1 << 15 | (imm & 0xfff) << 20;
            case U -> m | rd << 7 | (imm & 0xfffff000);
            case S -> m | rs1 << 15 | rs2 << 20 | (imm & 0x1f) << 7 | ((imm >> 5) & 0x7f) << 25;
            case B -> m | rs1 << 15 | rs2 << 20 | ((imm >> 11) & 1) << 7 | ((imm >> 1) & 15) << 8
                    | ((imm >> 5) & 63) << 25 | ((imm >> 12) & 1) << 31;
            case J -> m | rd << 7 | ((imm >> 12) & 0xff) << 12 | ((imm >> 11) & 1) << 20 | ((imm >> 1) & 0x3ff) << 21
                    | ((imm >> 20) & 1) << 31;
            default -> throw new IllegalArgumentException(e.format.toString());
        };
    }

    /** A random body, then the loop's decrement and back edge, then a jump to pass. */
    private static List<Integer> program(SplittableRandom r, long code, long pass) {
        List<Integer> p = new ArrayList<>();
        for (int i = 0; i < BODY; i++) {
            int rd = 1 + r.nextInt(29);
            int rs1 = r.nextInt(32);
            int rs2 = r.nextInt(32);
            int kind = r.nextInt(10);
            if (kind < 6) {
                Encoding e = ALU[r.nextInt(ALU.length)];
                int imm = switch (e.format) {
                    case SHAMT6 -> r.nextInt(64) | (e.match & 0xfc000000) >>> 20;
                    case SHAMT5 -> r.nextInt(32) | (e.match & 0xfe000000) >>> 20;
                    case U -> r.nextInt() & 0xfffff000;
                    default -> r.nextInt(4096) - 2048;
                };
                p.add(encode(e, rd, rs1, rs2, imm));
            } else if (kind < 9) {
                Encoding e = MEMORY[r.nextInt(MEMORY.length)];
                p.add(encode(e, rd, 31, rs2, r.nextInt(2048)));
            } else if (i < BODY - 2 && r.nextInt(3) > 0) {
                p.add(encode(BRANCHES[r.nextInt(BRANCHES.length)], 0, rs1, rs2, 4 * (2 + r.nextInt(2))));
            } else if (i < BODY - 2) {
                // A forward jump inside the block (linking or not): the code it skips is only
                // reached by a branch, if at all.
                p.add(encode(Encoding.JAL, r.nextBoolean() ? 0 : rd, 0, 0, 4 * (2 + r.nextInt(2))));
            } else {
                p.add(encode(Encoding.ADDI, rd, rs1, 0, r.nextInt(4096) - 2048));
            }
        }
        p.add(encode(Encoding.ADDI, 30, 30, 0, -1));
        p.add(encode(Encoding.BNE, 0, 30, 0, -4 * (BODY + 1)));
        p.add(encode(Encoding.JAL, 0, 0, 0, (int) (pass - (code + 4L * (BODY + 2)))));
        return p;
    }

    private static VirtMachine machine(ElfImage elf, List<Integer> program, long[] regs, boolean translate, boolean watch)
            throws Exception {
        VirtMachine m = Guests.machine(elf, new ByteArrayOutputStream());
        m.translateHotCode(translate);
        long code = elf.symbol("code").orElseThrow();
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
        if (watch) {
            // Never hit (the random accesses stay below data + 2056), but it takes every access off the fast path.
            m.addWatchpoint(elf.symbol("data").orElseThrow() + 4000, 8, WatchKind.ACCESS);
        }
        return m;
    }

    @Test
    public void randomHotLoopsMatch() throws Exception {
        randomHotLoops(false);
    }

    /** With a watchpoint set every load and store leaves its block for the interpreter's slow path. */
    @Test
    public void randomHotLoopsMatchWhileAWatchpointIsSet() throws Exception {
        randomHotLoops(true);
    }

    private static void randomHotLoops(boolean watch) throws Exception {
        ElfImage elf = Guests.assemble(FRAME);
        long code = elf.symbol("code").orElseThrow();
        long pass = elf.symbol("pass").orElseThrow();
        long entered = 0;
        for (int seed = 1; seed <= PROGRAMS; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            List<Integer> program = program(r, code, pass);
            long[] regs = new long[32];
            for (int i = 1; i < 30; i++) {
                // Small, extreme and random values, so divisions and shifts meet their edge cases.
                regs[i] = switch (r.nextInt(4)) {
                    case 0 -> r.nextInt(5) - 2;
                    case 1 -> r.nextBoolean() ? Long.MIN_VALUE : Integer.MIN_VALUE;
                    default -> r.nextLong();
                };
            }
            VirtMachine a = machine(elf, program, regs, false, watch);
            VirtMachine b = machine(elf, program, regs, true, watch);
            int chunk = 0;
            while (true) {
                long limit = a.icount() + CHUNKS[chunk++ % CHUNKS.length];
                StopReason ra = a.run(limit);
                StopReason rb = b.run(limit);
                String where = "program " + seed + " at icount " + a.icount();
                assertEquals(where + ": stop", ra, rb);
                assertEquals(where + ": icount", a.icount(), b.icount());
                assertEquals(where + ": pc", Long.toHexString(a.pc()), Long.toHexString(b.pc()));
                for (int i = 1; i < 32; i++) {
                    assertEquals(where + ": x" + i, a.reg(i), b.reg(i));
                }
                if (ra != StopReason.LIMIT) {
                    assertEquals(where, StopReason.EXIT, ra);
                    break;
                }
            }
            assertEquals("program " + seed + " passes", 0, a.exitCode());
            assertEquals("program " + seed + ": state digest", a.digestHex(), b.digestHex());
            entered += b.blocksEntered();
        }
        assertTrue("translated blocks ran", entered > PROGRAMS);
    }
}
