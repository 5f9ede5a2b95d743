import java.nio.file.Path;

import dev.rewind.emulator.ElfImage;
import dev.rewind.replay.Stop;
import dev.rewind.replay.Timeline;
import dev.rewind.replay.TimeTravel;

/**
 * Where Rewind's reverse-debugging time goes, without gdb or the socket: the engine's side of a
 * reverse-stepi (TimeTravel.stepBack) after each way of arriving at a position that run.sh uses
 * (a run to an icount, as replay_break + continue; a breakpoint stop; a seek), and of a
 * reverse-continue. "behind" is how far the nearest snapshot lies before the position: the
 * first step back replays that far. A benchmark harness, not engine code (it reads the host
 * clock). Run with the launcher's classes:
 *   java -cp "$(ls -d .rewind/build-*/ | tail -n 1)rewind.jar" scripts/bench-reverse/SeekProfile.java RUN.rrlog PROGRAM.elf
 */
public class SeekProfile {

    static double ms(long ns) {
        return ns / 1e6;
    }

    static long behind(Timeline s) {
        return s.icount() - s.snapshotAtOrBefore(s.icount() - 1);
    }

    /** Times seven reverse steps from the current position. */
    static String steps(TimeTravel travel) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            long t = System.nanoTime();
            travel.stepBack();
            sb.append(String.format(" %5.2f", ms(System.nanoTime() - t)));
        }
        return sb.toString();
    }

    public static void main(String[] args) throws Exception {
        Path log = Path.of(args[0]);
        ElfImage elf = ElfImage.read(Path.of(args[1]));
        long milestone = elf.symbol("milestone").orElseThrow();
        long tick = elf.symbol("tick").orElseThrow();
        long[] depths = {1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L};
        try (Timeline s = Timeline.open(log, Timeline.Options.defaults())) {
            TimeTravel travel = new TimeTravel(s);
            System.out.println("reverse-stepi (TimeTravel.stepBack) ms, steps 1..7, after arriving by:");
            for (long d : depths) {
                if (d > s.endIcount()) {
                    continue;
                }
                if (s.icount() > d) {
                    s.seek(s.startIcount());
                }
                long t = System.nanoTime();
                travel.runTo(d);
                long fwd = System.nanoTime() - t;
                long b = behind(s);
                System.out.printf("  run to %-11d (%6.0f ms, behind %7d):%s%n", d, ms(fwd), b, steps(travel));
            }
            s.stops().addBreakpoint(milestone);
            for (int i = 0; i < 3; i++) {
                travel.continueForward();
                travel.continueForward(); // past the hit the steps came back from
                long b = behind(s);
                System.out.printf("  break milestone at %-11d (behind %7d):%s%n", s.icount(), b, steps(travel));
            }
            s.stops().removeBreakpoint(milestone);
            for (long d : new long[] {500_000_000L, 250_000_000L}) {
                if (d <= s.endIcount()) {
                    travel.seek(d);
                    long b = behind(s);
                    System.out.printf("  seek to %-11d (behind %7d):%s%n", d, b, steps(travel));
                }
            }
            s.stops().addBreakpoint(tick);
            for (long d : new long[] {10_000_000L, 100_000_000L}) {
                travel.seek(d);
                long t = System.nanoTime();
                Stop stop = travel.continueBack();
                System.out.printf("continueBack to tick from %d: %.2f ms, landed at %d (%s)%n", d, ms(System.nanoTime() - t),
                        stop.icount(), stop.kind());
            }
            s.stops().removeBreakpoint(tick);
            System.out.printf("snapshots: %d, %d KiB%n", s.snapshotIcounts().length, s.snapshotBytes() >> 10);
        }
    }
}
