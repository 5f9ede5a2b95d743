package dev.rewind.debug.ui;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.OperationCanceledException;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;

/**
 * A user job that asks a recording one question (its query engine replays with progress):
 * cancelling ends it quietly, a failed question becomes the job's status.
 */
abstract class RecordingQuestionJob extends Job {

    RecordingQuestionJob(String name) {
        super(name);
        setUser(true);
    }

    /** Asks and acts on the answer; {@code monitor} has 1000 units and carries cancel. */
    protected abstract IStatus ask(IProgressMonitor monitor) throws CoreException;

    @Override
    protected final IStatus run(IProgressMonitor monitor) {
        monitor.beginTask(getName(), 1000);
        try {
            return ask(monitor);
        } catch (OperationCanceledException e) {
            return Status.CANCEL_STATUS;
        } catch (CoreException e) {
            return e.getStatus();
        } finally {
            monitor.done();
        }
    }
}
