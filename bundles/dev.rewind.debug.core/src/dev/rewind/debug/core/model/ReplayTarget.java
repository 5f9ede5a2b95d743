package dev.rewind.debug.core.model;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

import org.eclipse.core.resources.IMarkerDelta;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.debug.core.DebugEvent;
import org.eclipse.debug.core.DebugException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.IBreakpointManager;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.model.IBreakpoint;
import org.eclipse.debug.core.model.IDebugTarget;
import org.eclipse.debug.core.model.IMemoryBlock;
import org.eclipse.debug.core.model.IMemoryBlockExtension;
import org.eclipse.debug.core.model.IMemoryBlockRetrievalExtension;
import org.eclipse.debug.core.model.IProcess;
import org.eclipse.debug.core.model.IThread;

import dev.rewind.debug.core.RewindDebugCore;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.replay.HartPositions;
import dev.rewind.replay.Timeline;
import dev.rewind.replay.Stop;
import dev.rewind.symbols.ProgramSymbols;

/**
 * A replay being debugged. Every movement (forwards or backwards) runs as one task on the
 * engine thread; the target fires RESUME when it starts and SUSPEND (BREAKPOINT or STEP_END,
 * with the {@link Stop} as the event's data) when it ends. Reaching either end of the history
 * also fires a MODEL_SPECIFIC event, {@link #HISTORY_BEGIN} or {@link #HISTORY_END}.
 */
public final class ReplayTarget extends RewindDebugElement implements IDebugTarget, IMemoryBlockRetrievalExtension {

    /** MODEL_SPECIFIC event detail: a backward movement stopped at the beginning of the recorded history. */
    public static final int HISTORY_BEGIN = 0x5257_0001;
    /** MODEL_SPECIFIC event detail: a forward movement stopped at the end of the recorded history. */
    public static final int HISTORY_END = 0x5257_0002;
    /** MODEL_SPECIFIC event detail: the engine failed; the event's data is the message. */
    public static final int ENGINE_FAILED = 0x5257_0003;

    private final ILaunch launch;
    private final String name;
    private final ReplayEngine engine;
    private final HartThreads harts;
    private final long startIcount;
    private final long endIcount;
    /** The current hart at the last stop (the one that stopped). */
    private volatile HartState state;
    private volatile long[] snapshots = new long[0];
    private volatile IBreakpoint[] hitBreakpoints = new IBreakpoint[0];
    private volatile boolean suspended;
    private volatile boolean stepping;
    private volatile boolean terminated;
    private volatile boolean interrupt;
    private volatile long lastMoveNanos;
    private volatile long lastCaptureNanos;
    private final TreeSet<Long> hits = new TreeSet<>();
    /** Engine thread only. */
    private final InstalledBreakpoints breakpoints;
    /**
     * Breakpoint installs and uninstalls not yet applied, in the order they were made. They are
     * applied on the engine thread: by a task of their own when the target is suspended, and by
     * a running resume or reverse resume itself, so a breakpoint set while it runs counts.
     */
    private final ConcurrentLinkedQueue<Runnable> breakpointChanges = new ConcurrentLinkedQueue<>();
    /** A forward move is running (engine thread only; the timeline's interrupt check reads it). */
    private boolean movingForward;

    private ReplayTarget(ILaunch launch, String name, ReplayEngine engine) {
        super(null);
        this.launch = launch;
        this.name = name;
        this.engine = engine;
        this.harts = new HartThreads(this, engine.timeline().machine().harts());
        this.breakpoints = new InstalledBreakpoints(engine.symbols(), engine.timeline().stops());
        this.startIcount = engine.timeline().startIcount();
        this.endIcount = engine.timeline().endIcount();
    }

