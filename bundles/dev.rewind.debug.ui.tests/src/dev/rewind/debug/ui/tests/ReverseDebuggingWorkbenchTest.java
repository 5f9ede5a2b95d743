package dev.rewind.debug.ui.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

import org.eclipse.core.commands.Command;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.ui.IDebugUIConstants;
import org.eclipse.jface.action.IContributionItem;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.jface.viewers.TreePath;
import org.eclipse.jface.viewers.TreeSelection;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Tree;
import org.eclipse.swt.widgets.TreeItem;
import org.eclipse.ui.IViewPart;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.commands.ICommandService;
import org.eclipse.ui.console.MessageConsole;
import org.eclipse.ui.handlers.IHandlerService;
import org.eclipse.debug.ui.IDebugView;
import org.junit.AfterClass;
import org.junit.Test;

import dev.rewind.debug.core.RewindDebugCore;
import dev.rewind.debug.core.launch.LaunchAttributes;
import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.debug.core.model.RewindLineBreakpoint;
import dev.rewind.debug.ui.ReplayConsoles;
import dev.rewind.debug.ui.RewindDebugUI;
import dev.rewind.debug.ui.launch.RewindMainTab;
import dev.rewind.debug.ui.views.TimelineView;
import dev.rewind.replay.Stop;

/**
 * The reverse-debugging UI in a real workbench: the reverse commands in the Debug view follow
 * the selected Rewind target's state, Reverse Resume through the handler service moves the
 * target back, the Timeline view draws the replay and seeks on click, the replay console rolls
 * back. Saves a screenshot of the Debug perspective with the Timeline view.
 */
public class ReverseDebuggingWorkbenchTest {

    private static final int TOTAL_LINE = 19;
    private static final String[] REVERSE = {RewindDebugUI.REVERSE_RESUME, RewindDebugUI.REVERSE_STEP_INTO,
        RewindDebugUI.REVERSE_STEP_OVER, RewindDebugUI.REVERSE_STEP_RETURN};

    @AfterClass
    public static void cleanUp() throws Exception {
        DebugPlugin.getDefault().getBreakpointManager().removeBreakpoints(
                DebugPlugin.getDefault().getBreakpointManager().getBreakpoints(RewindDebugCore.MODEL_ID), true);
    }

    @Test
    public void reverseButtonsFollowTheTargetAndReverseResumeMovesItBack() throws Exception {
        IWorkbenchWindow window = PlatformUI.getWorkbench().getActiveWorkbenchWindow();
        window.getShell().setSize(1400, 900);
        PlatformUI.getWorkbench().showPerspective(IDebugUIConstants.ID_DEBUG_PERSPECTIVE, window);
        IWorkbenchPage page = window.getActivePage();
        IViewPart debugView = page.showView(IDebugUIConstants.ID_DEBUG_VIEW);
        TimelineView timeline = (TimelineView) page.showView(RewindDebugUI.TIMELINE_VIEW_ID);
        page.activate(debugView);
        ICommandService commands = PlatformUI.getWorkbench().getService(ICommandService.class);
        pump(200);
        for (String id : REVERSE) {
            Command c = commands.getCommand(id);
            assertTrue(id + " is not defined", c.isDefined());
            assertFalse(id + " enabled without a Rewind target", c.isEnabled());
        }
        IContributionItem button = ((IDebugView) debugView).getViewSite().getActionBars().getToolBarManager()
                .find("dev.rewind.debug.ui.toolbar.reverseResume");
        assertNotNull("no Reverse Resume button in the Debug view toolbar", button);

        Path elf = guest("sample");
        Path dir = Files.createTempDirectory("rewind-ui");
        Path recording = dir.resolve("sample.rrlog");
        ILaunchManager lm = DebugPlugin.getDefault().getLaunchManager();
        ILaunchConfigurationWorkingCopy rec = lm.getLaunchConfigurationType(LaunchAttributes.RECORD_TYPE)
                .newInstance(null, "record sample ui");
        rec.setAttribute(LaunchAttributes.PROGRAM, elf.toString());
        rec.setAttribute(LaunchAttributes.RECORDING, recording.toString());
        ILaunch recorded = rec.launch(ILaunchManager.RUN_MODE, null);
        waitUntil(recorded::isTerminated, "recording to end");

        ILaunchConfigurationWorkingCopy rep = lm.getLaunchConfigurationType(LaunchAttributes.REPLAY_TYPE)
                .newInstance(null, "replay sample ui");
        rep.setAttribute(LaunchAttributes.PROGRAM, elf.toString());
        rep.setAttribute(LaunchAttributes.RECORDING, recording.toString());
        rep.setAttribute(LaunchAttributes.SNAPSHOT_INTERVAL, "1000");
        ILaunch launch = rep.launch(ILaunchManager.DEBUG_MODE, null);
        ReplayTarget target = (ReplayTarget) launch.getDebugTarget();
        RewindLineBreakpoint.create(root().resolve("guests/src/sample.c"), TOTAL_LINE);

        target.resume();
        waitUntil(target::isSuspended, "first breakpoint hit");
        long firstHit = target.state().icount();
        target.resume();
        waitUntil(target::isSuspended, "second breakpoint hit");
        long secondHit = target.state().icount();
        assertTrue(secondHit > firstHit);

        select(debugView, launch, target);
        waitUntil(() -> commands.getCommand(RewindDebugUI.REVERSE_RESUME).isEnabled(),
                "Reverse Resume to be enabled for a suspended Rewind target");
        for (String id : REVERSE) {
            assertTrue(id + " disabled for a suspended Rewind target", commands.getCommand(id).isEnabled());
        }
        assertTrue("toolbar button disabled", button.isEnabled());
        assertEquals(target, timeline.target());

        IHandlerService handlers = PlatformUI.getWorkbench().getService(IHandlerService.class);
        handlers.executeCommand(RewindDebugUI.REVERSE_RESUME, null);
        waitUntil(() -> target.isSuspended() && target.state().icount() < secondHit, "Reverse Resume to move back");
        assertEquals(Stop.Kind.BREAKPOINT, target.state().stop().kind());
        assertEquals("back at the previous hit", firstHit, target.state().icount());

        // the replay console shows the output up to here only
        waitUntil(() -> {
            MessageConsole c = ReplayConsoles.consoleOf(target);
            return c != null && c.getDocument().get().equals(target.consoleText());
        }, "the replay console to roll back");
        assertFalse(ReplayConsoles.consoleOf(target).getDocument().get().contains("step 1:"));

        // a click on the timeline seeks there
        page.activate(timeline);
        pump(100);
        int x = timelineWidth(timeline) / 2;
        long wanted = timeline.icountAt(x);
        timeline.seekAt(x);
        waitUntil(() -> target.isSuspended() && target.state().icount() == wanted, "the timeline click to seek to " + wanted);
        select(debugView, launch, target);
        handlers.executeCommand(RewindDebugUI.REVERSE_RESUME, null);
        waitUntil(() -> target.isSuspended() && target.state().icount() < wanted, "reverse resume from the middle");
        select(debugView, launch, target);
        page.showView(IDebugUIConstants.ID_REGISTER_VIEW, null, IWorkbenchPage.VIEW_VISIBLE);
        page.activate(debugView);
        Tree tree = (Tree) ((IDebugView) debugView).getViewer().getControl();
        waitUntil(() -> treeShows(tree.getItems(), "add_square() at sample.c:" + TOTAL_LINE),
                "the Debug view to show the frame at the breakpoint");
        waitUntil(() -> page.getActiveEditor() != null && page.getActiveEditor().getTitle().equals("sample.c"),
                "the source of the frame to open in an editor");
        IViewPart variables = page.showView(IDebugUIConstants.ID_VARIABLE_VIEW);
        Tree varTree = (Tree) ((IDebugView) variables).getViewer().getControl();
        waitUntil(() -> treeShows(varTree.getItems(), "(globals)"), "the Variables view to show the frame's variables");
        page.showView(RewindDebugUI.TIMELINE_VIEW_ID);
        pump(500);
        File png = Screenshots.save(window.getShell(), "rewind-debug-timeline.png");
        assertTrue(png.length() > 1000);

        launch.terminate();
        pump(200);
        waitUntil(() -> !commands.getCommand(RewindDebugUI.REVERSE_RESUME).isEnabled(),
                "Reverse Resume to be disabled once the replay ended");
    }

