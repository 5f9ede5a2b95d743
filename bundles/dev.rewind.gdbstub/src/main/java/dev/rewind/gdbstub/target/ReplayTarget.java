package dev.rewind.gdbstub.target;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import dev.rewind.emulator.WatchHit;
import dev.rewind.gdbstub.BreakpointType;
import dev.rewind.gdbstub.DebugTarget;
import dev.rewind.gdbstub.HmpReplayCommands;
import dev.rewind.gdbstub.Interruption;
import dev.rewind.gdbstub.MonitorCommands;
import dev.rewind.gdbstub.ReplayControl;
import dev.rewind.gdbstub.ResumeMode;
import dev.rewind.gdbstub.StopEvent;
import dev.rewind.gdbstub.TargetException;
import dev.rewind.replay.Stop;
import dev.rewind.replay.Timeline;
import dev.rewind.replay.TimeTravel;

/**
 * A recording as gdb sees it: forward and reverse execution on {@link TimeTravel}, registers
 * and memory read from the replayed machine, writes refused (a replay must not diverge).
 * Addresses are virtual, translated as the hart translates them at the current position (M, S or
 * U mode, Sv39); an address that does not translate reads as an error. A watchpoint on a
 * process's own page watches that address space only; {@code monitor pwatch} watches physical
 * addresses. A stop at a trap handler's entry, or in another privilege level than the movement
 * started in, says so on gdb's console ({@link StopNote}).
 *
 * <p>gdb treats RISC-V watchpoints as non-steppable: after a watchpoint stop it steps over the
 * reported instruction itself. So watchpoint stops are placed next to the access in the
 * direction of travel: forwards before the load/store executes, backwards just after it.
 */
public final class ReplayTarget implements DebugTarget, ReplayControl {

    private final Timeline timeline;
    private final TimeTravel travel;
    private final TreeMap<Long, BreakpointType> breakpoints = new TreeMap<>();
    private final WatchpointTable watches = new WatchpointTable();
    private long replayBreak = -1;
    private final QueryMonitorCommands queries;
    /** The hart gdb's register, memory and step requests go to. */
    private int selected;
    /** {@link #resumeAlone}: the next resume is the selected hart's alone (see {@link HartSteps#alone}). */
    private boolean alone;
    /** The last resume stopped on the hart resumed alone. */
    private boolean aloneStop;
    private final PhysicalWatches physical;

    public ReplayTarget(Timeline timeline) {
        this.timeline = timeline;
        this.travel = new TimeTravel(timeline);
        this.queries = new QueryMonitorCommands(timeline, () -> selected);
        this.physical = new PhysicalWatches(timeline, queries);
    }

    public Timeline timeline() {
        return timeline;
    }

    @Override
    public int[] csrNumbers() {
        return HartRegisters.CSRS.clone();
    }

    @Override
    public boolean hasFloatingPoint() {
        return true;
    }

    @Override
    public long readRegister(int regnum) throws TargetException {
        return HartRegisters.read(timeline.machine().hart(selected), regnum);
    }

    @Override
    public void writeRegister(int regnum, long value) throws TargetException {
        throw new TargetException(TargetException.EPERM, "registers cannot be changed while replaying a recording: history is read-only (replay follows the recorded log)");
    }

    @Override
    public int readMemory(long address, byte[] buffer, int offset, int length) {
        return timeline.machine().hart(selected).readMemory(address, buffer, offset, length);
    }

    @Override
    public void writeMemory(long address, byte[] data, int offset, int length) throws TargetException {
        throw new TargetException(TargetException.EPERM, "memory cannot be changed while replaying a recording: history is read-only (replay follows the recorded log)");
    }

    @Override
    public boolean supportsReverse() {
        return true;
    }

    @Override
    public long icount() {
        return timeline.icount();
    }

    @Override
    public int threads() {
        return timeline.machine().harts();
    }

    @Override
    public void selectThread(int hart) throws TargetException {
        HartRegisters.hart(timeline.machine(), hart);
        selected = hart;
    }

    @Override
    public void resumeAlone(boolean alone) {
        this.alone = alone;
    }

    @Override
    public int selectedThread() {
        return selected;
    }

