package dev.rewind.dsf.launch;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.cdt.debug.core.ICDTLaunchConfigurationConstants;
import org.eclipse.cdt.dsf.debug.service.IDsfDebugServicesFactory;
import org.eclipse.cdt.dsf.gdb.IGDBLaunchConfigurationConstants;
import org.eclipse.cdt.dsf.gdb.launching.GdbLaunchDelegate;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.OperationCanceledException;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.core.variables.VariablesPlugin;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.ILaunchesListener2;

import dev.rewind.debug.core.launch.LaunchSettings;
import dev.rewind.dsf.RewindServicesFactory;
import dev.rewind.dsf.ui.ReverseActionSet;
import dev.rewind.dsf.ui.UartConsole;

/**
 * Launches "Record Run (Rewind)" and "Replay (Rewind)" as CDT DSF-GDB sessions.
 *
 * <p>Record Run first records the program in Rewind's emulator (an Eclipse job, in process),
 * then both types serve the recording on a free loopback port, exactly as {@code rewind
 * gdbserver --replay} does, and hand over to CDT's GDB launch as a remote session: gdb (by
 * default gdb-multiarch) connects with {@code -target-select remote}, the session stops at the
 * start of history, and reverse mode is on ({@link RewindServicesFactory}).
 *
 * <p>The remote settings are written into a working copy of the configuration that the launch
 * keeps (never saved), so the user's configuration only holds what the tabs show.
 */
public class RewindLaunchDelegate extends GdbLaunchDelegate {

    public RewindLaunchDelegate() {
        super(false); // an ELF built outside the workspace is fine: no C project required
    }

    @Override
    public ILaunch getLaunch(ILaunchConfiguration configuration, String mode) throws CoreException {
        ILaunchConfigurationWorkingCopy session = configuration.getWorkingCopy();
        asRemoteSession(session);
        return super.getLaunch(session, mode);
    }

    /** CDT attributes that make its GDB launch a remote session on a Rewind replay server. */
    static void asRemoteSession(ILaunchConfigurationWorkingCopy wc) throws CoreException {
        wc.setAttribute(ICDTLaunchConfigurationConstants.ATTR_DEBUGGER_START_MODE,
                IGDBLaunchConfigurationConstants.DEBUGGER_MODE_REMOTE);
        wc.setAttribute(IGDBLaunchConfigurationConstants.ATTR_REMOTE_TCP, true);
        wc.setAttribute(IGDBLaunchConfigurationConstants.ATTR_HOST, "127.0.0.1");
        wc.setAttribute(IGDBLaunchConfigurationConstants.ATTR_PORT, "0"); // the real one is known after binding
        // The session must open at the start of history: no run to main; and reverse is
        // enabled by the run control, not by CDT's "record at startup" (which would send record).
        wc.setAttribute(ICDTLaunchConfigurationConstants.ATTR_DEBUGGER_STOP_AT_MAIN, false);
        wc.setAttribute(IGDBLaunchConfigurationConstants.ATTR_DEBUGGER_REVERSE, false);
        wc.setAttribute(IGDBLaunchConfigurationConstants.ATTR_DEBUGGER_NON_STOP, false);
        if (wc.getAttribute(IGDBLaunchConfigurationConstants.ATTR_DEBUG_NAME, "").isBlank()) {
            wc.setAttribute(IGDBLaunchConfigurationConstants.ATTR_DEBUG_NAME, RewindLaunchAttributes.DEFAULT_GDB);
        }
    }