    @Test
    public void mainTabReportsBadSettingsAsTheLaunchWould() throws Exception {
        ILaunchManager lm = DebugPlugin.getDefault().getLaunchManager();
        ILaunchConfigurationWorkingCopy wc = lm.getLaunchConfigurationType(LaunchAttributes.REPLAY_TYPE)
                .newInstance(null, "bad replay");
        wc.setAttribute(LaunchAttributes.PROGRAM, "/no/such/program.elf");
        RewindMainTab tab = new RewindMainTab(false);
        assertFalse(tab.isValid(wc));
        assertTrue(tab.getErrorMessage(), tab.getErrorMessage().contains("program.elf does not exist"));
        wc.setAttribute(LaunchAttributes.PROGRAM, "/bin/ls");
        assertFalse(tab.isValid(wc));
        assertTrue(tab.getErrorMessage(), tab.getErrorMessage().contains("not RISC-V"));
        wc.setAttribute(LaunchAttributes.PROGRAM, guest("sample").toString());
        wc.setAttribute(LaunchAttributes.RECORDING, "/no/such.rrlog");
        assertFalse(tab.isValid(wc));
        assertTrue(tab.getErrorMessage(), tab.getErrorMessage().contains("does not exist: run a Record Run first"));
    }

    private static boolean treeShows(TreeItem[] items, String text) {
        for (TreeItem item : items) {
            if (item.getText().contains(text) || treeShows(item.getItems(), text)) {
                return true;
            }
        }
        return false;
    }

    private static int timelineWidth(TimelineView view) {
        return view.canvasWidth();
    }

    /** Makes the replay's thread the debug context, as a click in the Debug view does. */
    private static void select(IViewPart debugView, ILaunch launch, ReplayTarget target) {
        TreePath path = new TreePath(new Object[] {launch, target, target.hart(), target.hart().getTopStackFrame()});
        ((IDebugView) debugView).getViewer().setSelection(new TreeSelection(path), true);
        pump(100);
        if (((IDebugView) debugView).getViewer().getSelection().isEmpty()) {
            ((IDebugView) debugView).getViewer().setSelection(new StructuredSelection(target.hart()), true);
        }
        pump(100);
    }

    static void pump(int ms) {
        Display d = Display.getCurrent();
        long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end) {
            if (!d.readAndDispatch()) {
                sleep();
            }
        }
    }

    static void waitUntil(BooleanSupplier cond, String what) {
        Display d = Display.getCurrent();
        long end = System.currentTimeMillis() + 60_000;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                fail("timed out waiting for " + what);
            }
            if (!d.readAndDispatch()) {
                sleep();
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Path root() {
        return dev.rewind.replay.GuestPrograms.root();
    }

    static Path guest(String name) throws IOException, InterruptedException {
        return dev.rewind.replay.GuestPrograms.elf(name);
    }
}
