package dev.rewind.debug.core.model;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.debug.core.DebugException;
import org.eclipse.debug.core.model.IRegisterGroup;
import org.eclipse.debug.core.model.IStackFrame;
import org.eclipse.debug.core.model.IThread;
import org.eclipse.debug.core.model.IVariable;

import dev.rewind.emulator.Csr;
import dev.rewind.symbols.SourceLocation;
import dev.rewind.symbols.StackFrame;
import dev.rewind.symbols.VariableValue;

/**
 * One frame of the hart's call stack at a stop: function, file and line from DWARF, its
 * variables, and the registers as unwound for this frame. Level -1 stands for a pc the unwinder knows nothing about.
 */
public final class ReplayStackFrame extends RewindDebugElement implements IStackFrame {

    private static final String[] ABI = {"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2",
        "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
    private static final String[] FP_ABI = {"ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0",
        "fa1", "fa2", "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10",
        "fs11", "ft8", "ft9", "ft10", "ft11"};

    private static final java.util.Map<Csr.Group, String> GROUP_NAMES = new java.util.EnumMap<>(java.util.Map.of(
            Csr.Group.MACHINE, "Machine CSRs", Csr.Group.SUPERVISOR, "Supervisor CSRs", Csr.Group.COUNTERS, "Counters",
            Csr.Group.PMP, "Physical Memory Protection", Csr.Group.FP, "Floating-Point Registers", Csr.Group.DEBUG,
            "Debug and Trigger CSRs", Csr.Group.INTERNAL, "Internal"));

    private final HartThread thread;
    private final HartState state;
    private final int level;
    private IRegisterGroup[] groups;
    private IVariable[] variables;

    ReplayStackFrame(HartThread thread, HartState state, int level) {
        super(thread.getDebugTarget());
        this.thread = thread;
        this.state = state;
        this.level = level;
    }

    private StackFrame frame() {
        return level < 0 ? null : state.frames().get(level);
    }

    /** The pc of this frame: for callers, the return address. */
    public long pc() {
        StackFrame f = frame();
        return f == null ? state.pc() : f.pc();
    }

    public int level() {
        return Math.max(0, level);
    }

    /** The icount of the stop this frame belongs to. */
    public long icount() {
        return state.icount();
    }

    /** The function name from DWARF or the symbol table, or null. */
    public String function() {
        StackFrame f = frame();
        return f == null ? null : f.function();
    }

    /** The source location, or null when the debug information has none. */
    public SourceLocation location() {
        StackFrame f = frame();
        return f == null ? null : f.location();
    }

    /** The source path as the DWARF line table names it (for source lookup), or null. */
    public String sourcePath() {
        SourceLocation l = location();
        return l == null ? null : l.path();
    }

    @Override
    public IThread getThread() {
        return thread;
    }

    /**
     * Parameters and locals of this frame; the innermost frame also lists the program's globals
     * under one "(globals)" entry.
     */
    @Override
    public synchronized IVariable[] getVariables() {
        if (variables == null) {
            List<IVariable> vs = new ArrayList<>();
            if (level >= 0 && level < state.variables().size()) {
                for (VariableValue v : state.variables().get(level)) {
                    vs.add(new ReplayVariable(replay(), v));
                }
            }
            if (level <= 0 && !state.globals().isEmpty()) {
                IVariable[] globals = state.globals().stream().map(v -> new ReplayVariable(replay(), v))
                        .toArray(IVariable[]::new);
                vs.add(new ReplayVariable(replay(), "(globals)", "", globals.length + " variables", globals));
            }
            variables = vs.toArray(new IVariable[0]);
        }
        return variables.clone();
    }

    @Override
    public boolean hasVariables() {
        return getVariables().length > 0;
    }

    @Override
    public int getLineNumber() {
        SourceLocation l = location();
        return l == null ? -1 : l.line();
    }

    @Override
    public int getCharStart() {
        return -1;
    }

    @Override
    public int getCharEnd() {
        return -1;
    }

    @Override
    public String getName() {
        String fn = function() == null ? "??" : function();
        SourceLocation l = location();
        String where = l == null ? "" : " at " + l.fileName() + ":" + l.line();
        return fn + "()" + where + " [0x" + Long.toHexString(pc()) + "]";
    }

    @Override
    public synchronized IRegisterGroup[] getRegisterGroups() {
        if (groups == null) {
            StackFrame f = frame();
            long[] x = f == null ? state.regs() : f.registers();
            ReplayRegister[] general = new ReplayRegister[33];
            general[0] = new ReplayRegister(this, "pc", pc(), "program counter");
            for (int i = 0; i < 32; i++) {
                general[i + 1] = new ReplayRegister(this, "x" + i + " (" + ABI[i] + ")", x[i], null);
            }
            ReplayRegister[] timeline = {new ReplayRegister(this, "icount", state.icount(), "instructions retired so far"),
                new ReplayRegister(this, "privilege", state.privilege(), "0 = U, 1 = S, 3 = M")};
            List<IRegisterGroup> all = new ArrayList<>();
            all.add(new ReplayRegisterGroup(this, "General Registers", general));
            // One group per CSR group of the emulator's table (machine, supervisor, counters, PMP, ...).
            List<Csr> table = Csr.all();
            for (Csr.Group g : Csr.Group.values()) {
                List<ReplayRegister> csrs = new ArrayList<>();
                if (g == Csr.Group.FP) {
                    // f0-f31 first, shown as doubles (and singles when NaN-boxed), then fflags, frm, fcsr.
                    for (int i = 0; i < 32; i++) {
                        csrs.add(ReplayRegister.floating(this, "f" + i + " (" + FP_ABI[i] + ")", state.fregs()[i]));
                    }
                }
                java.util.stream.IntStream.range(0, table.size()).filter(i -> table.get(i).group() == g)
                        .mapToObj(i -> csrRegister(table.get(i).name(), state.csrs()[i]))
                        .forEach(csrs::add);
                if (!csrs.isEmpty()) {
                    all.add(new ReplayRegisterGroup(this, GROUP_NAMES.get(g), csrs.toArray(new ReplayRegister[0])));
                }
            }
            all.add(new ReplayRegisterGroup(this, "Timeline", timeline));
            groups = all.toArray(new IRegisterGroup[0]);
        }
        return groups.clone();
    }

    /** A CSR with its named bit fields as children (mstatus, mcause, mip/mie, satp, ...). */
    private ReplayRegister csrRegister(String name, long v) {
        String note = name.equals("mcause") || name.equals("scause") ? CsrFields.cause(v) : null;
        IVariable[] fields = CsrFields.of(name).stream().map(fl -> new ReplayVariable(replay(), fl.name() + " " + fl.bits(),
                "", CsrFields.show(fl, v), new IVariable[0])).toArray(IVariable[]::new);
        return new ReplayRegister(this, name, v, note, fields);
    }

    @Override
    public boolean hasRegisterGroups() {
        return true;
    }

    // ---- delegate to the thread ----

    @Override
    public boolean canStepInto() {
        return thread.canStepInto();
    }

    @Override
    public boolean canStepOver() {
        return thread.canStepOver();
    }

    @Override
    public boolean canStepReturn() {
        return thread.canStepReturn();
    }

    @Override
    public boolean isStepping() {
        return thread.isStepping();
    }

    @Override
    public void stepInto() throws DebugException {
        thread.stepInto();
    }

    @Override
    public void stepOver() throws DebugException {
        thread.stepOver();
    }

    @Override
    public void stepReturn() throws DebugException {
        thread.stepReturn();
    }

    @Override
    public boolean canResume() {
        return thread.canResume();
    }

    @Override
    public boolean canSuspend() {
        return thread.canSuspend();
    }

    @Override
    public boolean isSuspended() {
        return thread.isSuspended();
    }

    @Override
    public void resume() throws DebugException {
        thread.resume();
    }

    @Override
    public void suspend() throws DebugException {
        thread.suspend();
    }

    @Override
    public boolean canTerminate() {
        return thread.canTerminate();
    }

    @Override
    public boolean isTerminated() {
        return thread.isTerminated();
    }

    @Override
    public void terminate() throws DebugException {
        thread.terminate();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReplayStackFrame f && f.thread == thread && f.level == level && f.state.icount() == state.icount()
                && f.pc() == pc();
    }

    @Override
    public int hashCode() {
        return Long.hashCode(state.icount()) * 31 + level;
    }
}
