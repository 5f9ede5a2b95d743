package dev.rewind.debug.core.model;

import java.util.List;

import org.eclipse.debug.core.DebugException;
import org.eclipse.debug.core.model.IBreakpoint;
import org.eclipse.debug.core.model.IStackFrame;
import org.eclipse.debug.core.model.IThread;

import dev.rewind.emulator.TrapCause;
import dev.rewind.symbols.StackFrame;

/**
 * One hart of the replayed machine. Its frames and registers come from its own state read when the
 * machine last stopped. Steps on the current hart (the one that stopped) are source-level moves of
 * the replay; on another hart, a step runs until that hart executed one instruction, and a reverse
 * step goes back to just before its previous one (other harts' turns may lie between).
 */
public final class HartThread extends RewindDebugElement implements IThread {

    private final int id;
    private IStackFrame[] frames = new IStackFrame[0];
    private HartState framesOf;

    HartThread(ReplayTarget target, int id) {
        super(target);
        this.id = id;
    }

    /** The hart's id (mhartid). */
    public int id() {
        return id;
    }

    /** Whether this is the hart that stopped (whose turn it is at the current position). */
    public boolean isCurrent() {
        return replay().isCurrent(id);
    }

    /** This hart as it was at the last stop. */
    public HartState state() {
        return replay().state(id);
    }

    @Override
    public synchronized IStackFrame[] getStackFrames() {
        HartState s = state();
        if (!isSuspended() || s == null) {
            return new IStackFrame[0];
        }
        if (s != framesOf) {
            List<StackFrame> fs = s.frames();
            if (fs.isEmpty()) {
                frames = new IStackFrame[] {new ReplayStackFrame(this, s, -1)};
            } else {
                frames = new IStackFrame[fs.size()];
                for (int i = 0; i < fs.size(); i++) {
                    frames[i] = new ReplayStackFrame(this, s, i);
                }
            }
            framesOf = s;
        }
        return frames.clone();
    }

    @Override
    public boolean hasStackFrames() {
        return isSuspended();
    }

    @Override
    public int getPriority() {
        return 0;
    }

    @Override
    public IStackFrame getTopStackFrame() {
        IStackFrame[] f = getStackFrames();
        return f.length == 0 ? null : f[0];
    }

    @Override
    public String getName() {
        HartState s = state();
        if (replay().isTerminated()) {
            return "Hart " + id + " (terminated)";
        }
        if (!isSuspended() || s == null) {
            return "Hart " + id + " (running)";
        }
        // the privilege level, and at a trap handler's entry the trap (cause, where from)
        String trap = TrapCause.handlerEntry(s.pc(), s.privilege(), s::csr);
        String how = isCurrent() ? ReplayTarget.describe(s.stop())
                : String.format("%,d instructions of its own", s.retired());
        return "Hart " + id + " (suspended: " + how + ", icount " + String.format("%,d", s.icount())
                + ", " + TrapCause.privilegeName(s.privilege()) + "-mode" + (trap != null ? ", trap: " + trap : "") + ")";
    }

    @Override
    public IBreakpoint[] getBreakpoints() {
        return isCurrent() ? replay().breakpointsHit() : new IBreakpoint[0];
    }

    // ---- ISuspendResume, IStep, ITerminate: all delegate to the target ----

    @Override
    public boolean canResume() {
        return replay().canResume();
    }

    @Override
    public boolean canSuspend() {
        return replay().canSuspend();
    }

    @Override
    public boolean isSuspended() {
        return replay().isSuspended();
    }

    @Override
    public void resume() throws DebugException {
        replay().resume();
    }

    @Override
    public void suspend() throws DebugException {
        replay().suspend();
    }

    @Override
    public boolean canStepInto() {
        return replay().canMove();
    }

    @Override
    public boolean canStepOver() {
        return replay().canMove();
    }

    @Override
    public boolean canStepReturn() {
        return replay().canMove();
    }

    @Override
    public boolean isStepping() {
        return replay().isStepping();
    }

    @Override
    public void stepInto() throws DebugException {
        if (isCurrent()) {
            replay().stepInto();
        } else {
            replay().stepInstruction(id);
        }
    }

    @Override
    public void stepOver() throws DebugException {
        if (isCurrent()) {
            replay().stepOver();
        } else {
            replay().stepInstruction(id);
        }
    }

    @Override
    public void stepReturn() throws DebugException {
        if (isCurrent()) {
            replay().stepReturn();
        } else {
            replay().stepInstruction(id);
        }
    }

    /** The reverse commands on this thread: source-level on the current hart, one instruction of this hart on another. */
    public void reverse(dev.rewind.debug.core.commands.ReverseCommand.Movement movement) throws DebugException {
        ReplayTarget t = replay();
        if (movement == dev.rewind.debug.core.commands.ReverseCommand.Movement.RESUME) {
            t.reverseResume();
        } else if (!isCurrent()) {
            t.reverseStepInstruction(id);
        } else {
            switch (movement) {
                case STEP_INTO -> t.reverseStepInto();
                case STEP_OVER -> t.reverseStepOver();
                default -> t.reverseStepReturn();
            }
        }
    }

    @Override
    public boolean canTerminate() {
        return replay().canTerminate();
    }

    @Override
    public boolean isTerminated() {
        return replay().isTerminated();
    }

    @Override
    public void terminate() throws DebugException {
        replay().terminate();
    }
}
