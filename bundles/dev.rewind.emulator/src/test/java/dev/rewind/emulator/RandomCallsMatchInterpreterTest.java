package dev.rewind.emulator;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.Test;

/**
 * Random S-mode code with calls and returns inside one page (direct JALs, an indirect call
 * through a register), reads of the counter CSRs and sscratch, sscratch writes, AMOs and LR/SC,
 * and the MMU switched on and off in the middle of the stream (satp swapped with a register,
 * then SFENCE.VMA): run as a hot loop through translated blocks, whose regions take in the
 * called functions and return to their callers inside the method, and through the
 * interpreter, in lockstep chunks of awkward sizes. Registers after every chunk, the stop
 * reason, and the whole machine state at the end must agree.
 */
public class RandomCallsMatchInterpreterTest {

    private static final int PROGRAMS = 16;
    private static final int BODY = 48;
    private static final int FUNCTIONS = 4, FUNCTION_BODY = 6;
    private static final int ITERATIONS = 150;
    private static final long[] CHUNKS = {1, 3, 2, 17, 1000, 5, 333, 7919, 64};
    private static final int TIME = 0xc01, CYCLE = 0xc00, INSTRET = 0xc02, SSCRATCH = 0x140, SATP = 0x180;
    /** Code words: the loop body, decrement, back edge, ecall, then the functions. */
    private static final int WORDS = BODY + 3 + FUNCTIONS * (FUNCTION_BODY + 1);

    /**
     * M-mode start: PMP open, counters for S, Sv39 with one identity gigapage at 0x8000_0000,
     * then mret into the random code in S-mode with x31 = data, x30 = iterations. An ecall
     * (the end of the loop) passes; any other trap fails. Only x30 and x31 are used here, the
     * random registers are set before.
     */
    private static final String FRAME = " la x30, mtrap\n csrw mtvec, x30\n li x30, -1\n csrw pmpaddr0, x30\n"
            + " li x30, 0x1f\n csrw pmpcfg0, x30\n li x30, 7\n csrw mcounteren, x30\n"
            + " la x30, root\n srli x30, x30, 12\n li x31, 1\n slli x31, x31, 63\n or x30, x30, x31\n csrw satp, x30\n"
            + " sfence.vma\n la x30, code\n csrw mepc, x30\n li x30, 0x1800\n csrc mstatus, x30\n"
            + " li x30, 0x800\n csrs mstatus, x30\n la x31, data\n li x30, " + ITERATIONS + "\n mret\n"
            + ".balign 4\ncode:\n .space " + 4 * WORDS + ", 0\n"
            + "mtrap:\n csrr x30, mcause\n li x31, 9\n beq x30, x31, pass\n j fail\n"
            + ".data\n.balign 4096\nroot:\n .dword 0, 0, 0x200000cf\n .space 4072, 0\ndata: .space 4096, 0\n";

    private static final Encoding[] ALU = {Encoding.ADD, Encoding.SUB, Encoding.SLL, Encoding.SLTU, Encoding.XOR,
        Encoding.SRA, Encoding.OR, Encoding.AND, Encoding.ADDW, Encoding.MUL, Encoding.DIVU, Encoding.REMW,
        Encoding.ADDI, Encoding.XORI, Encoding.SLLI, Encoding.SRAIW, Encoding.LUI, Encoding.AUIPC};
    private static final Encoding[] MEMORY = {Encoding.LB, Encoding.LHU, Encoding.LW, Encoding.LD, Encoding.SB,
        Encoding.SH, Encoding.SW, Encoding.SD};
    private static final Encoding[] AMOS = {Encoding.AMOADD_D, Encoding.AMOSWAP_W, Encoding.LR_D, Encoding.SC_D};
    private static final int[] READABLE = {TIME, CYCLE, INSTRET, SSCRATCH};

    /** Random ALU or memory instructions write x2..x25 only: x1 is the return address, x26..x31 are the frame's. */
    private static int plain(SplittableRandom r) {
        int rd = 2 + r.nextInt(24);
        int rs1 = r.nextInt(32);
        int rs2 = r.nextInt(32);
        if (r.nextInt(3) > 0) {
            return RandomPrograms.randomAlu(r, ALU[r.nextInt(ALU.length)], rd, rs1, rs2);
        }
        return RandomPrograms.encode(MEMORY[r.nextInt(MEMORY.length)], rd, 31, rs2, r.nextInt(2048));
    }

