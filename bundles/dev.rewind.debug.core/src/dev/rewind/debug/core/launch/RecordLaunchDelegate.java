package dev.rewind.debug.core.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.model.IProcess;

import dev.rewind.replay.RecordSession;
import dev.rewind.replay.ReplaySetupException;

/** "Record Run": runs the program in the emulator as a job, with the UART on a console, and saves the recording. */
public final class RecordLaunchDelegate extends CheckedLaunchDelegate {

    @Override
    void check(LaunchSettings settings) throws CoreException {
        settings.checkForRecord();
    }

    @Override
    public void launch(ILaunchConfiguration configuration, String mode, ILaunch launch, IProgressMonitor monitor)
            throws CoreException {
        LaunchSettings s = LaunchSettings.read(configuration);
        s.checkForRecord();
        UartStreams streams = new UartStreams();
        // an idle guest waits in real time for typed input instead of racing virtual time ahead
        RecordSession.Options o = s.recordOptions(streams.input(), streams.uart(), true);
        RecordSession session;
        try {
            session = RecordSession.start(o);
        } catch (ReplaySetupException e) {
            throw LaunchSettings.error("Cannot record " + s.program().getFileName() + ": " + e.getMessage());
        } catch (IOException e) {
            throw LaunchSettings.error("Cannot record " + s.program().getFileName() + " into " + s.recording() + ": "
                    + e.getMessage());
        } catch (RuntimeException e) {
            throw LaunchSettings.error("Cannot load " + s.program() + ": " + e.getMessage());
        }
        if (!s.input().isEmpty()) {
            streams.input().type(s.input().getBytes(StandardCharsets.UTF_8));
        }
        RecordProcess process = new RecordProcess(launch, s.program().getFileName() + " (recording into "
                + s.recording().getFileName() + ")", streams);
        // the same recording from a terminal (Properties of the process show it)
        process.setAttribute(IProcess.ATTR_CMDLINE, s.recordCommandLine());
        RecordJob job = new RecordJob("Recording " + configuration.getName(), session, process, s.recording(), s.maxIcount());
        job.schedule();
    }
}
