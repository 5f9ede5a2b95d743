package dev.rewind.debug.ui.tests;

import static dev.rewind.debug.ui.tests.ReverseDebuggingWorkbenchTest.guest;
import static dev.rewind.debug.ui.tests.ReverseDebuggingWorkbenchTest.pump;
import static dev.rewind.debug.ui.tests.ReverseDebuggingWorkbenchTest.waitUntil;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.ui.IDebugUIConstants;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.PlatformUI;
import org.junit.Test;

import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.debug.core.model.TimelineLanes;
import dev.rewind.debug.ui.RewindDebugUI;
import dev.rewind.debug.ui.views.TimelineView;

/**
 * Not a test (its name keeps it out of the normal run): what the Timeline's event lanes cost on a
 * recording of 1e9 instructions of the eventful guest (a timer interrupt every ~20,000
 * instructions: ~50,000 interrupts, as many mrets, 500 console bytes). Once: opening the query
 * engine and indexing (first lanes on screen). Then per zoom, pan and step: the fetch of the
 * visible range's lanes (job thread) and the paint (UI thread), medians. Run with
 * {@code -Dtest=TimelineRefreshBenchmark}; results to stdout and {@code target/timeline-refresh.txt}.
 */
public class TimelineRefreshBenchmark {

    private static final long DEPTH = 1_000_000_000L;
    private static final int STEPS = 21;

    @Test
    public void eventLanesRefreshCostOnARecordingOf1e9Instructions() throws Exception {
        Path elf = guest("eventful");
        Path rec = Files.createTempDirectory("rewind-timeline-bench").resolve("eventful.rrlog");
        GuestRecordings.record(elf, rec, DEPTH);
        ILaunch launch = GuestRecordings.replay(elf, rec);
        ReplayTarget t = (ReplayTarget) launch.getDebugTarget();
        try {
            var window = PlatformUI.getWorkbench().getActiveWorkbenchWindow();
            window.getShell().setBounds(0, 0, 1270, 900);
            PlatformUI.getWorkbench().showPerspective(IDebugUIConstants.ID_DEBUG_PERSPECTIVE, window);
            IWorkbenchPage page = window.getActivePage();
            TimelineView view = (TimelineView) page.showView(RewindDebugUI.TIMELINE_VIEW_ID);
            long t0 = System.nanoTime();
            view.setTarget(t);
            waitUntil(() -> shows(view), "the first lanes (indexing)");
            double firstMs = (System.nanoTime() - t0) / 1e6;
            TimelineLanes.Slice all = view.slice();
            long events = all.marks().stream().flatMap(l -> l.stream()).mapToLong(TimelineLanes.Mark::count).sum();

            long[] zoomFetch = new long[STEPS], zoomPaint = new long[STEPS], panFetch = new long[STEPS],
                    panPaint = new long[STEPS], allFetch = new long[STEPS], stepPaint = new long[STEPS];
            java.util.SplittableRandom random = new java.util.SplittableRandom(7);
            for (int i = 0; i < STEPS; i++) {
                view.showAll();
                await(view);
                allFetch[i] = view.lastFetchNanos();
                // zoom to a random 1/1000 of the recording, then pan by half a view
                long around = t.startIcount() + random.nextLong(DEPTH);
                view.zoom(0.001, around);
                await(view);
                zoomFetch[i] = view.lastFetchNanos();
                zoomPaint[i] = paint(view);
                long span = view.visibleTo() - view.visibleFrom();
                view.showRange(view.visibleFrom() + span / 2, view.visibleTo() + span / 2);
                await(view);
                panFetch[i] = view.lastFetchNanos();
                panPaint[i] = paint(view);
            }
            view.showAll();
            await(view);
            t.seek(DEPTH / 2);
            waitUntil(() -> t.isSuspended() && t.state().icount() == DEPTH / 2, "the seek");
            for (int i = 0; i < STEPS; i++) {
                TimelineLanes.Slice before = view.slice();
                if (i % 2 == 0) {
                    t.stepInstruction();
                } else {
                    t.reverseStepInstruction();
                }
                waitUntil(t::isSuspended, "the step");
                stepPaint[i] = paint(view);
                assertTrue("a step fetches no lanes once every breakpoint hit is known", view.slice() == before);
            }
            String load = Files.readString(Path.of("/proc/loadavg")).strip();
            String report = String.format("Timeline event lanes, recording of %,d instructions (%,d events in the lanes),"
                    + " view %d px wide, load %s%n"
                    + "  first lanes (open the query engine + index the recording): %.0f ms%n"
                    + "  zoom to 1/1000: fetch %.2f ms, paint %.2f ms (medians of %d)%n"
                    + "  pan by half a view: fetch %.2f ms, paint %.2f ms%n"
                    + "  instruction step / reverse step at depth %,d, whole recording shown: no fetch, paint %.2f ms%n"
                    + "  (a fetch of the whole recording's lanes, as after Show All: %.2f ms)%n",
                    t.endIcount() - t.startIcount(), events, view.canvasWidth(), load, firstMs, median(zoomFetch),
                    median(zoomPaint), STEPS, median(panFetch), median(panPaint), DEPTH / 2, median(stepPaint),
                    median(allFetch));
            System.out.print(report);
            Files.writeString(Path.of("target/timeline-refresh.txt"), report);
            assertTrue(events > 0);
        } finally {
            launch.terminate();
        }
    }

    private static boolean shows(TimelineView v) {
        TimelineLanes.Slice s = v.slice();
        return s != null && s.from() == v.visibleFrom() && s.to() == v.visibleTo() && s.breakpointsKnown();
    }

    private static void await(TimelineView v) {
        waitUntil(() -> shows(v), "the lanes of the visible range");
    }

    /** Paints the view's canvas now and returns what the paint cost. */
    private static long paint(TimelineView v) {
        pump(20);
        return v.paintNow();
    }

    private static double median(long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1e6;
    }
}
