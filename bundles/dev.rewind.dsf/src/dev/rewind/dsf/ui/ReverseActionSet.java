package dev.rewind.dsf.ui;

import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PlatformUI;

/**
 * CDT's reverse debugging toolbar (Reverse Resume, Reverse Step Into/Over, Uncall and the toggle)
 * lives in an action set that is hidden until the user turns it on under Customize Perspective.
 * A Rewind session is about going backwards, so starting one shows the set in every workbench
 * window; CDT's property tester then enables the buttons because reverse mode is already on.
 */
public final class ReverseActionSet {

    public static final String ID = "org.eclipse.cdt.debug.ui.reverseDebuggingActionSet";

    private ReverseActionSet() {
    }

    /** Shows the action set in all open windows; does nothing without a running workbench. */
    public static void showInWorkbench() {
        if (!PlatformUI.isWorkbenchRunning()) {
            return;
        }
        Display display = PlatformUI.getWorkbench().getDisplay();
        display.asyncExec(() -> {
            if (!PlatformUI.isWorkbenchRunning()) {
                return;
            }
            for (IWorkbenchWindow window : PlatformUI.getWorkbench().getWorkbenchWindows()) {
                for (IWorkbenchPage page : window.getPages()) {
                    page.showActionSet(ID);
                }
            }
        });
    }
}
