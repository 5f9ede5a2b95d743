package dev.rewind.debug.ui;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.debug.core.DebugException;
import org.eclipse.debug.core.model.IVariable;
import org.eclipse.jface.viewers.ISelection;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.ui.handlers.HandlerUtil;

import dev.rewind.debug.core.model.RecordingQueries;
import dev.rewind.debug.core.model.ReplayTarget;

/**
 * "Go to Last Write" / "Go to Next Write" on a global variable in the Variables view: asks the
 * recording where it was last (next) written and moves the replay to just before that write.
 */
public abstract class WriteSearchHandler extends AbstractHandler {

    private final boolean next;

    WriteSearchHandler(boolean next) {
        this.next = next;
    }

    /** Go to Last Write. */
    public static final class Last extends WriteSearchHandler {
        public Last() {
            super(false);
        }
    }

    /** Go to Next Write. */
    public static final class Next extends WriteSearchHandler {
        public Next() {
            super(true);
        }
    }

    @Override
    public Object execute(ExecutionEvent event) {
        ISelection s = HandlerUtil.getCurrentSelection(event);
        if (s instanceof IStructuredSelection ss && ss.getFirstElement() instanceof IVariable v
                && v.getDebugTarget() instanceof ReplayTarget t) {
            try {
                goToWrite(t, v.getName(), next);
            } catch (DebugException e) {
                // the variable went away with its frame: nothing to search
            }
        }
        return null;
    }

    /** Searches in a job and moves the target there; returns the job. */
    public static Job goToWrite(ReplayTarget t, String variable, boolean next) {
        long at = t.state().icount();
        Job job = new RecordingQuestionJob((next ? "Next" : "Last") + " write of " + variable) {
            @Override
            protected IStatus ask(IProgressMonitor monitor) throws CoreException {
                Long icount = RecordingQueries.write(t, variable, at, next, monitor);
                if (icount == null) {
                    return new Status(IStatus.INFO, RewindDebugUI.PLUGIN_ID, "The recording has no "
                            + (next ? "later" : "earlier") + " write of " + variable + ".");
                }
                t.seek(icount);
                return Status.OK_STATUS;
            }
        };
        job.schedule();
        return job;
    }
}
