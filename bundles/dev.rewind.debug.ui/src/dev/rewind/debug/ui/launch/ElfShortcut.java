package dev.rewind.debug.ui.launch;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.runtime.Adapters;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IPath;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationType;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.ui.DebugUITools;
import org.eclipse.debug.ui.ILaunchShortcut;
import org.eclipse.jface.dialogs.ErrorDialog;
import org.eclipse.jface.viewers.ISelection;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.IEditorPart;

import dev.rewind.debug.core.launch.LaunchAttributes;

/**
 * Run As / Debug As on an ELF file: reuses the configuration of that program, or makes one
 * recording into (and replaying from) {@code <program>.rrlog} next to it.
 */
public abstract class ElfShortcut implements ILaunchShortcut {

    private final String type;

    ElfShortcut(String type) {
        this.type = type;
    }

    @Override
    public void launch(ISelection selection, String mode) {
        if (selection instanceof IStructuredSelection s && s.getFirstElement() != null) {
            IFile file = Adapters.adapt(s.getFirstElement(), IFile.class);
            if (file != null) {
                launch(file, mode);
            }
        }
    }

    @Override
    public void launch(IEditorPart editor, String mode) {
        IFile file = Adapters.adapt(editor.getEditorInput(), IFile.class);
        if (file != null) {
            launch(file, mode);
        }
    }

    private void launch(IFile file, String mode) {
        try {
            DebugUITools.launch(configurationFor(file), mode);
        } catch (CoreException e) {
            ErrorDialog.openError(Display.getDefault().getActiveShell(), "Rewind", "Cannot launch " + file.getName(),
                    e.getStatus());
        }
    }

    /** The configuration of this type for {@code file}: an existing one for that program, or a new saved one. */
    public ILaunchConfiguration configurationFor(IFile file) throws CoreException {
        IPath loc = file.getLocation();
        String program = loc == null ? file.getFullPath().toString() : loc.toOSString();
        ILaunchManager lm = DebugPlugin.getDefault().getLaunchManager();
        ILaunchConfigurationType t = lm.getLaunchConfigurationType(type);
        for (ILaunchConfiguration c : lm.getLaunchConfigurations(t)) {
            if (program.equals(c.getAttribute(LaunchAttributes.PROGRAM, ""))) {
                return c;
            }
        }
        String base = program.endsWith(".elf") ? program.substring(0, program.length() - 4) : program;
        String name = lm.generateLaunchConfigurationName(file.getName() + (type.equals(LaunchAttributes.RECORD_TYPE)
                ? " (record)" : " (replay)"));
        ILaunchConfigurationWorkingCopy wc = t.newInstance(null, name);
        wc.setAttribute(LaunchAttributes.PROGRAM, program);
        wc.setAttribute(LaunchAttributes.RECORDING, base + ".rrlog");
        wc.setMappedResources(new org.eclipse.core.resources.IResource[] {file});
        return wc.doSave();
    }
}