    private static int functionOffset(int f) {
        return 4 * (BODY + 3 + f * (FUNCTION_BODY + 1));
    }

    private static List<Integer> program(SplittableRandom r) {
        List<Integer> p = new ArrayList<>();
        while (p.size() < BODY) {
            int at = 4 * p.size();
            int kind = r.nextInt(16);
            int rd = 2 + r.nextInt(24);
            if (kind < 6 || p.size() >= BODY - 2) {
                p.add(plain(r));
            } else if (kind < 8) {
                p.add(RandomPrograms.encode(Encoding.JAL, 1, 0, 0, functionOffset(r.nextInt(FUNCTIONS)) - at));
            } else if (kind == 8) {
                p.add(RandomPrograms.encode(Encoding.JALR, 1, 28, 0, 0)); // x28 holds the first function's address
            } else if (kind == 9) {
                p.add(RandomPrograms.encode(Encoding.CSRRS, rd, 0, 0, READABLE[r.nextInt(READABLE.length)]));
            } else if (kind == 10) {
                p.add(RandomPrograms.encode(Encoding.CSRRW, 0, r.nextInt(26), 0, SSCRATCH));
            } else if (kind == 11) {
                Encoding e = AMOS[r.nextInt(AMOS.length)];
                p.add(RandomPrograms.encode(e, rd, 31, e == Encoding.LR_D ? 0 : r.nextInt(32), 0));
            } else if (kind == 12) {
                // MMU off or on again: x27 alternates between 0 and the Sv39 satp.
                p.add(RandomPrograms.encode(Encoding.CSRRW, 27, 27, 0, SATP));
                p.add(Encoding.SFENCE_VMA.match);
            } else {
                p.add(RandomPrograms.encode(Encoding.BNE, 0, r.nextInt(32), r.nextInt(32), 4 * (2 + r.nextInt(2))));
            }
        }
        p.add(RandomPrograms.encode(Encoding.ADDI, 30, 30, 0, -1));
        p.add(RandomPrograms.encode(Encoding.BNE, 0, 30, 0, -4 * (BODY + 1)));
        p.add(Encoding.ECALL.match);
        for (int f = 0; f < FUNCTIONS; f++) {
            for (int i = 0; i < FUNCTION_BODY; i++) {
                p.add(plain(r));
            }
            p.add(RandomPrograms.encode(Encoding.JALR, 0, 1, 0, 0));
        }
        assertEquals(WORDS, p.size());
        return p;
    }

    private static VirtMachine machine(ElfImage elf, List<Integer> program, long[] regs, boolean translate) throws Exception {
        VirtMachine m = Guests.machine(elf, new ByteArrayOutputStream());
        m.translateHotCode(translate);
        long code = elf.symbol("code").orElseThrow();
        RandomPrograms.install(m, code, program, regs);
        m.setReg(27, 0);
        m.setReg(28, code + functionOffset(0));
        return m;
    }

    @Test
    public void randomCallsCsrsAtomicsAndMmuSwitchesMatchTheInterpreter() throws Exception {
        ElfImage elf = Guests.assemble(FRAME);
        long entered = 0, unchained = 0;
        for (int seed = 1; seed <= PROGRAMS; seed++) {
            SplittableRandom r = new SplittableRandom(1000 + seed);
            List<Integer> program = program(r);
            long[] regs = RandomPrograms.registers(r);
            VirtMachine a = machine(elf, program, regs, false);
            VirtMachine b = machine(elf, program, regs, true);
            RandomPrograms.lockstep("program " + seed, a, b, CHUNKS);
            entered += b.blocksEntered();
            // The same program with blocks never chained: every call and return leaves its block.
            VirtMachine c = machine(elf, program, regs, true);
            c.chainAfter(Integer.MAX_VALUE);
            assertEquals(StopReason.EXIT, c.run(10_000_000));
            assertEquals("program " + seed + " unchained: state digest", b.digestHex(), c.digestHex());
            unchained += c.blocksEntered();
        }
        assertTrue("translated blocks ran", entered > PROGRAMS);
        assertTrue("calls and returns stay inside chained blocks: " + entered + " entries, " + unchained + " unchained",
                entered < unchained * 3 / 4);
    }
}
