package dev.rewind.debug.core.model;

import java.util.ArrayList;
import java.util.List;

import dev.rewind.emulator.VirtMachine;
import dev.rewind.replay.ReplaySession;
import dev.rewind.replay.TimeTravel;
import dev.rewind.symbols.ProgramSymbols;
import dev.rewind.symbols.StackFrame;
import dev.rewind.symbols.VariableInfo;
import dev.rewind.symbols.VariableValue;

/**
 * What the debugger shows of a suspended hart, read once on the engine thread when it stops:
 * the views then read this copy from any thread without touching the engine.
 */
public record HartState(TimeTravel.Stop stop, long icount, long pc, long[] regs, long[] csrs, int privilege,
        List<StackFrame> frames, List<List<VariableValue>> variables, List<VariableValue> globals, String console) {

    /** At most this many globals are read at a stop (a big program has thousands). */
    static final int MAX_GLOBALS = 200;

    /** CSRs shown in the Control register group: number and name. */
    static final int[] CSR_NUMBERS = {0x300, 0x301, 0x304, 0x305, 0x340, 0x341, 0x342, 0x343, 0x344, 0x100, 0x104, 0x105,
        0x140, 0x141, 0x142, 0x143, 0x144, 0x180, 0xf14, 0xb00, 0xb02};
    static final String[] CSR_NAMES = {"mstatus", "misa", "mie", "mtvec", "mscratch", "mepc", "mcause", "mtval", "mip",
        "sstatus", "sie", "stvec", "sscratch", "sepc", "scause", "stval", "sip", "satp", "mhartid", "mcycle", "minstret"};
    /** Marks a CSR this hart does not have. */
    static final long ABSENT = Long.MIN_VALUE;

    static HartState capture(ReplaySession session, SourceStepper stepper, TimeTravel.Stop stop) {
        VirtMachine m = session.machine();
        long[] regs = new long[32];
        for (int i = 0; i < 32; i++) {
            regs[i] = m.reg(i);
        }
        long[] csrs = new long[CSR_NUMBERS.length];
        for (int i = 0; i < csrs.length; i++) {
            var v = m.csr(CSR_NUMBERS[i]);
            csrs[i] = v.isPresent() ? v.getAsLong() : ABSENT;
        }
        List<StackFrame> frames = stepper.frames();
        ProgramSymbols symbols = stepper.symbols();
        List<List<VariableValue>> variables = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            variables.add(List.copyOf(symbols.variables(frames, i, stepper::read64)));
        }
        List<VariableValue> globals = new ArrayList<>();
        for (VariableInfo g : symbols.globals()) {
            if (globals.size() == MAX_GLOBALS) {
                break;
            }
            globals.add(symbols.globalValue(g, stepper::read64));
        }
        return new HartState(stop, session.icount(), m.pc(), regs, csrs, m.privilege(), List.copyOf(frames),
                List.copyOf(variables), List.copyOf(globals), new String(session.console().toByteArray(), java.nio.charset.StandardCharsets.UTF_8));
    }
}