    /**
     * Starts debugging {@code timeline} (which must not be used by anyone else afterwards): the
     * target is added to the launch, installs the Rewind breakpoints and is suspended at the
     * start of the history.
     */
    public static ReplayTarget start(ILaunch launch, String name, Timeline timeline, ProgramSymbols symbols)
            throws DebugException {
        ReplayEngine engine = new ReplayEngine(timeline, symbols, name);
        ReplayTarget t = new ReplayTarget(launch, name, engine);
        IBreakpointManager bm = DebugPlugin.getDefault().getBreakpointManager();
        engine.call(() -> {
            // checked every few ms of a run, on the engine thread: a move stops for Suspend, and a
            // forward move pauses to apply breakpoint changes (then goes on, see SourceStepper)
            timeline.interruptWhen(() -> t.interrupt || t.movingForward && !t.breakpointChanges.isEmpty());
            engine.stepper().pauseForBreakpointChanges(() -> {
                if (t.interrupt || t.breakpointChanges.isEmpty()) {
                    return false;
                }
                t.applyBreakpointChanges();
                return true;
            });
            t.publish(t.capture(new Stop(Stop.Kind.STEP, timeline.icount(), timeline.machine().pc(), null)));
            return null;
        });
        t.suspended = true;
        launch.addDebugTarget(t);
        bm.addBreakpointListener(t);
        for (IBreakpoint bp : bm.getBreakpoints(RewindDebugCore.MODEL_ID)) {
            t.breakpointAdded(bp);
        }
        t.fireCreationEvent();
        t.harts.fireCreation();
        DebugPlugin.getDefault().fireDebugEventSet(
                t.harts.suspendEvents(DebugEvent.CLIENT_REQUEST, t.state.stop()).toArray(new DebugEvent[0]));
        return t;
    }

    // ---- what the views read ----

    /** The current hart (the one that stopped) as it was at the last stop; null while it has never stopped. */
    public HartState state() {
        return state;
    }

    /** Hart {@code hart} as it was at the last stop; null while the target has never stopped. */
    public HartState state(int hart) {
        return harts.state(hart);
    }

    /** The current hart's thread. */
    public HartThread hart() {
        return harts.current();
    }

    public HartThread hart(int id) {
        return harts.thread(id);
    }

    public int hartCount() {
        return harts.count();
    }

    boolean isCurrent(int hart) {
        return harts.isCurrent(hart);
    }

    public long startIcount() {
        return startIcount;
    }

    public long endIcount() {
        return endIcount;
    }

    /** Icounts of the in-memory snapshots, as of the last stop. */
    public long[] snapshotIcounts() {
        return snapshots.clone();
    }

    /** Icounts of the breakpoint hits seen so far, in any direction. */
    public long[] breakpointHits() {
        synchronized (hits) {
            return hits.stream().mapToLong(Long::longValue).toArray();
        }
    }

    /** The guest's console output up to the current position. */
    public String consoleText() {
        HartState s = state;
        return s == null ? "" : s.console();
    }

    /** Wall time of the last movement from its start to the suspended state being readable, in ns. */
    public long lastMoveNanos() {
        return lastMoveNanos;
    }

    /** Wall time of reading the hart's state (registers, CSRs, unwinding, console) at the last stop, in ns. */
    public long lastCaptureNanos() {
        return lastCaptureNanos;
    }

    public ProgramSymbols symbols() {
        return engine.symbols();
    }

    IBreakpoint[] breakpointsHit() {
        return hitBreakpoints.clone();
    }

    static String describe(Stop stop) {
        if (stop == null) {
            return "start";
        }
        return switch (stop.kind()) {
            case STEP -> "step end";
            case BREAKPOINT -> "breakpoint";
            case WATCHPOINT -> "watchpoint";
            case HISTORY_BEGIN -> "beginning of history";
            case HISTORY_END -> "end of history";
            case INTERRUPTED -> "suspended";
        };
    }

    // ---- movements ----

    /** True when suspended and alive: any movement may start. */
    public boolean canMove() {
        return suspended && !terminated;
    }

    public boolean isStepping() {
        return stepping;
    }

    public void resume() throws DebugException {
        move(DebugEvent.CLIENT_REQUEST, false, forward(SourceStepper::resume));
    }

    public void stepInto() throws DebugException {
        move(DebugEvent.STEP_INTO, true, forward(SourceStepper::stepInto));
    }

    public void stepOver() throws DebugException {
        move(DebugEvent.STEP_OVER, true, forward(SourceStepper::stepOver));
    }

