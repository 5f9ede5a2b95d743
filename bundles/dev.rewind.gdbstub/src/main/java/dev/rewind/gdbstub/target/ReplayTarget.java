package dev.rewind.gdbstub.target;

import java.nio.file.Files;
import java.nio.file.Path;
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
import dev.rewind.qcow2.Qcow2Image;
import dev.rewind.replay.ReplaySession;
import dev.rewind.replay.TimeTravel;

/**
 * A recording as gdb sees it: forward and reverse execution on {@link TimeTravel}, registers
 * and memory read from the replayed machine, writes refused (a replay must not diverge).
 *
 * <p>gdb treats RISC-V watchpoints as non-steppable: after a watchpoint stop it steps over the
 * reported instruction itself. So watchpoint stops are placed next to the access in the
 * direction of travel: forwards before the load/store executes, backwards just after it.
 */
public final class ReplayTarget implements DebugTarget, ReplayControl {

    private final ReplaySession session;
    private final TimeTravel travel;
    private final TreeMap<Long, BreakpointType> breakpoints = new TreeMap<>();
    private final WatchpointTable watches = new WatchpointTable();
    private long replayBreak = -1;
    private final QueryMonitorCommands queries;
    /** The hart gdb's register, memory and step requests go to. */
    private int selected;

    public ReplayTarget(ReplaySession session) {
        this.session = session;
        this.travel = new TimeTravel(session);
        this.queries = new QueryMonitorCommands(session);
    }

    public ReplaySession session() {
        return session;
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
        return HartRegisters.read(session.machine().hart(selected), regnum);
    }

    @Override
    public void writeRegister(int regnum, long value) throws TargetException {
        throw new TargetException(TargetException.EPERM, "registers cannot be changed while replaying a recording");
    }

    @Override
    public int readMemory(long address, byte[] buffer, int offset, int length) {
        return session.machine().hart(selected).readMemory(address, buffer, offset, length);
    }

    @Override
    public void writeMemory(long address, byte[] data, int offset, int length) throws TargetException {
        throw new TargetException(TargetException.EPERM, "memory cannot be changed while replaying a recording");
    }

    @Override
    public boolean supportsReverse() {
        return true;
    }

    @Override
    public long icount() {
        return session.icount();
    }

    @Override
    public int threads() {
        return session.machine().harts();
    }

    @Override
    public void selectThread(int hart) throws TargetException {
        HartRegisters.hart(session.machine(), hart);
        selected = hart;
    }

    @Override
    public int selectedThread() {
        return selected;
    }

    @Override
    public StopEvent resume(ResumeMode mode, Interruption interruption) throws TargetException {
        session.interruptWhen(interruption::isRequested);
        boolean harts = session.machine().harts() > 1;
        try {
            return switch (mode) {
                case STEP -> harts ? HartSteps.forward(this, session, selected, breakpoints) : step();
                case CONTINUE -> forward();
                case REVERSE_STEP -> harts ? HartSteps.back(session, selected) : stepBack();
                case REVERSE_CONTINUE -> backward();
            };
        } catch (RuntimeException e) {
            throw new TargetException(TargetException.EINVAL, "replay failed: " + e.getMessage());
        } finally {
            session.interruptWhen(null);
            // The stop is about the hart whose turn it is there: the one at the breakpoint or
            // watched access, or the stepped one.
            selected = session.machine().currentHart();
        }
    }

    StopEvent step() {
        long before = session.icount();
        TimeTravel.Stop s = travel.stepForward();
        switch (s.kind()) {
            case WATCHPOINT -> {
                session.seek(before); // stop before the access; gdb steps over it itself
                return watchEvent(s.watch());
            }
            case HISTORY_END -> {
                return session.icount() == before ? StopEvent.historyEnd() : StopEvent.stepped();
            }
            case INTERRUPTED -> {
                return StopEvent.interrupted();
            }
            default -> {
                return StopEvent.stepped();
            }
        }
    }

