package dev.rewind.debug.core.model;

import java.nio.file.Path;
import java.util.Map;

import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IPath;
import org.eclipse.debug.core.model.LineBreakpoint;

import dev.rewind.debug.core.RewindDebugCore;

/**
 * A breakpoint on a line of a C (or assembly) source file. The marker sits on the workspace
 * file when the source is in the workspace, else on the workspace root with the file's path as
 * an attribute. A replay maps it to addresses through the program's DWARF line table.
 */
public final class RewindLineBreakpoint extends LineBreakpoint {

    public static final String MARKER_TYPE = "dev.rewind.debug.core.lineBreakpointMarker";
    /** Absolute path of the source file in the file system. */
    public static final String SOURCE_PATH = "dev.rewind.sourcePath";

    /** Used by the breakpoint manager to restore persisted breakpoints. */
    public RewindLineBreakpoint() {
    }

    /** Creates and registers a breakpoint on {@code line} (1-based) of {@code source}. */
    public static RewindLineBreakpoint create(Path source, int line) throws CoreException {
        Path abs = source.toAbsolutePath().normalize();
        IResource resource = ResourcesPlugin.getWorkspace().getRoot();
        var files = ResourcesPlugin.getWorkspace().getRoot().findFilesForLocationURI(abs.toUri());
        if (files.length > 0) {
            resource = files[0];
        }
        return BreakpointMarkers.attach(new RewindLineBreakpoint(), resource, MARKER_TYPE, Map.of(IMarker.LINE_NUMBER,
                line, SOURCE_PATH, abs.toString(), IMarker.MESSAGE,
                "Line breakpoint: " + abs.getFileName() + " [line: " + line + "]"));
    }

    @Override
    public String getModelIdentifier() {
        return RewindDebugCore.MODEL_ID;
    }

    /** The source file's absolute path. */
    public String sourcePath() {
        IMarker m = getMarker();
        if (m == null) {
            return null;
        }
        String p = m.getAttribute(SOURCE_PATH, null);
        if (p == null && m.getResource().getType() == IResource.FILE) {
            IPath loc = m.getResource().getLocation();
            p = loc == null ? null : loc.toOSString();
        }
        return p;
    }

    public int line() {
        IMarker m = getMarker();
        return m == null ? -1 : m.getAttribute(IMarker.LINE_NUMBER, -1);
    }
}
