package dev.rewind.debug.ui.ide;

import java.nio.file.Path;

import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.ui.IStartup;

import dev.rewind.debug.ui.RewindDebugUI;

/**
 * What {@code ./rewind ide} asks of the workbench once it is up, through system properties
 * (so a Rewind feature installed in any other Eclipse does nothing here):
 * {@value #OPEN_PROJECTS}{@code =true} opens the project folders laid out in the workspace
 * directory, {@value #CHECK}{@code =DIR} runs the {@link StartupCheck} and exits.
 */
public final class IdeStartup implements IStartup {

    public static final String OPEN_PROJECTS = "rewind.ide.openProjects";
    public static final String CHECK = "rewind.ide.check";

    @Override
    public void earlyStartup() {
        if (Boolean.getBoolean(OPEN_PROJECTS)) {
            try {
                ProjectFolders.open(ResourcesPlugin.getWorkspace(), new NullProgressMonitor());
            } catch (CoreException e) {
                RewindDebugUI.getDefault().getLog().log(Status.error("Could not open the workspace's project folders", e));
            }
        }
        String check = System.getProperty(CHECK);
        if (check != null && !check.isBlank()) {
            new StartupCheck(Path.of(check)).run();
        }
    }
}