    @Override
    public StopEvent resume(ResumeMode mode, Interruption interruption) throws TargetException {
        timeline.interruptWhen(interruption::isRequested);
        watches.forgetDeleted();
        int privilege = timeline.machine().privilege();
        boolean harts = timeline.machine().harts() > 1;
        int stepped = selected;
        StopEvent result = null;
        aloneStop = false;
        try {
            StopEvent e = switch (mode) {
                case STEP -> harts ? HartSteps.forward(this, timeline, selected, breakpoints) : step();
                case CONTINUE -> forward();
                case REVERSE_STEP -> harts ? HartSteps.back(timeline, selected) : stepBack();
                case REVERSE_CONTINUE -> backward();
            };
            String note = StopNote.of(timeline.machine(), privilege);
            result = note == null ? e : e.withNote(e.note() == null ? note : e.note() + note);
            return result;
        } catch (RuntimeException e) {
            throw new TargetException(TargetException.EINVAL, "replay failed: " + e.getMessage());
        } finally {
            timeline.interruptWhen(null);
            alone = false; // for this resume only
            // The stop is about the hart whose turn it is there: the one at the breakpoint or
            // watched access. A completed step of one hart of several is that hart's: where its
            // previous instruction began a turn, the machine still names the hart whose turn ended;
            // so is the stop of a hart resumed alone at the end of its turn.
            boolean ownStep = harts && (mode == ResumeMode.STEP || mode == ResumeMode.REVERSE_STEP) && result != null
                    && result.reason() == StopEvent.Reason.STEPPED || aloneStop;
            selected = ownStep ? stepped : timeline.machine().currentHart();
        }
    }

    StopEvent step() {
        long before = timeline.icount();
        Stop s = travel.stepForward();
        if (isPhysical(s)) {
            return StopEvent.stepped(); // gdb knows nothing of it: the step completed
        }
        if (s.kind() == Stop.Kind.WATCHPOINT) {
            timeline.seek(before); // stop before the access; gdb steps over it itself
        } else if (s.kind() == Stop.Kind.BREAKPOINT || s.kind() == Stop.Kind.HISTORY_END && s.icount() != before) {
            return StopEvent.stepped(); // the step itself completed
        }
        return reply(s);
    }

    private StopEvent forward() {
        boolean toBreak = replayBreak > timeline.icount();
        if (alone && !toBreak && timeline.machine().harts() > 1) {
            StopEvent own = HartSteps.alone(this, timeline, selected, breakpoints);
            if (own != null) {
                aloneStop = true;
                return own;
            }
        }
        long start = timeline.icount();
        Stop s = toBreak ? travel.runTo(replayBreak) : travel.continueForward();
        while (isPhysical(s) && s.icount() - 1 == start
                || alone && s.kind() == Stop.Kind.BREAKPOINT && timeline.machine().currentHart() != selected) {
            // gdb cannot step over an access it does not know: leave the one we stand on; and once
            // the hart resumed alone ended its turn elsewhere, harts gdb holds stopped do not take
            // breakpoints (the next run passes the one it is at)
            s = toBreak ? travel.runTo(replayBreak) : travel.continueForward();
        }
        if (isPhysical(s)) {
            timeline.seek(s.icount() - 1); // at the accessing instruction
            return StopEvent.signalled(5).withNote(physical.describeHit(s.watch()));
        }
        if (s.kind() == Stop.Kind.WATCHPOINT) {
            timeline.seek(s.icount() - 1); // before the access
        } else if (s.kind() == Stop.Kind.STEP) {
            replayBreak = -1; // reached the monitor's replay_break: it fires once, as in QEMU
        }
        return reply(s);
    }

    private StopEvent stepBack() {
        long now = timeline.icount();
        if (now <= timeline.startIcount()) {
            return StopEvent.historyBegin();
        }
        travel.stepBack();
        long previous = timeline.icount();
        if (!watches.isEmpty()) {
            // Undoing a watched access: stay just after it and report it, as gdb expects.
            Stop redo = travel.stepForward();
            if (redo.kind() == Stop.Kind.WATCHPOINT && !isPhysical(redo)) {
                return watchEvent(redo.watch());
            }
            timeline.seek(previous);
        }
        return StopEvent.stepped();
    }

    private StopEvent backward() {
        Stop s = travel.continueBack();
        if (isPhysical(s)) {
            return StopEvent.signalled(5).withNote(physical.describeHit(s.watch())); // at the accessing instruction
        }
        if (s.kind() == Stop.Kind.WATCHPOINT) {
            timeline.seek(s.icount() + 1); // just after the access; gdb steps back over it
        }
        return reply(s);
    }

    /** How far ahead {@link #warmUp} steps back from, and how many steps it takes. */
    static final long WARM_UP_DISTANCE = 1_000_000;
    static final int WARM_UP_STEPS = 24;

