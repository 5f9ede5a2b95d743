package dev.rewind.debug.core.model;

import java.util.List;

import org.eclipse.debug.core.DebugException;
import org.eclipse.debug.core.model.IBreakpoint;
import org.eclipse.debug.core.model.IStackFrame;
import org.eclipse.debug.core.model.IThread;

import dev.rewind.emulator.TrapCause;
import dev.rewind.symbols.StackFrame;

/** The machine's single hart. Its frames come from the state read when it last stopped. */
public final class HartThread extends RewindDebugElement implements IThread {

    private IStackFrame[] frames = new IStackFrame[0];
    private HartState framesOf;

    HartThread(ReplayTarget target) {
        super(target);
    }

    @Override
    public synchronized IStackFrame[] getStackFrames() {
        HartState s = replay().state();
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
        HartState s = replay().state();
        if (replay().isTerminated()) {
            return "Hart 0 (terminated)";
        }
        if (!isSuspended() || s == null) {
            return "Hart 0 (running)";
        }
        // the privilege level, and at a trap handler's entry the trap (cause, where from)
        String trap = TrapCause.handlerEntry(s.pc(), s.privilege(), s::csr);
        return "Hart 0 (suspended: " + ReplayTarget.describe(s.stop()) + ", icount " + String.format("%,d", s.icount())
                + ", " + TrapCause.privilegeName(s.privilege()) + "-mode" + (trap != null ? ", trap: " + trap : "") + ")";
    }

    @Override
    public IBreakpoint[] getBreakpoints() {
        return replay().breakpointsHit();
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
        replay().stepInto();
    }

    @Override
    public void stepOver() throws DebugException {
        replay().stepOver();
    }

    @Override
    public void stepReturn() throws DebugException {
        replay().stepReturn();
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
