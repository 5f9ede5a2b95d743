package dev.rewind.debug.ui.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.File;

import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.ui.IViewPart;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PlatformUI;
import org.eclipse.debug.ui.IDebugUIConstants;
import org.junit.Test;

/**
 * Starts the real IDE workbench (Tycho's UI harness, under Xvfb), opens the Debug view and
 * saves a screenshot: the base the Eclipse-integration tests build on.
 */
public class WorkbenchSmokeTest {

    @Test
    public void workbenchOpensDebugViewAndSavesScreenshot() throws Exception {
        assertTrue("workbench is not running", PlatformUI.isWorkbenchRunning());
        IWorkbenchWindow window = PlatformUI.getWorkbench().getActiveWorkbenchWindow();
        assertNotNull("no workbench window", window);
        IWorkbenchPage page = window.getActivePage();
        assertNotNull("no workbench page", page);

        IViewPart view = page.showView(IDebugUIConstants.ID_DEBUG_VIEW);
        assertNotNull("Debug view did not open", view);
        assertEquals(IDebugUIConstants.ID_DEBUG_VIEW, view.getSite().getId());
        assertTrue("Debug view is not visible", page.isPartVisible(view));

        Shell shell = window.getShell();
        shell.setSize(1280, 800);
        drainEvents(shell.getDisplay());
        File png = Screenshots.save(shell, "workbench-debug-view.png");
        assertTrue("screenshot not written: " + png, png.length() > 1000);
    }

    private static void drainEvents(Display display) {
        for (int i = 0; i < 200 && display.readAndDispatch(); i++) {
            // let the workbench lay out and paint before the screenshot
        }
    }
}
