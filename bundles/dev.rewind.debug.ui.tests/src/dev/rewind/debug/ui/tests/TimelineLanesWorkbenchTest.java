package dev.rewind.debug.ui.tests;

import static dev.rewind.debug.ui.tests.ReverseDebuggingWorkbenchTest.guest;
import static dev.rewind.debug.ui.tests.ReverseDebuggingWorkbenchTest.pump;
import static dev.rewind.debug.ui.tests.ReverseDebuggingWorkbenchTest.waitUntil;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.ui.IDebugUIConstants;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PlatformUI;
import org.junit.AfterClass;
import org.junit.Test;

import dev.rewind.debug.core.RewindDebugCore;
import dev.rewind.debug.core.launch.LaunchAttributes;
import dev.rewind.debug.core.model.RecordingQueries;
import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.debug.core.model.RewindLineBreakpoint;
import dev.rewind.debug.core.model.TimelineLanes;
import dev.rewind.debug.core.model.TimelineLanes.Lane;
import dev.rewind.debug.ui.RewindDebugUI;
import dev.rewind.debug.ui.views.TimelineView;
import dev.rewind.replay.GuestPrograms;
import dev.rewind.replay.query.QueryEvent;

/**
 * The Timeline's event lanes on a replay of the virtio block guest (interrupt-driven disk I/O,
 * timer ticks while it waits, console output): every lane shows what the recording's query
 * engine answers, a breakpoint's hits over the whole recording and a bookmark; hovering a mark
 * tells the event, a click seeks exactly to it, zooming and panning fetch the narrower range.
 * Saves {@code rewind-timeline-lanes.png}.
 */
public class TimelineLanesWorkbenchTest {

    @AfterClass
    public static void cleanUp() throws Exception {
        DebugPlugin.getDefault().getBreakpointManager().removeBreakpoints(
                DebugPlugin.getDefault().getBreakpointManager().getBreakpoints(RewindDebugCore.MODEL_ID), true);
    }

