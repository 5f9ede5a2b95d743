import java.nio.file.Path;

import dev.rewind.replay.ReplaySession;
import dev.rewind.replay.TimeTravel;

/**
 * Where Rewind's reverse-debugging time goes, without gdb or the socket: times the pieces of
 * {@code ReplaySession.seek} behind a reverse-stepi (snapshot restore vs. forward replay) and a
 * reverse-continue, at the depths of run.sh. A benchmark harness, not engine code (it reads the
 * host clock). Run with the launcher's classes:
 *   java -cp .rewind/classes scripts/bench-reverse/SeekProfile.java RUN.rrlog [SYMBOL_TICK_ADDR_HEX]
 */
public class SeekProfile {

    static double ms(long ns) {
        return ns / 1e6;
    }

    public static void main(String[] args) throws Exception {
        Path log = Path.of(args[0]);
        long tickAddr = args.length > 1 ? Long.parseUnsignedLong(args[1], 16) : -1;
        long[] depths = {1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L};
        try (ReplaySession s = ReplaySession.open(log, ReplaySession.Options.defaults())) {
            long end = Math.min(s.endIcount(), depths[depths.length - 1]);
            long t = System.nanoTime();
            s.seek(end);
            long fwd = System.nanoTime() - t;
            System.out.printf("forward replay 0 -> %d: %.0f ms = %.1f MIPS (taking %d snapshots, %d MiB)%n", end, ms(fwd),
                    end / (fwd / 1e3), s.snapshots().size(), s.snapshots().bytesUsed() >> 20);

            System.out.println("reverse-stepi = seek(now - 1): restore the snapshot at or before, replay the rest");
            System.out.println("   depth        1st bs ms  (replayed)   2nd..5th bs ms (replayed)   restore-only ms");
            for (long d : depths) {
                if (d > s.endIcount()) {
                    continue;
                }
                s.seek(d);
                long r0 = s.replayedInstructions();
                t = System.nanoTime();
                s.seek(d - 1);
                long first = System.nanoTime() - t;
                long firstInstr = s.replayedInstructions() - r0;
                r0 = s.replayedInstructions();
                t = System.nanoTime();
                for (int k = 2; k <= 5; k++) {
                    s.seek(d - k);
                }
                long next = (System.nanoTime() - t) / 4;
                long nextInstr = (s.replayedInstructions() - r0) / 4;
                // a seek to exactly a snapshot from after it replays nothing: the restore alone
                long snap = s.snapshots().floor(d - 6).icount();
                s.seek(d - 6);
                t = System.nanoTime();
                s.seek(snap);
                long restore = System.nanoTime() - t;
                System.out.printf("%10d  %12.1f  (%9d)  %14.1f  (%9d)  %12.2f%n", d, ms(first), firstInstr, ms(next), nextInstr,
                        ms(restore));
            }

            if (tickAddr >= 0) {
                TimeTravel travel = new TimeTravel(s);
                s.addBreakpoint(tickAddr);
                for (long d : new long[] {10_000_000L, 100_000_000L}) {
                    s.seek(d);
                    long r0 = s.replayedInstructions();
                    t = System.nanoTime();
                    TimeTravel.Stop stop = travel.continueBack();
                    long dt = System.nanoTime() - t;
                    System.out.printf("continueBack to tick from %d: %.1f ms, landed at %d (%s), replayed %d instructions"
                            + " (~%d breakpoint stops on the way)%n", d, ms(dt), stop.icount(), stop.kind(),
                            s.replayedInstructions() - r0, (s.replayedInstructions() - r0) / 18);
                }
                s.removeBreakpoint(tickAddr);
            }
        }
    }
}