    public void stepReturn() throws DebugException {
        move(DebugEvent.STEP_RETURN, true, forward(SourceStepper::stepReturn));
    }

    public void reverseResume() throws DebugException {
        move(DebugEvent.CLIENT_REQUEST, false, this::reverseResumeApplyingBreakpoints);
    }

    /**
     * A forward move during which breakpoint changes interrupt the run, are applied, and the move
     * goes on with them (SourceStepper.pauseForBreakpointChanges). Engine thread.
     */
    private Function<SourceStepper, Stop> forward(Function<SourceStepper, Stop> action) {
        return stepper -> {
            movingForward = true;
            try {
                return action.apply(stepper);
            } finally {
                movingForward = false;
            }
        };
    }

    /**
     * A reverse resume that, when breakpoints changed while it scanned the history, applies them
     * and scans again from where it started: hits of a new breakpoint may lie in the part
     * already scanned. Costs one more scan only then. Engine thread.
     */
    private Stop reverseResumeApplyingBreakpoints(SourceStepper stepper) {
        long origin = engine.timeline().icount();
        Stop s = stepper.reverseResume();
        while (!breakpointChanges.isEmpty() && s.kind() != Stop.Kind.INTERRUPTED && !interrupt) {
            applyBreakpointChanges();
            engine.travel().seek(origin);
            s = stepper.reverseResume();
        }
        return s;
    }

    public void reverseStepInto() throws DebugException {
        move(DebugEvent.STEP_INTO, true, SourceStepper::reverseStepInto);
    }

    public void reverseStepOver() throws DebugException {
        move(DebugEvent.STEP_OVER, true, SourceStepper::reverseStepOver);
    }

    public void reverseStepReturn() throws DebugException {
        move(DebugEvent.STEP_RETURN, true, SourceStepper::reverseStepReturn);
    }

    /** Executes one instruction (the Disassembly view's instruction step). */
    public void stepInstruction() throws DebugException {
        move(DebugEvent.STEP_INTO, true, s -> engine.travel().stepForward());
    }

    /** Goes back to just before the previously executed instruction. */
    public void reverseStepInstruction() throws DebugException {
        move(DebugEvent.STEP_INTO, true, s -> engine.travel().stepBack());
    }

    /** Runs until hart {@code hart} executed one instruction (the others run their turns meanwhile). */
    public void stepInstruction(int hart) throws DebugException {
        move(DebugEvent.STEP_INTO, true, s -> HartPositions.next(engine.timeline(), engine.travel(), hart));
    }

    /** Goes back to just before hart {@code hart}'s previous instruction (other harts' turns may lie between). */
    public void reverseStepInstruction(int hart) throws DebugException {
        move(DebugEvent.STEP_INTO, true, s -> {
            Timeline t = engine.timeline();
            boolean moved = HartPositions.previous(t, hart);
            return new Stop(moved ? Stop.Kind.STEP : Stop.Kind.HISTORY_BEGIN, t.icount(), t.machine().pc(), null);
        });
    }

    /** Moves to {@code icount} (clamped to the history) without stopping at breakpoints: the Timeline's click. */
    public void seek(long icount) throws DebugException {
        move(DebugEvent.CLIENT_REQUEST, false, s -> engine.travel().seek(icount));
    }

    private void move(int detail, boolean step, Function<SourceStepper, Stop> action) throws DebugException {
        synchronized (this) {
            if (terminated) {
                throw ReplayEngine.error("the replay has ended", null);
            }
            if (!suspended) {
                throw ReplayEngine.error("the replay is already moving", null);
            }
            suspended = false;
            stepping = step;
            interrupt = false;
        }
        long t0 = System.nanoTime();
        harts.fireResume(detail);
        engine.submit(() -> {
            Stop stop;
            Throwable failure = null;
            try {
                stop = action.apply(engine.stepper());
            } catch (RuntimeException e) {
                failure = e;
                stop = new Stop(Stop.Kind.INTERRUPTED, engine.timeline().icount(), engine.timeline().machine().pc(), null);
            }
            stopped(capture(stop), failure, t0);
            return null;
        });
    }

