package dev.rewind.debug.ui.ide;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.Status;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.swt.widgets.Display;
import org.eclipse.debug.ui.IDebugUIConstants;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.IViewReference;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.ide.IDE;

import dev.rewind.debug.ui.RewindDebugUI;

/**
 * Proof that the IDE came up, for {@code ./rewind ide --check DIR}: opens the main C file of
 * each project with its default editor and switches to the Debug perspective, writes what the
 * running workbench sees ({@code workspace.txt}: projects, launch configurations, editors, the
 * perspective's visible views), saves a screenshot of the
 * workbench window ({@code ide.png}) once it has painted, then closes the workbench so the
 * workspace is saved and the process exits.
 */
final class StartupCheck {

    /** Time for the window to lay out and paint before the screenshot. */
    private static final int PAINT_DELAY_MS = 2000;

    private final Path dir;

    StartupCheck(Path dir) {
        this.dir = dir;
    }

    void run() {
        IWorkbench workbench = PlatformUI.getWorkbench();
        Display display = workbench.getDisplay();
        display.asyncExec(() -> {
            IWorkbenchWindow window = workbench.getActiveWorkbenchWindow();
            if (window == null && workbench.getWorkbenchWindowCount() > 0) {
                window = workbench.getWorkbenchWindows()[0];
            }
            List<String> report = new ArrayList<>();
            try {
                describeWorkspace(report);
                if (window != null) {
                    openCSources(window, report);
                    showDebugPerspective(workbench, window, report);
                }
                Files.createDirectories(dir);
                Files.write(dir.resolve("workspace.txt"), report);
            } catch (IOException | CoreException e) {
                RewindDebugUI.getDefault().getLog().log(Status.error("Startup check failed in " + dir, e));
            }
            IWorkbenchWindow shown = window;
            display.timerExec(PAINT_DELAY_MS, () -> {
                if (shown != null) {
                    Screenshot.save(shown.getShell(), dir.resolve("ide.png").toFile());
                }
                workbench.close();
            });
        });
    }

    private static void describeWorkspace(List<String> report) throws CoreException {
        for (IProject p : ResourcesPlugin.getWorkspace().getRoot().getProjects()) {
            report.add("project " + p.getName() + (p.isOpen() ? " open" : " closed"));
        }
        for (ILaunchConfiguration c : DebugPlugin.getDefault().getLaunchManager().getLaunchConfigurations()) {
            report.add("launch " + c.getType().getIdentifier() + " " + c.getName()
                    + (c.getFile() == null ? " (local)" : " " + c.getFile().getFullPath()));
        }
    }

    /** Switches to the Debug perspective (where a Replay goes) and lists the views it shows. */
    private static void showDebugPerspective(IWorkbench workbench, IWorkbenchWindow window, List<String> report)
            throws CoreException {
        IWorkbenchPage page = workbench.showPerspective(IDebugUIConstants.ID_DEBUG_PERSPECTIVE, window);
        StringBuilder line = new StringBuilder("perspective " + page.getPerspective().getId() + " views");
        for (IViewReference v : page.getViewReferences()) {
            if (page.isPartVisible(v.getPart(true))) {
                line.append(' ').append(v.getId());
            }
        }
        report.add(line.toString());
    }

    /** Opens each project's main C file: the one named after the project, else the first found. */
    private static void openCSources(IWorkbenchWindow window, List<String> report) throws CoreException {
        for (IProject p : ResourcesPlugin.getWorkspace().getRoot().getProjects()) {
            IFile[] found = new IFile[1];
            if (p.isOpen()) {
                String main = p.getName() + ".c";
                p.accept(r -> {
                    if (r.getType() == IResource.FILE && "c".equals(r.getFileExtension())
                            && (found[0] == null || r.getName().equals(main))) {
                        found[0] = (IFile) r;
                    }
                    return true;
                });
            }
            if (found[0] != null) {
                IEditorPart editor = IDE.openEditor(window.getActivePage(), found[0], true);
                report.add("editor " + found[0].getFullPath() + " " + editor.getSite().getId());
            }
        }
    }
}