    private StopEvent forward() {
        boolean toBreak = replayBreak > session.icount();
        TimeTravel.Stop s = toBreak ? travel.runTo(replayBreak) : travel.continueForward();
        switch (s.kind()) {
            case BREAKPOINT -> {
                return StopEvent.breakpoint(breakpoints.getOrDefault(s.pc(), BreakpointType.SOFTWARE));
            }
            case WATCHPOINT -> {
                session.seek(s.icount() - 1); // before the access
                return watchEvent(s.watch());
            }
            case HISTORY_END -> {
                return StopEvent.historyEnd();
            }
            case INTERRUPTED -> {
                return StopEvent.interrupted();
            }
            default -> {
                replayBreak = -1; // reached the monitor's replay_break: it fires once, as in QEMU
                return StopEvent.stepped();
            }
        }
    }

    private StopEvent stepBack() {
        long now = session.icount();
        if (now <= session.startIcount()) {
            return StopEvent.historyBegin();
        }
        travel.stepBack();
        long previous = session.icount();
        if (!watches.isEmpty()) {
            // Undoing a watched access: stay just after it and report it, as gdb expects.
            TimeTravel.Stop redo = travel.stepForward();
            if (redo.kind() == TimeTravel.Stop.Kind.WATCHPOINT) {
                return watchEvent(redo.watch());
            }
            session.seek(previous);
        }
        return StopEvent.stepped();
    }

    private StopEvent backward() {
        TimeTravel.Stop s = travel.continueBack();
        switch (s.kind()) {
            case BREAKPOINT -> {
                return StopEvent.breakpoint(breakpoints.getOrDefault(s.pc(), BreakpointType.SOFTWARE));
            }
            case WATCHPOINT -> {
                session.seek(s.icount() + 1); // just after the access; gdb steps back over it
                return watchEvent(s.watch());
            }
            case INTERRUPTED -> {
                return StopEvent.interrupted();
            }
            default -> {
                return StopEvent.historyBegin();
            }
        }
    }

    StopEvent watchEvent(WatchHit hit) {
        return StopEvent.watchpoint(watches.typeOf(hit), watches.reportedAddress(hit));
    }

    @Override
    public boolean insertBreakpoint(BreakpointType type, long address, int length) {
        if (type.isWatchpoint()) {
            if (watches.add(type, address, length)) {
                session.addWatchpoint(address, length, WatchpointTable.kind(type));
            }
        } else {
            breakpoints.put(address, type);
            session.addBreakpoint(address);
        }
        return true;
    }

    @Override
    public boolean removeBreakpoint(BreakpointType type, long address, int length) {
        if (type.isWatchpoint()) {
            if (watches.remove(type, address, length)) {
                session.removeWatchpoint(address, length, WatchpointTable.kind(type));
            }
        } else if (breakpoints.remove(address) != null) {
            session.removeBreakpoint(address);
        }
        return true;
    }

    @Override
    public MonitorCommands monitorCommands() {
        return new HmpReplayCommands(this, queries);
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
        return session.logFile().getFileName().toString();
    }

    @Override
    public void setReplayBreak(long icount) throws TargetException {
        if (icount <= session.icount() || icount > session.endIcount()) {
            throw new TargetException(TargetException.EINVAL, "replay_break: icount " + icount
                    + " is not ahead of the current position " + session.icount() + " within the recording (ends at "
                    + session.endIcount() + ")");
        }
        replayBreak = icount;
    }

    @Override
    public void deleteReplayBreak() {
        replayBreak = -1;
    }

    @Override
    public void seek(long icount) throws TargetException {
        if (icount < session.startIcount() || icount > session.endIcount()) {
            throw new TargetException(TargetException.EINVAL, "replay_seek: icount " + icount + " is outside the recording ("
                    + session.startIcount() + ".." + session.endIcount() + ")");
        }
        session.seek(icount);
    }

    @Override
    public List<Snapshot> snapshots() {
        List<Snapshot> out = new ArrayList<>();
        String image = session.log().header().snapshotImagePath();
        if (image != null && Files.exists(Path.of(image))) {
            try (Qcow2Image img = Qcow2Image.openReadOnly(Path.of(image))) {
                for (var s : img.snapshots()) {
                    out.add(new Snapshot(s.id(), s.name(), s.hasIcount() ? s.icount() : -1));
                }
            } catch (java.io.IOException e) {
                // listing is informational; the in-memory snapshots still follow
            }
        }
        int n = 0;
        for (long icount : session.snapshots().icounts()) {
            out.add(new Snapshot("m" + (++n), "(memory)", icount));
        }
        return out;
    }
}
