package dev.rewind.debug.core.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.sourcelookup.ISourceContainer;
import org.eclipse.debug.core.sourcelookup.ISourcePathComputerDelegate;

import dev.rewind.debug.core.launch.LaunchSettings;

/** Source lookup of a Replay: DWARF paths, then the program's folder and its parent. */
public final class ProgramSourcePathComputer implements ISourcePathComputerDelegate {

    @Override
    public ISourceContainer[] computeSourceContainers(ILaunchConfiguration configuration, IProgressMonitor monitor)
            throws CoreException {
        List<Path> roots = new ArrayList<>();
        Path program = LaunchSettings.read(configuration).program();
        if (program != null) {
            Path dir = program.toAbsolutePath().getParent();
            if (dir != null) {
                roots.add(dir);
                if (dir.getParent() != null) {
                    roots.add(dir.getParent());
                }
            }
        }
        return new ISourceContainer[] {new ProgramSourceContainer(roots)};
    }
}