    /**
     * Runs what gdb's reverse-stepi runs here (a step back: snapshot restore and replay, the stop
     * note, then the register and memory reads gdb makes at a stop) a few times, a little ahead
     * of the current position, and comes back to exactly where the replay was. Before gdb
     * connects, so that its first reverse-stepi does not pay for loading and first running that
     * code (10-18 ms against ~1 ms for the next ones). The replay's state and history are as
     * before; the in-memory snapshots it leaves are the replay's own.
     */
    public void warmUp() throws TargetException {
        long here = timeline.icount();
        int hart = selected;
        long to = Math.min(timeline.endIcount(), here + WARM_UP_DISTANCE);
        if (to - here <= WARM_UP_STEPS) {
            return;
        }
        timeline.seek(to);
        byte[] buffer = new byte[64];
        for (int i = 0; i < WARM_UP_STEPS; i++) {
            resume(ResumeMode.REVERSE_STEP, () -> false);
            for (int r = 0; r <= 32; r++) {
                readRegister(r);
            }
            long pc = readRegister(32);
            readMemory(pc, buffer, 0, 4);
            readMemory(pc - 4, buffer, 0, 4);
            readMemory(readRegister(2), buffer, 0, 64);
        }
        timeline.seek(here);
        selected = hart;
    }

    /** The stop reply for where a movement stopped (watchpoint stops already placed next to the access). */
    private StopEvent reply(Stop s) {
        return switch (s.kind()) {
            case STEP -> StopEvent.stepped();
            case BREAKPOINT -> StopEvent.breakpoint(breakpoints.getOrDefault(s.pc(), BreakpointType.SOFTWARE));
            case WATCHPOINT -> watchEvent(s.watch());
            case HISTORY_BEGIN -> StopEvent.historyBegin();
            case HISTORY_END -> StopEvent.historyEnd();
            case INTERRUPTED -> StopEvent.interrupted();
        };
    }

    private static boolean isPhysical(Stop s) {
        return s.kind() == Stop.Kind.WATCHPOINT && s.watch().physical();
    }

    StopEvent watchEvent(WatchHit hit) {
        return StopEvent.watchpoint(watches.typeOf(hit), watches.reportedAddress(hit));
    }

    @Override
    public boolean insertBreakpoint(BreakpointType type, long address, int length) {
        if (type.isWatchpoint()) {
            // A watchpoint on a process's own memory watches that process only (see DebugView#addressSpaceOf).
            long space = watches.add(type, address, length, () -> timeline.machine().hart(selected).addressSpaceOf(address));
            if (space != Long.MIN_VALUE) {
                timeline.stops().addWatchpoint(address, length, WatchpointTable.kind(type), space);
            }
        } else {
            breakpoints.put(address, type);
            timeline.stops().addBreakpoint(address);
        }
        return true;
    }

    @Override
    public boolean removeBreakpoint(BreakpointType type, long address, int length) {
        if (type.isWatchpoint()) {
            long space = watches.remove(type, address, length);
            if (space != Long.MIN_VALUE) {
                timeline.stops().removeWatchpoint(address, length, WatchpointTable.kind(type), space);
            }
        } else if (breakpoints.remove(address) != null) {
            timeline.stops().removeBreakpoint(address);
        }
        return true;
    }

    @Override
    public MonitorCommands monitorCommands() {
        return new HmpReplayCommands(this, new BookmarkCommands(timeline, physical));
    }

    // ---- ReplayControl: QEMU's HMP replay commands ----

    @Override
    public boolean isReplaying() {
        return true;
    }

    @Override
    public boolean isRecording() {
        return false;
    }

    @Override
    public String recordingName() {
        return timeline.session().logFile().getFileName().toString();
    }

    @Override
    public void setReplayBreak(long icount) throws TargetException {
        if (icount <= timeline.icount() || icount > timeline.endIcount()) {
            throw new TargetException(TargetException.EINVAL, "replay_break: icount " + icount
                    + " is not ahead of the current position " + timeline.icount() + " within the recording (ends at "
                    + timeline.endIcount() + ")");
        }
        replayBreak = icount;
    }

    @Override
    public void deleteReplayBreak() {
        replayBreak = -1;
    }

    @Override
    public void seek(long icount) throws TargetException {
        if (icount < timeline.startIcount() || icount > timeline.endIcount()) {
            throw new TargetException(TargetException.EINVAL, "replay_seek: icount " + icount + " is outside the recording ("
                    + timeline.startIcount() + ".." + timeline.endIcount() + ")");
        }
        timeline.seek(icount);
    }

    @Override
    public String snapshotMemory() {
        return String.format(java.util.Locale.ROOT, "in-memory snapshots: %.1f MiB of a %.1f MiB budget",
                timeline.snapshotBytes() / 1048576.0, timeline.snapshotBudget() / 1048576.0);
    }

    @Override
    public List<Snapshot> snapshots() {
        List<Snapshot> out = new ArrayList<>();
        for (var s : timeline.savedSnapshots()) {
            out.add(new Snapshot(s.id(), s.name(), s.icount()));
        }
        int n = 0;
        for (long icount : timeline.snapshotIcounts()) {
            out.add(new Snapshot("m" + (++n), "(memory)", icount));
        }
        return out;
    }
}
