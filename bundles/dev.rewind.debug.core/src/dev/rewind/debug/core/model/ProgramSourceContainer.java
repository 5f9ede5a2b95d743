package dev.rewind.debug.core.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.sourcelookup.ISourceContainerType;
import org.eclipse.debug.core.sourcelookup.containers.AbstractSourceContainer;
import org.eclipse.debug.core.sourcelookup.containers.LocalFileStorage;

/**
 * Sources named by DWARF paths: the path itself when it exists (the program was built here),
 * else a file of the same name under the program's folder or its parent (a moved build tree).
 * A file inside the workspace is returned as the workspace file, so editors and breakpoints
 * attach to it.
 */
public final class ProgramSourceContainer extends AbstractSourceContainer {

    private static final int SEARCH_DEPTH = 4;
    private final List<Path> roots;

    public ProgramSourceContainer(List<Path> roots) {
        this.roots = List.copyOf(roots);
    }

    @Override
    public Object[] findSourceElements(String name) throws CoreException {
        if (name == null) {
            return EMPTY;
        }
        Path p = Path.of(name);
        if (p.isAbsolute() && Files.isRegularFile(p)) {
            return new Object[] {element(p)};
        }
        String fileName = p.getFileName().toString();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.find(root, SEARCH_DEPTH,
                    (f, attrs) -> attrs.isRegularFile() && f.getFileName().toString().equals(fileName))) {
                var found = files.findFirst();
                if (found.isPresent()) {
                    return new Object[] {element(found.get())};
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                // an unreadable folder: look elsewhere
            }
        }
        return EMPTY;
    }

    private static Object element(Path file) {
        IFile[] inWorkspace = ResourcesPlugin.getWorkspace().getRoot().findFilesForLocationURI(file.toUri());
        return inWorkspace.length > 0 ? inWorkspace[0] : new LocalFileStorage(file.toFile());
    }

    @Override
    public String getName() {
        return "Program sources (DWARF paths)";
    }

    @Override
    public ISourceContainerType getType() {
        return null;
    }
}
