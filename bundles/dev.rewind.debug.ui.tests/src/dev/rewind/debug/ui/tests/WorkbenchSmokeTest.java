package dev.rewind.debug.ui.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.File;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.ImageLoader;
import org.eclipse.swt.graphics.Rectangle;
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
        File png = saveScreenshot(shell, "workbench-debug-view.png");
        assertTrue("screenshot not written: " + png, png.length() > 1000);
    }

    private static void drainEvents(Display display) {
        for (int i = 0; i < 200 && display.readAndDispatch(); i++) {
            // let the workbench lay out and paint before the screenshot
        }
    }

    private static File saveScreenshot(Shell shell, String name) {
        String dir = System.getProperty("rewind.screenshots", "target/screenshots");
        File out = new File(dir, name);
        out.getParentFile().mkdirs();
        Display display = shell.getDisplay();
        Rectangle bounds = shell.getBounds();
        Image image = new Image(display, bounds.width, bounds.height);
        GC gc = new GC(display);
        try {
            gc.copyArea(image, bounds.x, bounds.y);
        } finally {
            gc.dispose();
        }
        try {
            ImageData data = image.getImageData();
            ImageLoader loader = new ImageLoader();
            loader.data = new ImageData[] {data};
            loader.save(out.getAbsolutePath(), SWT.IMAGE_PNG);
        } finally {
            image.dispose();
        }
        return out;
    }
}
