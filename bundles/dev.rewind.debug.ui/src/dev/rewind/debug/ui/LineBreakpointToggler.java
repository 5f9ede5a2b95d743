package dev.rewind.debug.ui;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IPath;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.model.IBreakpoint;
import org.eclipse.debug.ui.actions.IToggleBreakpointsTarget;
import org.eclipse.jface.text.ITextSelection;
import org.eclipse.jface.viewers.ISelection;
import org.eclipse.ui.IEditorInput;
import org.eclipse.ui.IFileEditorInput;
import org.eclipse.ui.IURIEditorInput;
import org.eclipse.ui.IWorkbenchPart;
import org.eclipse.ui.texteditor.ITextEditor;

import dev.rewind.debug.core.RewindDebugCore;
import dev.rewind.debug.core.model.RewindLineBreakpoint;

/** Sets and clears Rewind line breakpoints from a text editor's ruler or the Run menu. */
final class LineBreakpointToggler implements IToggleBreakpointsTarget {

    private static final Set<String> SOURCE_EXTENSIONS = Set.of("c", "h", "s", "cc", "cpp", "cxx", "hpp");

    /** The file-system path of the source shown by {@code part}, or null if it is no C/assembly editor. */
    static Path sourcePath(IWorkbenchPart part) {
        if (!(part instanceof ITextEditor editor)) {
            return null;
        }
        IEditorInput input = editor.getEditorInput();
        Path path = null;
        if (input instanceof IFileEditorInput fi) {
            IPath loc = fi.getFile().getLocation();
            path = loc == null ? null : loc.toPath();
        } else if (input instanceof IURIEditorInput ui) {
            URI uri = ui.getURI();
            path = uri != null && "file".equals(uri.getScheme()) ? Path.of(uri) : null;
        }
        if (path == null) {
            return null;
        }
        String name = path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot >= 0 && SOURCE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT)) ? path : null;
    }

    @Override
    public void toggleLineBreakpoints(IWorkbenchPart part, ISelection selection) throws CoreException {
        Path path = sourcePath(part);
        if (path == null || !(selection instanceof ITextSelection text)) {
            return;
        }
        int line = text.getStartLine() + 1;
        String abs = path.toAbsolutePath().normalize().toString();
        for (IBreakpoint bp : DebugPlugin.getDefault().getBreakpointManager().getBreakpoints(RewindDebugCore.MODEL_ID)) {
            if (bp instanceof RewindLineBreakpoint lb && abs.equals(lb.sourcePath()) && lb.line() == line) {
                bp.delete();
                return;
            }
        }
        RewindLineBreakpoint.create(path, line);
    }

    @Override
    public boolean canToggleLineBreakpoints(IWorkbenchPart part, ISelection selection) {
        return sourcePath(part) != null;
    }

    @Override
    public void toggleMethodBreakpoints(IWorkbenchPart part, ISelection selection) {
    }

    @Override
    public boolean canToggleMethodBreakpoints(IWorkbenchPart part, ISelection selection) {
        return false;
    }

    @Override
    public void toggleWatchpoints(IWorkbenchPart part, ISelection selection) {
    }

    @Override
    public boolean canToggleWatchpoints(IWorkbenchPart part, ISelection selection) {
        return false;
    }
}