    @Test
    public void eventLanesShowTheRecordingsEventsAndHoverZoomPanAndClickWork() throws Exception {
        Path elf = guest("blk");
        Path dir = Files.createTempDirectory("rewind-timeline-lanes");
        Path disk = dir.resolve("disk.qcow2");
        run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", rawDisk().toString(), disk.toString());
        Path rec = dir.resolve("blk.rrlog");
        ILaunchManager lm = DebugPlugin.getDefault().getLaunchManager();
        ILaunchConfigurationWorkingCopy wc = lm.getLaunchConfigurationType(LaunchAttributes.RECORD_TYPE)
                .newInstance(null, "record blk");
        wc.setAttribute(LaunchAttributes.PROGRAM, elf.toString());
        wc.setAttribute(LaunchAttributes.RECORDING, rec.toString());
        wc.setAttribute(LaunchAttributes.DISK, disk.toString());
        ILaunch recorded = wc.launch(ILaunchManager.RUN_MODE, null);
        waitUntil(recorded::isTerminated, "the recording of blk");
        assertEquals("blk passes", 0, recorded.getProcesses()[0].getExitValue());

        IWorkbenchWindow window = PlatformUI.getWorkbench().getActiveWorkbenchWindow();
        window.getShell().setSize(1280, 860);
        PlatformUI.getWorkbench().showPerspective(IDebugUIConstants.ID_DEBUG_PERSPECTIVE, window);
        IWorkbenchPage page = window.getActivePage();
        TimelineView timeline = (TimelineView) page.showView(RewindDebugUI.TIMELINE_VIEW_ID);

        ILaunchConfigurationWorkingCopy rep = lm.getLaunchConfigurationType(LaunchAttributes.REPLAY_TYPE)
                .newInstance(null, "replay blk");
        rep.setAttribute(LaunchAttributes.PROGRAM, elf.toString());
        rep.setAttribute(LaunchAttributes.RECORDING, rec.toString());
        ILaunch launch = rep.launch(ILaunchManager.DEBUG_MODE, null);
        ReplayTarget t = (ReplayTarget) launch.getDebugTarget();
        try {
            timeline.setTarget(t);
            RewindLineBreakpoint.create(GuestPrograms.root().resolve("guests/src/blk.c"),
                    lineOf("set_reg(VIRTIO_QUEUE_NOTIFY, 0);"));
            long middle = (t.startIcount() + t.endIcount()) / 2;
            t.seek(middle);
            waitUntil(() -> t.isSuspended() && t.state().icount() == middle, "the seek to the middle");
            timeline.addBookmark("half-way");
            assertEquals("the bookmark is the recording's, as gdb's monitor bookmark sets it", Long.valueOf(middle),
                    dev.rewind.replay.Bookmarks.of(rec).all().get("half-way"));
            waitUntil(() -> full(timeline) && lanesDone(timeline.slice()), "every lane to be fetched");

            // each lane holds what the query engine answers for the whole recording
            TimelineLanes.Slice s = timeline.slice();
            List<QueryEvent> diskIo = RecordingQueries.events(t, EnumSet.of(QueryEvent.Kind.DISK_REQUEST,
                    QueryEvent.Kind.DISK_DONE), t.startIcount(), t.endIcount(), new NullProgressMonitor());
            assertTrue("disk requests and completions", diskIo.size() >= 4);
            assertEquals(diskIo.size(), s.lane(Lane.DISK).stream().mapToInt(TimelineLanes.Mark::count).sum());
            assertEquals("the first disk mark is the first disk event", diskIo.get(0).icount(),
                    s.lane(Lane.DISK).get(0).icount());
            assertTrue("timer and virtio interrupts", s.lane(Lane.TRAPS).stream()
                    .anyMatch(m -> m.kind() == QueryEvent.Kind.INTERRUPT));
            assertTrue("console output", !s.lane(Lane.CONSOLE).isEmpty());
            int requests = (int) diskIo.stream().filter(e -> e.kind() == QueryEvent.Kind.DISK_REQUEST).count();
            int hits = s.lane(Lane.BREAKPOINTS).stream().mapToInt(TimelineLanes.Mark::count).sum();
            assertTrue(hits + " hits of the notify line (at most one per request), in all of the recording",
                    hits >= 2 && hits <= requests);
            assertEquals(middle, s.lane(Lane.BOOKMARKS).get(0).icount());
            page.setPartState(page.getReference(timeline), IWorkbenchPage.STATE_MAXIMIZED);
            for (int i = 0; i < 3; i++) { // the replay's console may still come to the front once
                pump(300);
                page.activate(timeline);
                waitUntil(() -> page.isPartVisible(timeline), "the Timeline in front");
            }
            File png = Screenshots.save(window.getShell(), "rewind-timeline-lanes.png");
            assertTrue(png.length() > 1000);
            page.setPartState(page.getReference(timeline), IWorkbenchPage.STATE_RESTORED);
            pump(200);
            waitUntil(() -> full(timeline) && lanesDone(timeline.slice()), "the lanes at the restored size");

            // hover and click on the last disk completion: details, then an exact seek
            TimelineLanes.Mark done = s.lane(Lane.DISK).get(s.lane(Lane.DISK).size() - 1);
            int x = timeline.xAt(done.icount());
            int y = timeline.laneY(Lane.DISK);
            String hover = timeline.hoverText(x, y);
            assertNotNull(hover);
            assertTrue(hover, hover.contains(Long.toString(done.icount())));
            assertTrue(hover, hover.contains("disk_"));
            timeline.clickAt(x, y);
            waitUntil(() -> t.isSuspended() && t.state().icount() == done.icount(), "the click to seek to the event");

            // zoom in around it: the lanes are fetched again for the narrower range
            long before = timeline.visibleTo() - timeline.visibleFrom();
            timeline.zoom(0.01, done.icount());
            long span = timeline.visibleTo() - timeline.visibleFrom();
            assertTrue(span + " of " + before, span < before / 50);
            assertTrue(timeline.visibleFrom() <= done.icount() && done.icount() < timeline.visibleTo());
            waitUntil(() -> timeline.slice().from() == timeline.visibleFrom() && timeline.slice().breakpointsKnown(),
                    "the zoomed lanes");
            assertTrue("the event is still under the same column", Math.abs(timeline.xAt(done.icount()) - x) <= 1);
            long from = timeline.visibleFrom();
            timeline.showRange(from - span / 2, from - span / 2 + span);
            assertEquals("pans by half a view", Math.max(t.startIcount(), from - span / 2), timeline.visibleFrom());
            waitUntil(() -> timeline.slice().from() == timeline.visibleFrom(), "the panned lanes");
            timeline.showAll();
            assertEquals(t.startIcount(), timeline.visibleFrom());
        } finally {
            launch.terminate();
            // leave no Rewind launch behind: later tests start from a workbench without a replay
            lm.removeLaunches(new ILaunch[] {launch, recorded});
            pump(300);
        }
    }

    private static boolean full(TimelineView v) {
        TimelineLanes.Slice s = v.slice();
        return s != null && s.from() == v.visibleFrom() && s.to() == v.visibleTo();
    }

    private static boolean lanesDone(TimelineLanes.Slice s) {
        return s != null && s.breakpointsKnown() && !s.lane(Lane.BOOKMARKS).isEmpty();
    }

    private static int lineOf(String text) throws IOException {
        List<String> lines = Files.readAllLines(GuestPrograms.root().resolve("guests/src/blk.c"), StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError(text + " not in blk.c");
    }

    private static Path rawDisk() throws Exception {
        Path raw = GuestPrograms.root().resolve("guests/build/disk.img");
        if (!Files.exists(raw)) {
            run("make", "-s", "-C", GuestPrograms.root().resolve("guests").toString(), "build/disk.img");
        }
        return raw;
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        }
    }
}
