package dev.rewind.debug.core.model;

import java.util.ArrayList;
import java.util.List;

import dev.rewind.emulator.Csr;
import dev.rewind.emulator.DebugView;
import dev.rewind.replay.Stop;
import dev.rewind.replay.Timeline;
import dev.rewind.symbols.ProgramSymbols;
import dev.rewind.symbols.StackFrame;
import dev.rewind.symbols.VariableInfo;
import dev.rewind.symbols.VariableValue;

/**
 * What the debugger shows of a suspended hart, read once on the engine thread when it stops:
 * the views then read this copy from any thread without touching the engine. {@code csrs}
 * holds the value of every CSR in {@link Csr#all()}'s order, {@code fregs} f0-f31. {@code hart} is
 * its id, {@code retired} the instructions it retired itself (icount counts all harts').
 */
public record HartState(Stop stop, long icount, long pc, long[] regs, long[] csrs, int privilege,
        long[] fregs, List<StackFrame> frames, List<List<VariableValue>> variables, List<VariableValue> globals,
        String console, int hart, long retired) {

    /** At most this many globals are read at a stop (a big program has thousands). */
    static final int MAX_GLOBALS = 200;


    /** The hart whose turn it is at the stop (the one that stopped), globals and console included. */
    static HartState capture(Timeline timeline, SourceStepper stepper, Stop stop) {
        ProgramSymbols symbols = stepper.symbols();
        List<VariableValue> globals = new ArrayList<>();
        for (VariableInfo g : symbols.globals()) {
            if (globals.size() == MAX_GLOBALS) {
                break;
            }
            globals.add(symbols.globalValue(g, stepper::read64));
        }
        return capture(timeline, stepper, stop, timeline.machine().currentHart(), List.copyOf(globals),
                new String(timeline.session().console().toByteArray(), java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Another hart at the same stop: its own registers, CSRs and frames; the machine's globals and console. */
    static HartState capture(Timeline timeline, SourceStepper stepper, Stop stop, int hart, HartState current) {
        return capture(timeline, stepper, stop, hart, current.globals(), current.console());
    }

    private static HartState capture(Timeline timeline, SourceStepper stepper, Stop stop, int hart,
            List<VariableValue> globals, String console) {
        DebugView h = timeline.machine().hart(hart);
        long[] regs = new long[32];
        for (int i = 0; i < 32; i++) {
            regs[i] = h.reg(i);
        }
        List<Csr> table = Csr.all();
        long[] csrs = new long[table.size()];
        for (int i = 0; i < csrs.length; i++) {
            csrs[i] = h.csr(table.get(i).number()).orElseThrow();
        }
        long[] fregs = new long[32];
        for (int i = 0; i < 32; i++) {
            fregs[i] = h.fpr(i);
        }
        List<StackFrame> frames = stepper.frames(hart);
        ProgramSymbols symbols = stepper.symbols();
        List<List<VariableValue>> variables = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            variables.add(List.copyOf(symbols.variables(frames, i, stepper::read64, fregs)));
        }
        return new HartState(stop, timeline.icount(), h.pc(), regs, csrs, h.privilege(), fregs, List.copyOf(frames),
                List.copyOf(variables), globals, console, hart, timeline.machine().retired(hart));
    }

    /** The value CSR {@code number} had at the stop (0 for one the hart lacks). */
    public long csr(int number) {
        List<Csr> table = Csr.all();
        for (int i = 0; i < table.size(); i++) {
            if (table.get(i).number() == number) {
                return csrs[i];
            }
        }
        return 0;
    }
}
