package dev.rewind.gdbstub.target;

import java.util.TreeMap;

import dev.rewind.emulator.StopReason;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.emulator.WatchHit;
import dev.rewind.gdbstub.BreakpointType;
import dev.rewind.gdbstub.DebugTarget;
import dev.rewind.gdbstub.Interruption;
import dev.rewind.gdbstub.ResumeMode;
import dev.rewind.gdbstub.StopEvent;
import dev.rewind.gdbstub.TargetException;

/**
 * A live machine as gdb sees it: forward execution only (reverse is not advertised), and the
 * debugger may change registers and RAM.
 */
public final class LiveTarget implements DebugTarget {

    /** Instructions between checks for gdb's Ctrl-C. */
    private static final long SLICE = 1_000_000L;

    private final VirtMachine machine;
    private final TreeMap<Long, BreakpointType> breakpoints = new TreeMap<>();
    private final WatchpointTable watches = new WatchpointTable();
    /** The hart gdb's register, memory and step requests go to. */
    private int selected;
    /** {@link #resumeAlone}: the next resume passes over other harts' breakpoint hits. */
    private boolean alone;

    public LiveTarget(VirtMachine machine) {
        this.machine = machine;
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
        return HartRegisters.read(machine.hart(selected), regnum);
    }

    @Override
    public void writeRegister(int regnum, long value) throws TargetException {
        if (regnum >= 0 && regnum < 32) {
            machine.hart(selected).setReg(regnum, value);
        } else if (regnum == REG_PC) {
            machine.hart(selected).setPc(value);
        } else if (!HartRegisters.writeFloat(machine.hart(selected), regnum, value)) {
            throw new TargetException(TargetException.EPERM, "register " + regnum + " cannot be written");
        }
    }

    @Override
    public int readMemory(long address, byte[] buffer, int offset, int length) {
        return machine.hart(selected).readMemory(address, buffer, offset, length);
    }

    @Override
    public void writeMemory(long address, byte[] data, int offset, int length) throws TargetException {
        try {
            machine.writePhysical(address, data, offset, length);
        } catch (IllegalArgumentException e) {
            throw new TargetException(TargetException.EFAULT, e.getMessage());
        }
    }

    @Override
    public boolean supportsReverse() {
        return false;
    }

    @Override
    public long icount() {
        return machine.icount();
    }

    @Override
    public int threads() {
        return machine.harts();
    }

    @Override
    public void selectThread(int hart) throws TargetException {
        HartRegisters.hart(machine, hart);
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
        try {
            return run(mode, interruption);
        } finally {
            alone = false; // for this resume only
            selected = machine.currentHart(); // the stop is about the hart that ran last
        }
    }

    /** Whether the hart at the machine's current position is one gdb holds stopped ({@link #resumeAlone}). */
    private boolean heldStill() {
        return alone && machine.currentHart() != selected;
    }

    private StopEvent run(ResumeMode mode, Interruption interruption) throws TargetException {
        if (mode.isReverse()) {
            throw new TargetException(TargetException.EINVAL, "a live run cannot go backwards: record it and use --replay");
        }
        watches.forgetDeleted();
        if (mode == ResumeMode.STEP && machine.harts() > 1) {
            return stepHart(interruption);
        }
        long limit = mode == ResumeMode.STEP ? machine.icount() + 1 : Long.MAX_VALUE;
        boolean first = true;
        while (true) {
            long now = machine.icount();
            if (now >= limit) {
                return StopEvent.stepped();
            }
            if (interruption.isRequested()) {
                return StopEvent.interrupted();
            }
            if (!first && breakpoints.containsKey(machine.pc()) && !heldStill()) {
                return StopEvent.breakpoint(breakpoints.get(machine.pc()));
            }
            first = false;
            StopReason r = machine.run(Math.min(limit, now + SLICE));
            switch (r) {
                case LIMIT -> {
                    // next slice
                }
                case BREAKPOINT -> {
                    if (heldStill()) {
                        first = true; // the next run passes the breakpoint this hart is at
                        continue;
                    }
                    return StopEvent.breakpoint(breakpoints.getOrDefault(machine.pc(), BreakpointType.SOFTWARE));
                }
                case WATCHPOINT -> {
                    // A live run cannot step back before the access; report it after, with the address.
                    WatchHit hit = machine.lastWatchHit();
                    return StopEvent.watchpoint(watches.typeOf(hit), watches.reportedAddress(hit));
                }
                case EXIT -> {
                    return StopEvent.exited(machine.exitCode());
                }
                case IDLE -> {
                    return StopEvent.exited(0);
                }
                case REQUESTED -> {
                    return StopEvent.interrupted();
                }
            }
        }
    }

    /** One instruction of the selected hart; the others run their turns meanwhile and stop at breakpoints. */
    private StopEvent stepHart(Interruption interruption) {
        long goal = machine.retired(selected) + 1;
        for (long n = 0; machine.retired(selected) < goal; n++) {
            if (n > 0 && machine.currentHart() != selected && breakpoints.containsKey(machine.pc())) {
                return StopEvent.breakpoint(breakpoints.get(machine.pc()));
            }
            if ((n & 0xfff) == 0 && interruption.isRequested()) {
                return StopEvent.interrupted();
            }
            StopReason r = machine.run(machine.icount() + 1);
            switch (r) {
                case LIMIT -> {
                    // one more instruction
                }
                case WATCHPOINT -> {
                    WatchHit hit = machine.lastWatchHit();
                    return StopEvent.watchpoint(watches.typeOf(hit), watches.reportedAddress(hit));
                }
                case EXIT, IDLE -> {
                    return StopEvent.exited(r == StopReason.EXIT ? machine.exitCode() : 0);
                }
                case REQUESTED -> {
                    return StopEvent.interrupted();
                }
                case BREAKPOINT -> {
                    return StopEvent.breakpoint(breakpoints.getOrDefault(machine.pc(), BreakpointType.SOFTWARE));
                }
            }
        }
        return StopEvent.stepped();
    }

    @Override
    public boolean insertBreakpoint(BreakpointType type, long address, int length) {
        if (type.isWatchpoint()) {
            long space = watches.add(type, address, length, () -> machine.hart(selected).addressSpaceOf(address));
            if (space != Long.MIN_VALUE) {
                machine.addWatchpoint(address, length, WatchpointTable.kind(type), space);
            }
        } else {
            breakpoints.put(address, type);
            machine.addBreakpoint(address);
        }
        return true;
    }

    @Override
    public boolean removeBreakpoint(BreakpointType type, long address, int length) {
        if (type.isWatchpoint()) {
            long space = watches.remove(type, address, length);
            if (space != Long.MIN_VALUE) {
                machine.removeWatchpoint(address, length, WatchpointTable.kind(type), space);
            }
        } else if (breakpoints.remove(address) != null) {
            machine.removeBreakpoint(address);
        }
        return true;
    }
}
