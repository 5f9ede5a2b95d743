package dev.rewind.emulator;

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

    /** A random body, then the loop's decrement and back edge, then a jump to pass. */
    private static List<Integer> program(SplittableRandom r, long code, long pass) {
        List<Integer> p = new ArrayList<>();
        for (int i = 0; i < BODY; i++) {
            int rd = 1 + r.nextInt(29);
            int rs1 = r.nextInt(32);
            int rs2 = r.nextInt(32);
            int kind = r.nextInt(10);
            if (kind < 6) {
                p.add(RandomPrograms.randomAlu(r, ALU[r.nextInt(ALU.length)], rd, rs1, rs2));
            } else if (kind < 9) {
                Encoding e = MEMORY[r.nextInt(MEMORY.length)];
                p.add(RandomPrograms.encode(e, rd, 31, rs2, r.nextInt(2048)));
            } else if (i < BODY - 2 && r.nextInt(3) > 0) {
                p.add(RandomPrograms.encode(BRANCHES[r.nextInt(BRANCHES.length)], 0, rs1, rs2, 4 * (2 + r.nextInt(2))));
            } else if (i < BODY - 2) {
                // A forward jump inside the block (linking or not): the code it skips is only
                // reached by a branch, if at all.
                p.add(RandomPrograms.encode(Encoding.JAL, r.nextBoolean() ? 0 : rd, 0, 0, 4 * (2 + r.nextInt(2))));
            } else {
                p.add(RandomPrograms.encode(Encoding.ADDI, rd, rs1, 0, r.nextInt(4096) - 2048));
            }
        }
        p.add(RandomPrograms.encode(Encoding.ADDI, 30, 30, 0, -1));
        p.add(RandomPrograms.encode(Encoding.BNE, 0, 30, 0, -4 * (BODY + 1)));
        p.add(RandomPrograms.encode(Encoding.JAL, 0, 0, 0, (int) (pass - (code + 4L * (BODY + 2)))));
        return p;
    }

    private static VirtMachine machine(ElfImage elf, List<Integer> program, long[] regs, boolean translate, boolean watch)
            throws Exception {
        VirtMachine m = Guests.machine(elf, new ByteArrayOutputStream());
        m.translateHotCode(translate);
        RandomPrograms.install(m, elf.symbol("code").orElseThrow(), program, regs);
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
            long[] regs = RandomPrograms.registers(r);
            VirtMachine a = machine(elf, program, regs, false, watch);
            VirtMachine b = machine(elf, program, regs, true, watch);
            RandomPrograms.lockstep("program " + seed, a, b, CHUNKS);
            entered += b.blocksEntered();
        }
        assertTrue("translated blocks ran", entered > PROGRAMS);
    }
}
