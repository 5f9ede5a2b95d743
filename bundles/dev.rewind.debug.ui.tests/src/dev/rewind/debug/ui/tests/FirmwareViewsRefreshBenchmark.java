package dev.rewind.debug.ui.tests;

import static dev.rewind.debug.ui.tests.ReverseDebuggingWorkbenchTest.guest;
import static dev.rewind.debug.ui.tests.ReverseDebuggingWorkbenchTest.waitUntil;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.model.IRegister;
import org.eclipse.debug.core.model.IRegisterGroup;
import org.eclipse.debug.core.model.IStackFrame;
import org.eclipse.debug.ui.IDebugUIConstants;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.PlatformUI;
import org.junit.Test;

import dev.rewind.debug.core.launch.LaunchAttributes;
import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.debug.ui.views.DisassemblyView;
import dev.rewind.debug.ui.views.PeripheralsView;

/**
 * Not a test (its name keeps it out of the normal run): what refreshing the firmware views costs
 * after an instruction step at depth 1e9 of a recording, forwards and backwards. Per view the
 * time from the stop until its new state is on screen (Disassembly, Peripherals: every register
 * of every device), plus the Registers view's groups and a 256-byte Memory view block read
 * through the model. Run with {@code -Dtest=FirmwareViewsRefreshBenchmark}; medians go to stdout
 * and {@code target/firmware-views-refresh.txt}.
 */
public class FirmwareViewsRefreshBenchmark {

    private static final long DEPTH = Long.getLong("rewind.bench.depth", 1_000_000_000L);
    private static final int STEPS = 41;

    @Test
    public void refreshCostOfTheFirmwareViewsAfterAStepAtDepth() throws Exception {
        Path elf = guest("compute-endless");
        Path rec = Files.createTempDirectory("rewind-views-bench").resolve("compute.rrlog");
        ILaunchManager lm = DebugPlugin.getDefault().getLaunchManager();
        ILaunchConfigurationWorkingCopy wc = lm.getLaunchConfigurationType(LaunchAttributes.RECORD_TYPE)
                .newInstance(null, "bench record");
        wc.setAttribute(LaunchAttributes.PROGRAM, elf.toString());
        wc.setAttribute(LaunchAttributes.RECORDING, rec.toString());
        wc.setAttribute(LaunchAttributes.MAX_ICOUNT, Long.toString(DEPTH + 1_000_000));
        ILaunch recorded = wc.launch(ILaunchManager.RUN_MODE, null);
        waitUntil(recorded::isTerminated, "the recording");
        ILaunchConfigurationWorkingCopy rep = lm.getLaunchConfigurationType(LaunchAttributes.REPLAY_TYPE)
                .newInstance(null, "bench replay");
        rep.setAttribute(LaunchAttributes.PROGRAM, elf.toString());
        rep.setAttribute(LaunchAttributes.RECORDING, rec.toString());
        ILaunch launch = rep.launch(ILaunchManager.DEBUG_MODE, null);
        ReplayTarget t = (ReplayTarget) launch.getDebugTarget();
        try {
            IWorkbenchPage page = PlatformUI.getWorkbench().getActiveWorkbenchWindow().getActivePage();
            PlatformUI.getWorkbench().showPerspective(IDebugUIConstants.ID_DEBUG_PERSPECTIVE,
                    PlatformUI.getWorkbench().getActiveWorkbenchWindow());
            DisassemblyView dis = (DisassemblyView) page.showView(DisassemblyView.ID);
            PeripheralsView per = (PeripheralsView) page.showView(PeripheralsView.ID, null, IWorkbenchPage.VIEW_VISIBLE);
            dis.setTarget(t);
            per.setTarget(t);
            t.seek(DEPTH);
            waitUntil(() -> t.isSuspended() && t.state().icount() == DEPTH, "the seek to depth");
            long[] disNs = new long[STEPS], perNs = new long[STEPS], regNs = new long[STEPS], memNs = new long[STEPS],
                    moveNs = new long[STEPS];
            for (int i = 0; i < STEPS; i++) {
                if (i % 2 == 0) {
                    t.stepInstruction();
                } else {
                    t.reverseStepInstruction();
                }
                waitUntil(() -> t.isSuspended() && dis.shownIcount() == t.state().icount()
                        && per.shownIcount() == t.state().icount(), "the views to show the stop");
                moveNs[i] = t.lastMoveNanos();
                disNs[i] = dis.lastRefreshNanos();
                perNs[i] = per.lastRefreshNanos();
                long t0 = System.nanoTime();
                int n = 0;
                for (IStackFrame f : t.hart().getStackFrames()) {
                    for (IRegisterGroup g : f.getRegisterGroups()) {
                        for (IRegister r : g.getRegisters()) {
                            n += r.getValue().getValueString().length();
                        }
                    }
                    break;
                }
                regNs[i] = System.nanoTime() - t0;
                t0 = System.nanoTime();
                var block = t.getExtendedMemoryBlock("0x" + Long.toHexString(t.state().regs()[2]), null);
                block.getBytesFromAddress(block.getBigBaseAddress(), 256);
                memNs[i] = System.nanoTime() - t0;
                assertTrue(n > 0);
            }
            String text = String.format("depth %,d, %d instruction steps (forwards and backwards alternately), medians:%n"
                    + "  the move itself %.2f ms%n  Disassembly view %.2f ms%n  Peripherals view (%s) %.2f ms%n"
                    + "  Registers view groups %.2f ms%n  Memory view block (256 bytes) %.2f ms%n"
                    + "  all views, one after another %.2f ms%n", DEPTH, STEPS, median(moveNs), median(disNs),
                    "every register of every device", median(perNs), median(regNs), median(memNs),
                    median(sum(disNs, perNs, regNs, memNs)));
            System.out.println("---- firmware views refresh ----");
            System.out.print(text);
            Files.writeString(Path.of("target/firmware-views-refresh.txt"), text);
        } finally {
            launch.terminate();
        }
    }

    private static long[] sum(long[]... a) {
        long[] s = new long[a[0].length];
        for (long[] x : a) {
            for (int i = 0; i < s.length; i++) {
                s[i] += x[i];
            }
        }
        return s;
    }

    private static double median(long[] ns) {
        long[] c = ns.clone();
        Arrays.sort(c);
        return c[c.length / 2] / 1e6;
    }
}
