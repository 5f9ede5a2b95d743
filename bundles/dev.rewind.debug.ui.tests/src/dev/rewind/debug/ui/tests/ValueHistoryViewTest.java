package dev.rewind.debug.ui.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.ui.IDebugUIConstants;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Event;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PlatformUI;
import org.junit.Test;

import dev.rewind.debug.core.launch.LaunchAttributes;
import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.debug.ui.WriteSearchHandler;
import dev.rewind.debug.ui.views.ValueHistoryView;

/**
 * The Value History view on a replay of {@code guests/src/sample.c}: the history of
 * {@code total} lists its 13 changes (ten squares added, three penalties) from 0 to 382, and a
 * double-click moves the replay to just before the chosen write; Go to Last/Next Write move to
 * the writes around the position; a click on a change in the plot goes there too. Saves a
 * screenshot.
 */
public class ValueHistoryViewTest {

    @Test
    public void historyOfTotalListsItsThirteenChangesAndADoubleClickGoesBeforeTheWrite() throws Exception {
        IWorkbenchWindow window = PlatformUI.getWorkbench().getActiveWorkbenchWindow();
        window.getShell().setSize(1400, 900);
        PlatformUI.getWorkbench().showPerspective(IDebugUIConstants.ID_DEBUG_PERSPECTIVE, window);
        IWorkbenchPage page = window.getActivePage();

        Path elf = ReverseDebuggingWorkbenchTest.guest("sample");
        Path dir = Files.createTempDirectory("rewind-history-ui");
        Path recording = dir.resolve("sample.rrlog");
        ILaunchManager lm = DebugPlugin.getDefault().getLaunchManager();
        ILaunchConfigurationWorkingCopy rec = lm.getLaunchConfigurationType(LaunchAttributes.RECORD_TYPE)
                .newInstance(null, "record sample history");
        rec.setAttribute(LaunchAttributes.PROGRAM, elf.toString());
        rec.setAttribute(LaunchAttributes.RECORDING, recording.toString());
        ILaunch recorded = rec.launch(ILaunchManager.RUN_MODE, null);
        ReverseDebuggingWorkbenchTest.waitUntil(recorded::isTerminated, "recording to end");
        ILaunchConfigurationWorkingCopy rep = lm.getLaunchConfigurationType(LaunchAttributes.REPLAY_TYPE)
                .newInstance(null, "replay sample history");
        rep.setAttribute(LaunchAttributes.PROGRAM, elf.toString());
        rep.setAttribute(LaunchAttributes.RECORDING, recording.toString());
        ILaunch launch = rep.launch(ILaunchManager.DEBUG_MODE, null);
        ReplayTarget target = (ReplayTarget) launch.getDebugTarget();
        ReverseDebuggingWorkbenchTest.waitUntil(target::isSuspended, "the replay to stop at its start");

        ValueHistoryView view = (ValueHistoryView) page.showView(ValueHistoryView.ID);
        view.setTarget(target);
        view.setExpression("total");
        Job job = view.showHistory();
        ReverseDebuggingWorkbenchTest.waitUntil(() -> job.getResult() != null && view.table().getItemCount() > 0,
                "the history of total");
        assertEquals(view.status(), 13, view.table().getItemCount());
        assertTrue(view.status(), view.status().contains("13 changes"));
        assertEquals("0x00000001", view.table().getItem(0).getText(4));
        assertEquals("0x0000017e", view.table().getItem(12).getText(4)); // 382
        assertTrue(view.table().getItem(3).getText(5), view.table().getItem(3).getText(5).startsWith("penalty (sample.c:25)"));

        long icount = Long.parseLong(view.table().getItem(3).getText(0));
        view.table().setSelection(3);
        view.seekToRow(3);
        ReverseDebuggingWorkbenchTest.waitUntil(() -> target.isSuspended() && target.state().icount() == icount,
                "the double-click to go to icount " + icount);
        long pc = Long.decode(view.table().getItem(3).getText(1));
        assertEquals(pc, target.state().pc());

        // Go to Last Write from here lands on the write before (row 2), Next Write on this one again
        long before = Long.parseLong(view.table().getItem(2).getText(0));
        Job last = WriteSearchHandler.goToWrite(target, "total", false);
        ReverseDebuggingWorkbenchTest.waitUntil(() -> last.getResult() != null && target.isSuspended()
                && target.state().icount() == before, "Go to Last Write to reach icount " + before);
        Job next = WriteSearchHandler.goToWrite(target, "total", true);
        ReverseDebuggingWorkbenchTest.waitUntil(() -> next.getResult() != null && target.isSuspended()
                && target.state().icount() == before, "Go to Next Write to stay on the write it is before");

        // a click on the plot's seventh change selects its row and goes there too
        page.showView(ValueHistoryView.ID); // in front of the Console it is stacked with
        page.setPartState(page.getReference(view), IWorkbenchPage.STATE_MAXIMIZED); // room for plot and table
        pump(300);
        long seventh = Long.parseLong(view.table().getItem(6).getText(0));
        Point p = view.plotPointOf(6);
        Event click = new Event();
        click.x = p.x;
        click.y = p.y;
        click.button = 1;
        view.plot().notifyListeners(SWT.MouseDown, click);
        ReverseDebuggingWorkbenchTest.waitUntil(() -> target.isSuspended() && target.state().icount() == seventh,
                "a click on the plot to go to icount " + seventh);
        assertEquals(6, view.table().getSelectionIndex());
        // the plot steps up with total: later changes are drawn higher (y grows downwards)
        assertTrue(view.plotPointOf(12).y < view.plotPointOf(0).y);
        assertTrue(view.plotPointOf(12).x > view.plotPointOf(0).x);
        pump(800);
        File png = Screenshots.save(window.getShell(), "rewind-value-history.png");
        assertTrue(png.length() > 1000);
        page.setPartState(page.getReference(view), IWorkbenchPage.STATE_RESTORED);
        launch.terminate();
    }

    private static void pump(int ms) {
        Display d = Display.getCurrent();
        long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end) {
            if (!d.readAndDispatch()) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
