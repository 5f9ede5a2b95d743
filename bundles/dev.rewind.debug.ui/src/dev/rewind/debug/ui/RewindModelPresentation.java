package dev.rewind.debug.ui;

import org.eclipse.core.filesystem.EFS;
import org.eclipse.core.resources.IFile;
import org.eclipse.debug.core.DebugException;
import org.eclipse.debug.core.model.IDebugTarget;
import org.eclipse.debug.core.model.IRegisterGroup;
import org.eclipse.debug.core.model.IStackFrame;
import org.eclipse.debug.core.model.IThread;
import org.eclipse.debug.core.model.IValue;
import org.eclipse.debug.core.model.IVariable;
import org.eclipse.debug.core.sourcelookup.containers.LocalFileStorage;
import org.eclipse.debug.ui.IDebugModelPresentation;
import org.eclipse.debug.ui.IValueDetailListener;
import org.eclipse.jface.viewers.ILabelProviderListener;
import org.eclipse.swt.graphics.Image;
import org.eclipse.ui.IEditorInput;
import org.eclipse.ui.ide.FileStoreEditorInput;
import org.eclipse.ui.part.FileEditorInput;

import dev.rewind.debug.core.model.RewindLineBreakpoint;

/** Labels are the elements' names; sources open in the text editor. */
public final class RewindModelPresentation implements IDebugModelPresentation {

    static final String TEXT_EDITOR = "org.eclipse.ui.DefaultTextEditor";

    @Override
    public void setAttribute(String attribute, Object value) {
    }

    @Override
    public Image getImage(Object element) {
        return null;
    }

    @Override
    public String getText(Object element) {
        if (element instanceof RewindLineBreakpoint bp) {
            String path = bp.sourcePath();
            return (path == null ? "?" : java.nio.file.Path.of(path).getFileName()) + " [line: " + bp.line() + "]";
        }
        try {
            if (element instanceof IDebugTarget t) {
                return t.getName();
            }
            if (element instanceof IThread t) {
                return t.getName();
            }
            if (element instanceof IStackFrame f) {
                return f.getName();
            }
            if (element instanceof IRegisterGroup g) {
                return g.getName();
            }
            if (element instanceof IVariable v) {
                return v.getName() + " = " + v.getValue().getValueString();
            }
        } catch (DebugException e) {
            return e.getStatus().getMessage();
        }
        return null;
    }

    @Override
    public void computeDetail(IValue value, IValueDetailListener listener) {
        String detail;
        try {
            detail = value.getValueString();
        } catch (Exception e) {
            detail = e.getMessage();
        }
        listener.detailComputed(value, detail);
    }

    @Override
    public IEditorInput getEditorInput(Object element) {
        if (element instanceof IFile f) {
            return new FileEditorInput(f);
        }
        if (element instanceof LocalFileStorage s) {
            return new FileStoreEditorInput(EFS.getLocalFileSystem().fromLocalFile(s.getFile()));
        }
        if (element instanceof RewindLineBreakpoint bp && bp.getMarker().getResource() instanceof IFile f) {
            return new FileEditorInput(f);
        }
        return null;
    }

    @Override
    public String getEditorId(IEditorInput input, Object element) {
        return TEXT_EDITOR;
    }

    @Override
    public void addListener(ILabelProviderListener listener) {
    }

    @Override
    public void removeListener(ILabelProviderListener listener) {
    }

    @Override
    public boolean isLabelProperty(Object element, String property) {
        return false;
    }

    @Override
    public void dispose() {
    }
}
