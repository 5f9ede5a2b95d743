package dev.rewind.replay;

import java.io.IOException;
import java.util.Arrays;

import dev.rewind.emulator.MachineState;
import dev.rewind.emulator.VirtMachine;

/**
 * The snapshots a recording persists as it goes ({@code --snapshot-every N}): one every N
 * instructions, and when it ends, the last {@link #CLOSE}-instruction boundary before its end,
 * so that a replay going to the end replays at most that far. States are captured incrementally
 * (the pages written since the previous capture, over the previous state), so keeping the
 * boundary in memory costs well under a millisecond per {@value #CLOSE} instructions.
 */
final class RecordingSnapshots {

    /** Distance of the kept boundaries: a replay covers it in well under a second. */
    static final long CLOSE = 10_000_000L;

    /** A captured position: full state, log events consumed, console bytes written. */
    private record Point(MachineState state, long events, int consoleLength) {
    }

    private final SnapshotImage image;
    private final ConsoleHistory console;
    private final long every;
    private MachineState chain;
    private Point last;
    private Point beforeLast;
    private long periods;
    /** Position of the latest periodic one persisted. */
    private long lastPeriodic = -1;
    private long taken;

    /** Starts the incremental chain at the machine's current state (after the start snapshot). */
    RecordingSnapshots(SnapshotImage image, ConsoleHistory console, long every, VirtMachine machine) {
        this.image = image;
        this.console = console;
        this.every = every;
        this.chain = machine.saveState();
        this.periods = machine.icount() / every;
    }

    /** The next icount after {@code now} where {@link #at} wants to be called. */
    long nextStop(long now) {
        return Math.min((now / CLOSE + 1) * CLOSE, (now / every + 1) * every);
    }

    /** Periodic snapshots persisted so far. */
    long taken() {
        return taken;
    }

    /**
     * The machine stopped at a clean point (no half-done block request) after {@code events}
     * log events: captures a boundary there, and persists it if a period has passed.
     */
    void at(VirtMachine machine, long events) throws IOException {
        long at = machine.icount();
        boolean periodic = at / every > periods;
        if (at % CLOSE != 0 && !periodic) {
            return;
        }
        chain = machine.saveDelta().over(chain);
        Point p = new Point(chain, events, console.length());
        if (last == null || last.state().icount() != at) {
            beforeLast = last;
            last = p;
        }
        if (periodic) {
            persist(p);
            lastPeriodic = at;
            periods = at / every;
            taken++;
        }
    }

    /** The recording ends at {@code end}: persists the last boundary before it, unless already persisted. */
    void finish(long end) throws IOException {
        Point p = last != null && last.state().icount() < end ? last : beforeLast;
        if (p != null && p.state().icount() != lastPeriodic) {
            persist(p);
        }
    }

    private void persist(Point p) throws IOException {
        image.save("auto-" + p.state().icount(), p.state(), p.events(), Arrays.copyOf(console.toByteArray(), p.consoleLength()));
    }
}