    @Override
    public void launch(ILaunchConfiguration config, String mode, ILaunch launch, IProgressMonitor monitor)
            throws CoreException {
        if (!ILaunchManager.DEBUG_MODE.equals(mode)) {
            throw LaunchSettings.error("Rewind launches only in Debug mode (a recording is for debugging).");
        }
        if (!(launch.getLaunchConfiguration() instanceof ILaunchConfigurationWorkingCopy session)) {
            throw LaunchSettings.error("This launch was not created by the Rewind launch delegate.");
        }
        SubMonitor progress = SubMonitor.convert(monitor, 10);
        LaunchSettings settings = settings(config);
        boolean record = RewindLaunchAttributes.RECORD_RUN_TYPE.equals(config.getType().getIdentifier());
        if (record) {
            createFolderOf(settings.recording());
            settings.checkForRecord();
            record(settings, progress.split(5));
        } else if (settings.recording() == null || !Files.isRegularFile(settings.recording())) {
            throw LaunchSettings.error(settings.recording() == null ? "No recording file is set (Rewind tab)."
                    : "The recording " + settings.recording() + " does not exist.");
        }
        progress.setWorkRemaining(5);
        InProcessGdbServer server = InProcessGdbServer.serve(settings.recording(), settings.snapshotInterval());
        boolean started = false;
        try {
            closeWhenTerminated(launch, server);
            session.setAttribute(IGDBLaunchConfigurationConstants.ATTR_PORT, Integer.toString(server.port()));
            if (settings.program() == null) {
                // A replay without a program set debugs the ELF named in the recording.
                session.setAttribute(ICDTLaunchConfigurationConstants.ATTR_PROGRAM_NAME, server.recordedProgram());
            }
            super.launch(session, mode, launch, progress.split(5));
            started = true;
        } finally {
            if (!started) {
                server.close();
            }
        }
        ReverseActionSet.showInWorkbench();
    }

    /** debug.core's settings of the configuration, with the program from CDT's Main tab (null if unset). */
    static LaunchSettings settings(ILaunchConfiguration config) throws CoreException {
        String program = VariablesPlugin.getDefault().getStringVariableManager()
                .performStringSubstitution(config.getAttribute(ICDTLaunchConfigurationConstants.ATTR_PROGRAM_NAME, "").trim());
        return LaunchSettings.read(config).withProgram(program.isBlank() ? null : Path.of(program));
    }

    private static void createFolderOf(Path recording) throws CoreException {
        if (recording == null) {
            throw LaunchSettings.error("No recording file is set (Rewind tab).");
        }
        try {
            Files.createDirectories(recording.toAbsolutePath().getParent());
        } catch (java.io.IOException e) {
            throw LaunchSettings.error("Cannot create the folder for " + recording + ": " + e.getMessage());
        }
    }

    private static void record(LaunchSettings settings, SubMonitor progress) throws CoreException {
        RecordingJob job = new RecordingJob(settings, UartConsole.forProgram(settings.program().getFileName().toString()));
        job.schedule();
        try {
            while (!job.join(100, null)) {
                if (progress.isCanceled()) {
                    job.cancel();
                }
            }
        } catch (InterruptedException e) {
            job.cancel();
            Thread.currentThread().interrupt();
            throw new OperationCanceledException();
        }
        IStatus status = job.getResult();
        if (status != null && status.getSeverity() == IStatus.ERROR) {
            throw new CoreException(status);
        }
        if (progress.isCanceled() || job.result() == null) {
            throw new OperationCanceledException();
        }
        progress.done();
    }

    /** The replay server lives as long as the launch: closed when it terminates or is removed. */
    private static void closeWhenTerminated(ILaunch launch, InProcessGdbServer server) {
        ILaunchManager manager = DebugPlugin.getDefault().getLaunchManager();
        manager.addLaunchListener(new ILaunchesListener2() {
            @Override
            public void launchesTerminated(ILaunch[] launches) {
                end(launches);
            }

            @Override
            public void launchesRemoved(ILaunch[] launches) {
                end(launches);
            }

            @Override
            public void launchesAdded(ILaunch[] launches) {
                // nothing to do
            }

            @Override
            public void launchesChanged(ILaunch[] launches) {
                // nothing to do
            }

            private void end(ILaunch[] launches) {
                for (ILaunch l : launches) {
                    if (l == launch) {
                        manager.removeLaunchListener(this);
                        server.close();
                        return;
                    }
                }
            }
        });
    }

    @Override
    protected IDsfDebugServicesFactory newServiceFactory(ILaunchConfiguration config, String version) {
        return new RewindServicesFactory(version, config);
    }

    @Override
    protected String getPluginID() {
        return RewindServicesFactory.PLUGIN_ID;
    }
}