    /** Runs on the engine thread: every hart's state, at the current hart's index. */
    private HartState[] capture(Stop stop) {
        long t0 = System.nanoTime();
        Timeline s = engine.timeline();
        HartState[] all = HartThreads.capture(s, engine.stepper(), stop);
        HartState st = all[s.machine().currentHart()];
        snapshots = s.snapshotIcounts();
        List<IBreakpoint> at = new ArrayList<>();
        if (stop.kind() == Stop.Kind.BREAKPOINT) {
            synchronized (hits) {
                hits.add(st.icount());
            }
            at.addAll(breakpoints.at(st.pc()));
        } else if (stop.kind() == Stop.Kind.WATCHPOINT && stop.watch() != null) {
            synchronized (hits) {
                hits.add(st.icount());
            }
            at.addAll(breakpoints.watching(stop.watch().address(), stop.watch().size()));
        }
        hitBreakpoints = at.toArray(new IBreakpoint[0]);
        lastCaptureNanos = System.nanoTime() - t0;
        return all;
    }

    /** Engine thread (the machine's current hart is the one that stopped). */
    private HartState publish(HartState[] all) {
        return state = harts.stopped(all, engine.timeline().machine().currentHart());
    }

    private void stopped(HartState[] all, Throwable failure, long t0) {
        HartState st = publish(all);
        stepping = false;
        suspended = !terminated;
        lastMoveNanos = System.nanoTime() - t0;
        if (terminated) {
            return;
        }
        int detail = switch (st.stop().kind()) {
            case BREAKPOINT, WATCHPOINT -> DebugEvent.BREAKPOINT;
            case INTERRUPTED -> DebugEvent.CLIENT_REQUEST;
            default -> DebugEvent.STEP_END;
        };
        List<DebugEvent> events = new ArrayList<>(harts.suspendEvents(detail, st.stop()));
        if (st.stop().kind() == Stop.Kind.HISTORY_BEGIN || st.stop().kind() == Stop.Kind.HISTORY_END) {
            DebugEvent edge = new DebugEvent(this, DebugEvent.MODEL_SPECIFIC,
                    st.stop().kind() == Stop.Kind.HISTORY_BEGIN ? HISTORY_BEGIN : HISTORY_END);
            edge.setData(st.stop());
            events.add(edge);
        }
        if (failure != null) {
            String msg = "Replay failed at icount " + st.icount() + ": " + failure.getMessage();
            RewindDebugCore.log(new Status(IStatus.ERROR, RewindDebugCore.PLUGIN_ID, msg, failure));
            DebugEvent f = new DebugEvent(this, DebugEvent.MODEL_SPECIFIC, ENGINE_FAILED);
            f.setData(msg);
            events.add(f);
        }
        DebugPlugin.getDefault().fireDebugEventSet(events.toArray(new DebugEvent[0]));
    }

    // ---- IDebugTarget ----

    @Override
    public IDebugTarget getDebugTarget() {
        return this;
    }

    @Override
    public ILaunch getLaunch() {
        return launch;
    }

    @Override
    public IProcess getProcess() {
        return null;
    }

    @Override
    public IThread[] getThreads() {
        return terminated ? new IThread[0] : harts.all();
    }

