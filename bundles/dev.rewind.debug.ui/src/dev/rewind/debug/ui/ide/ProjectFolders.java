package dev.rewind.debug.ui.ide;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IProjectDescription;
import org.eclipse.core.resources.IWorkspace;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IPath;
import org.eclipse.core.runtime.IProgressMonitor;

/**
 * Folders of the workspace directory that hold a {@code .project} file the workspace does not
 * know yet: {@code ./rewind ide} lays the sample project out on disk, and this makes it a
 * project of the workspace, so the Project Explorer shows it and its shared launch
 * configurations are found.
 */
public final class ProjectFolders {

    private ProjectFolders() {
    }

    /** Creates and opens a project for each such folder; returns the projects opened. */
    public static List<IProject> open(IWorkspace workspace, IProgressMonitor monitor) throws CoreException {
        List<IProject> opened = new ArrayList<>();
        workspace.run(m -> {
            File[] folders = workspace.getRoot().getLocation().toFile().listFiles(File::isDirectory);
            if (folders == null) {
                return;
            }
            Arrays.sort(folders);
            for (File folder : folders) {
                File dotProject = new File(folder, IProjectDescription.DESCRIPTION_FILE_NAME);
                if (!dotProject.isFile()) {
                    continue;
                }
                IProjectDescription d = workspace.loadProjectDescription(IPath.fromFile(dotProject));
                IProject project = workspace.getRoot().getProject(d.getName());
                if (project.exists()) {
                    continue;
                }
                // A folder named like its project is the project's default location, which
                // must be left unset; any other folder is an external location.
                d.setLocation(folder.getName().equals(d.getName()) ? null : IPath.fromFile(folder));
                project.create(d, m);
                project.open(m);
                opened.add(project);
            }
        }, workspace.getRoot(), IWorkspace.AVOID_UPDATE, monitor);
        return opened;
    }
}
