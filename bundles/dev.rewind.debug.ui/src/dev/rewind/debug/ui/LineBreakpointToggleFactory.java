package dev.rewind.debug.ui;

import java.util.Set;

import org.eclipse.debug.ui.actions.IToggleBreakpointsTarget;
import org.eclipse.debug.ui.actions.IToggleBreakpointsTargetFactory;
import org.eclipse.jface.viewers.ISelection;
import org.eclipse.ui.IWorkbenchPart;

/** Offers Rewind line breakpoints in text editors showing C or assembly sources. */
public final class LineBreakpointToggleFactory implements IToggleBreakpointsTargetFactory {

    static final String ID = "dev.rewind.debug.ui.lineBreakpoints";

    @Override
    public Set<String> getToggleTargets(IWorkbenchPart part, ISelection selection) {
        return LineBreakpointToggler.sourcePath(part) != null ? Set.of(ID) : Set.of();
    }

    @Override
    public String getDefaultToggleTarget(IWorkbenchPart part, ISelection selection) {
        return LineBreakpointToggler.sourcePath(part) != null ? ID : null;
    }

    @Override
    public IToggleBreakpointsTarget createToggleTarget(String targetID) {
        return ID.equals(targetID) ? new LineBreakpointToggler() : null;
    }

    @Override
    public String getToggleTargetName(String targetID) {
        return "Rewind Line Breakpoints";
    }

    @Override
    public String getToggleTargetDescription(String targetID) {
        return "Breakpoints on source lines of RISC-V programs debugged with Rewind";
    }
}
