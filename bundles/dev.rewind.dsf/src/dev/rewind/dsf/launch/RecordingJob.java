package dev.rewind.dsf.launch;

import java.io.IOException;
import java.io.OutputStream;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;

import dev.rewind.debug.core.launch.LaunchSettings;
import dev.rewind.dsf.RewindServicesFactory;
import dev.rewind.replay.RecordSession;
import dev.rewind.replay.ReplaySetupException;

/**
 * Records a run in Rewind's emulator, in process, as an Eclipse job: the Progress view shows it
 * and its cancel button ends the recording early; the log stays valid up to that point and the
 * replay covers what was recorded. What is recorded is debug.core's
 * {@link LaunchSettings#recordOptions}; this job only differs from debug.core's RecordJob in
 * having no process in the launch (CDT's GDB launch owns the launch's processes).
 */
final class RecordingJob extends Job {

    private final LaunchSettings settings;
    private final OutputStream uart;
    private volatile RecordSession session;
    private volatile RecordSession.Result result;

    RecordingJob(LaunchSettings settings, OutputStream uart) {
        super("Recording " + settings.program().getFileName() + " in Rewind");
        this.settings = settings;
        this.uart = uart;
    }

    /** How the recording ended; null unless the job finished with an OK status. */
    RecordSession.Result result() {
        return result;
    }

    @Override
    protected void canceling() {
        RecordSession s = session;
        if (s != null) {
            s.requestStop(); // noticed within one run slice; the log is ended properly
        }
    }

    @Override
    protected IStatus run(IProgressMonitor monitor) {
        // the same recording as debug.core's Record Run, without typed input (idle ends it)
        RecordSession.Options o = settings.recordOptions(null, uart, false);
        monitor.beginTask(getName(), IProgressMonitor.UNKNOWN);
        try (RecordSession s = RecordSession.start(o)) {
            session = s;
            if (monitor.isCanceled()) {
                s.requestStop();
            }
            // A cancelled recording is still a valid one: the replay covers what ran until then.
            result = s.run(settings.maxIcount());
            return Status.OK_STATUS;
        } catch (IOException | ReplaySetupException e) {
            return new Status(IStatus.ERROR, RewindServicesFactory.PLUGIN_ID,
                    "Recording " + settings.program() + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            return new Status(IStatus.ERROR, RewindServicesFactory.PLUGIN_ID,
                    "The emulator stopped while recording " + settings.program() + ": " + e.getMessage(), e);
        } finally {
            session = null;
            monitor.done();
        }
    }
}
