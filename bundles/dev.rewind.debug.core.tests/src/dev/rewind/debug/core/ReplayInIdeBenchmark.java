package dev.rewind.debug.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.model.IRegister;
import org.eclipse.debug.core.model.IRegisterGroup;
import org.eclipse.debug.core.model.IStackFrame;
import org.junit.Test;

import dev.rewind.debug.core.launch.LaunchAttributes;
import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.replay.Timeline;
import dev.rewind.replay.Stop;

/**
 * Not a test (its name keeps it out of the normal run): replay speed in the debug model against
 * {@link Timeline} alone, and the cost of a stop plus a views refresh at several history
 * depths. Run with {@code -Dtest=ReplayInIdeBenchmark}; figures go to stdout and
 * {@code target/replay-in-ide-benchmark.txt}.
 */
public class ReplayInIdeBenchmark {

    private static final long LENGTH = 3_000_000_000L;

    @Test
    public void ideReplaySpeedAndStopCostAreMeasuredAgainstTheEngine() throws Exception {
        Path elf = Guests.elf("compute-endless");
        Path dir = Files.createTempDirectory("rewind-bench");
        Path rec = dir.resolve("compute.rrlog");
        ILaunchConfigurationWorkingCopy wc = Launches.record("bench record", elf, rec);
        wc.setAttribute(LaunchAttributes.MAX_ICOUNT, Long.toString(LENGTH));
        ILaunch l = wc.launch(ILaunchManager.RUN_MODE, null);
        Launches.awaitTerminated(l);
        StringBuilder out = new StringBuilder();
        out.append(l.getProcesses()[0].getStreamsProxy().getErrorStreamMonitor().getContents().strip()).append('\n');

        double direct = 0;
        double ide = 0;
        for (int round = 1; round <= 3; round++) {
            try (Timeline s = Timeline.open(rec, Timeline.Options.defaults().withProgram(elf))) {
                long t0 = System.nanoTime();
                Stop r = s.run(Long.MAX_VALUE);
                long ns = System.nanoTime() - t0;
                assertEquals(Stop.Kind.HISTORY_END, r.kind());
                direct = Math.max(direct, s.icount() / (ns / 1e3));
                out.append(String.format("round %d: Timeline.run to the end: %,d instructions in %.0f ms = %.1f MIPS%n",
                        round, s.icount(), ns / 1e6, s.icount() / (ns / 1e3)));
            }
            ILaunch launch = Launches.replay("bench replay", elf, rec).launch(ILaunchManager.DEBUG_MODE, null);
            ReplayTarget t = (ReplayTarget) launch.getDebugTarget();
            try {
                t.resume();
                Launches.awaitSuspended(t);
                assertEquals(Stop.Kind.HISTORY_END, t.state().stop().kind());
                double mips = t.state().icount() / (t.lastMoveNanos() / 1e3);
                ide = Math.max(ide, mips);
                out.append(String.format("round %d: debug model Resume to the end: %,d instructions in %.0f ms = %.1f MIPS%n",
                        round, t.state().icount(), t.lastMoveNanos() / 1e6, mips));
                if (round == 3) {
                    depths(t, out);
                    suspendLatency(t, out);
                }
            } finally {
                launch.terminate();
            }
        }
        out.append(String.format("best: Timeline %.1f MIPS, debug model %.1f MIPS, ratio %.2f%n", direct, ide, ide / direct));
        report(out.toString());
        assertTrue("IDE replay slower than 80% of the engine's speed", ide >= 0.8 * direct);
    }

    private static void depths(ReplayTarget t, StringBuilder out) throws Exception {
        for (long depth : new long[] {1_000_000L, 50_000_000L, 150_000_000L, 299_000_000L}) {
            t.seek(depth);
            Launches.awaitSuspended(t);
            long seek = t.lastMoveNanos();
            long capture = t.lastCaptureNanos();
            long refresh = refreshViews(t);
            t.stepInto();
            Launches.awaitSuspended(t);
            long step = t.lastMoveNanos();
            t.reverseStepInto();
            Launches.awaitSuspended(t);
            long back = t.lastMoveNanos();
            long backCapture = t.lastCaptureNanos();
            long backRefresh = refreshViews(t);
            out.append(String.format("depth %,d: seek %.1f ms; at the stop: state capture %.2f ms + views refresh %.2f ms;"
                    + " step into %.1f ms; reverse step into %.1f ms (capture %.2f ms + refresh %.2f ms)%n", depth,
                    seek / 1e6, capture / 1e6, refresh / 1e6, step / 1e6, back / 1e6, backCapture / 1e6, backRefresh / 1e6));
        }
    }

    /** What the Debug, Registers and Variables views ask for after a stop. */
    private static long refreshViews(ReplayTarget t) throws Exception {
        long t0 = System.nanoTime();
        int n = 0;
        t.hart().getName();
        for (IStackFrame f : t.hart().getStackFrames()) {
            f.getName();
            f.getVariables();
            for (IRegisterGroup g : f.getRegisterGroups()) {
                for (IRegister r : g.getRegisters()) {
                    n += r.getValue().getValueString().length();
                }
            }
        }
        t.getMemoryBlock(t.state().regs()[2], 256).getBytes();
        assertTrue(n > 0);
        return System.nanoTime() - t0;
    }

    private static void suspendLatency(ReplayTarget t, StringBuilder out) throws Exception {
        t.seek(0);
        Launches.awaitSuspended(t);
        t.resume();
        Thread.sleep(300);
        long t0 = System.nanoTime();
        t.suspend();
        Launches.awaitSuspended(t);
        long ns = System.nanoTime() - t0;
        out.append(String.format("suspend of a running replay: suspended after %.1f ms at icount %,d (%s)%n", ns / 1e6,
                t.state().icount(), t.state().stop().kind()));
    }

    private static void report(String text) throws Exception {
        PrintStream o = System.out;
        o.println("---- replay in the IDE ----");
        o.print(text);
        Files.writeString(Path.of("target/replay-in-ide-benchmark.txt"), text);
    }
}
