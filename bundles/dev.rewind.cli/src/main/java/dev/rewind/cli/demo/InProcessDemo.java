package dev.rewind.cli.demo;

import java.util.ArrayList;
import java.util.List;

import dev.rewind.emulator.VirtMachine;
import dev.rewind.emulator.WatchKind;
import dev.rewind.replay.Stop;
import dev.rewind.replay.StopConditions;
import dev.rewind.replay.Timeline;
import dev.rewind.replay.TimeTravel;
import dev.rewind.symbols.ElfSymbol;
import dev.rewind.symbols.FunctionInfo;
import dev.rewind.symbols.ProgramSymbols;
import dev.rewind.symbols.SourceLocation;

/**
 * Plays {@link DemoScript} on the engine directly, for machines without gdb-multiarch. Source
 * stepping follows gdb's rules closely enough for the -O0 sample: a frame is a function and a
 * stack pointer; "next" and "reverse-next" skip over callees, "reverse-finish" goes back to
 * the call instruction in the caller.
 */
public final class InProcessDemo {

    private static final int SP = 2;

    private final Timeline timeline;
    private final TimeTravel travel;
    private final ProgramSymbols symbols;
    private final List<Long> breakpoints = new ArrayList<>();
    private long watchAddress = -1;
    private int watchSize;

    public InProcessDemo(Timeline timeline, ProgramSymbols symbols) {
        this.timeline = timeline;
        this.travel = new TimeTravel(timeline);
        this.symbols = symbols;
    }

    public List<DemoStep> run() {
        List<DemoStep> steps = new ArrayList<>();
        for (String c : DemoScript.commands()) {
            if (c.startsWith("!")) {
                setup(c.substring(1));
            } else {
                String reason = move(c);
                steps.add(step(c, reason));
            }
        }
        return steps;
    }

    private void setup(String c) {
        if (c.startsWith("break ")) {
            long at = afterPrologue(c.substring(6).trim());
            breakpoints.add(at);
            timeline.stops().addBreakpoint(at);
        } else if (c.startsWith("watch ")) {
            ElfSymbol s = symbols.symbol(c.substring(6).trim());
            watchAddress = s.value();
            watchSize = (int) Math.max(1, s.size());
            timeline.stops().addWatchpoint(watchAddress, watchSize, WatchKind.WRITE);
        } else if (c.equals("delete")) {
            breakpoints.forEach(timeline.stops()::removeBreakpoint);
            breakpoints.clear();
            if (watchAddress >= 0) {
                timeline.stops().removeWatchpoint(watchAddress, watchSize, WatchKind.WRITE);
                watchAddress = -1;
            }
        }
    }

    private String move(String c) {
        Stop s = switch (c) {
            case "continue" -> travel.continueForward();
            case "reverse-continue" -> travel.continueBack();
            case "reverse-stepi" -> travel.stepBack();
            case "next" -> next();
            case "reverse-next" -> reverseNext();
            case "reverse-finish" -> reverseFinish();
            default -> throw new IllegalArgumentException("demo command " + c);
        };
        return switch (s.kind()) {
            case BREAKPOINT -> "breakpoint";
            case WATCHPOINT -> "watchpoint: total written";
            case HISTORY_BEGIN, HISTORY_END -> "end of recorded history";
            default -> "";
        };
    }

    private long sp() {
        return timeline.machine().reg(SP);
    }

    private String function(long pc) {
        FunctionInfo f = symbols.functionAt(pc);
        return f == null ? "?" : f.outermost().name();
    }

    private int line(long pc) {
        SourceLocation l = symbols.lineFor(pc);
        return l == null ? 0 : l.line();
    }

    /**
     * In a function called from the frame (f, sp0): below it on the stack, or a frameless leaf
     * (same sp, other function). The caller's frame is above it (greater sp).
     */
    private boolean inCallee(long sp0, String f) {
        long sp = sp();
        return sp < sp0 || (sp == sp0 && !function(timeline.machine().pc()).equals(f));
    }

    /** Forward over the current line, stepping over calls. */
    private Stop next() {
        VirtMachine m = timeline.machine();
        String f = function(m.pc());
        int line = line(m.pc());
        long sp0 = sp();
        while (true) {
            Stop s = travel.stepForward();
            if (s.kind() != Stop.Kind.STEP) {
                return s;
            }
            if (inCallee(sp0, f)) {
                continue;
            }
            if (!function(m.pc()).equals(f) || line(m.pc()) != line) {
                return s;
            }
        }
    }

    /** Back to the start of the previous line executed in this frame, stepping over calls. */
    private Stop reverseNext() {
        VirtMachine m = timeline.machine();
        String f = function(m.pc());
        int line = line(m.pc());
        long sp0 = sp();
        Stop s;
        while (true) {
            s = travel.stepBack();
            if (s.kind() != Stop.Kind.STEP) {
                return s;
            }
            if (inCallee(sp0, f)) {
                continue;
            }
            if (sp() > sp0 || !function(m.pc()).equals(f)) {
                return s; // stepped back out of the frame, into the caller
            }
            if (line(m.pc()) != line) {
                break;
            }
        }
        int previous = line(m.pc());
        long lastGood = timeline.icount();
        while (true) {
            s = travel.stepBack();
            if (s.kind() != Stop.Kind.STEP) {
                break;
            }
            if (inCallee(sp0, f)) {
                continue;
            }
            if (sp() == sp0 && function(m.pc()).equals(f) && line(m.pc()) == previous) {
                lastGood = timeline.icount();
                continue;
            }
            break;
        }
        return travel.seek(lastGood);
    }

    /** Back to the call of the current function: its entry, then one instruction more. */
    private Stop reverseFinish() {
        FunctionInfo f = symbols.functionAt(timeline.machine().pc());
        long entry = f.outermost().lowPc();
        Stop s = travel.continueBack(StopConditions.breakpointAt(entry));
        if (s.kind() != Stop.Kind.BREAKPOINT || s.pc() != entry) {
            return s;
        }
        return travel.stepBack();
    }

    /** Where gdb puts "break FUNC": the first address of the function's second line. */
    private long afterPrologue(String name) {
        ElfSymbol s = symbols.symbol(name);
        if (s == null) {
            throw new IllegalArgumentException("no function " + name + " in the program");
        }
        int first = line(s.value());
        for (long pc = s.value(); pc < s.value() + Math.max(s.size(), 2); pc += 2) {
            int l = line(pc);
            if (l != 0 && l != first) {
                return pc;
            }
        }
        return s.value();
    }

    private DemoStep step(String command, String reason) {
        long pc = timeline.machine().pc();
        SourceLocation l = symbols.lineFor(pc);
        return new DemoStep(command, reason, function(pc), l == null ? null : l.fileName(), l == null ? 0 : l.line(),
                timeline.icount());
    }
}