    @Override
    public boolean hasThreads() {
        return !terminated;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public boolean supportsBreakpoint(IBreakpoint breakpoint) {
        return RewindDebugCore.MODEL_ID.equals(breakpoint.getModelIdentifier());
    }

    @Override
    public boolean canResume() {
        return canMove();
    }

    @Override
    public boolean canSuspend() {
        return !suspended && !terminated;
    }

    @Override
    public boolean isSuspended() {
        return suspended;
    }

    @Override
    public void suspend() {
        interrupt = true; // the engine's run reads it within a few ms (Timeline.interruptWhen)
    }

    @Override
    public boolean canTerminate() {
        return !terminated;
    }

    @Override
    public boolean isTerminated() {
        return terminated;
    }

    @Override
    public void terminate() {
        synchronized (this) {
            if (terminated) {
                return;
            }
            terminated = true;
            suspended = false;
        }
        interrupt = true;
        DebugPlugin.getDefault().getBreakpointManager().removeBreakpointListener(this);
        engine.shutdown();
        harts.fireTerminate();
        fireTerminateEvent();
    }

    @Override
    public boolean canDisconnect() {
        return false;
    }

    @Override
    public void disconnect() throws DebugException {
        throw ReplayEngine.error("a replay cannot be disconnected; terminate it", null);
    }

    @Override
    public boolean isDisconnected() {
        return false;
    }

    @Override
    public boolean supportsStorageRetrieval() {
        return true;
    }

    @Override
    public IMemoryBlock getMemoryBlock(long startAddress, long length) {
        return new ReplayMemoryBlock(this, startAddress, length);
    }

    /** Memory view: {@code expression} is a hex address ({@code 0x80001000}) or a symbol. */
    @Override
    public IMemoryBlockExtension getExtendedMemoryBlock(String expression, Object context) throws DebugException {
        String e = expression.strip();
        try {
            return new ReplayMemory(this, e, Long.parseUnsignedLong(e.startsWith("0x") ? e.substring(2) : e, 16));
        } catch (NumberFormatException nf) {
            var sym = symbols().symbol(e);
            if (sym == null) {
                throw ReplayEngine.error("\"" + e + "\" is neither a hex address nor a symbol of the program", null);
            }
            return new ReplayMemory(this, e, sym.value());
        }
    }

    /**
     * Runs {@code reader} on the engine thread against the machine at the current position (the
     * views' reads: devices, physical memory, instructions). It must only read.
     */
    public <T> T inspect(Function<VirtMachine, T> reader) throws DebugException {
        if (!suspended) {
            throw ReplayEngine.error("the replay is running; suspend it to inspect the machine", null);
        }
        return engine.call(() -> reader.apply(engine.timeline().machine()));
    }

    /** Reads guest memory at the current position; unreadable bytes are zero. */
    byte[] readMemory(long address, int length) throws DebugException {
        if (!suspended) {
            throw ReplayEngine.error("the replay is running; suspend it to read memory", null);
        }
        return engine.call(() -> {
            byte[] b = new byte[length];
            engine.timeline().machine().readMemory(address, b, 0, length);
            return b;
        });
    }

    // ---- breakpoints ----

    @Override
    public void breakpointAdded(IBreakpoint breakpoint) {
        if (!supportsBreakpoint(breakpoint) || terminated) {
            return;
        }
        try {
            if (breakpoint.isEnabled()) {
                change(() -> breakpoints.install(breakpoint));
            }
        } catch (CoreException e) {
            RewindDebugCore.log(e.getStatus());
        }
    }

    @Override
    public void breakpointRemoved(IBreakpoint breakpoint, IMarkerDelta delta) {
        if (!supportsBreakpoint(breakpoint) || terminated) {
            return;
        }
        change(() -> breakpoints.uninstall(breakpoint));
    }

    @Override
    public void breakpointChanged(IBreakpoint breakpoint, IMarkerDelta delta) {
        if (!supportsBreakpoint(breakpoint) || terminated) {
            return;
        }
        boolean enabled;
        try {
            enabled = breakpoint.isEnabled() && DebugPlugin.getDefault().getBreakpointManager().isEnabled();
        } catch (CoreException e) {
            return;
        }
        change(() -> {
            breakpoints.uninstall(breakpoint);
            if (enabled) {
                breakpoints.install(breakpoint);
            }
        });
    }

    /** Queues a breakpoint change for the engine thread (see {@link #breakpointChanges}). */
    private void change(Runnable c) {
        breakpointChanges.add(c);
        engine.submit(() -> {
            applyBreakpointChanges();
            return null;
        });
    }

    /** Engine thread. */
    private void applyBreakpointChanges() {
        for (Runnable c; (c = breakpointChanges.poll()) != null;) {
            c.run();
        }
    }

    /** The addresses a breakpoint is installed at in this replay (empty if its line has no code). */
    public List<Long> installedAddresses(IBreakpoint bp) throws DebugException {
        return engine.call(() -> breakpoints.addresses(bp));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getAdapter(Class<T> adapter) {
        if (adapter == ReplayTarget.class || adapter == IDebugTarget.class) {
            return (T) this;
        }
        return super.getAdapter(adapter);
    }
}
