package dev.rewind.dsf;

import org.eclipse.cdt.dsf.debug.service.IProcesses;
import org.eclipse.cdt.dsf.debug.service.IRunControl;
import org.eclipse.cdt.dsf.gdb.service.GdbDebugServicesFactory;
import org.eclipse.cdt.dsf.service.DsfSession;
import org.eclipse.debug.core.ILaunchConfiguration;

/**
 * DSF-GDB services for a Rewind replay: CDT's services for the gdb version at hand, except run
 * control ({@link NativeReverseRunControl}: reverse without {@code record}) and processes
 * ({@link ReplayProcesses}: the session stays at the start of history instead of resuming).
 * Both need gdb 7.12 or newer (the services they extend); with an older gdb, or in non-stop
 * mode (which gdb cannot reverse), CDT's own services are used unchanged.
 */
public class RewindServicesFactory extends GdbDebugServicesFactory {

    public static final String PLUGIN_ID = "dev.rewind.dsf";

    public RewindServicesFactory(String version, ILaunchConfiguration config) {
        super(version, config);
    }

    private boolean rewindServices() {
        return compareVersionWith(GDB_7_12_VERSION) >= 0 && !getIsNonStopMode();
    }

    @Override
    protected IRunControl createRunControlService(DsfSession session) {
        return rewindServices() ? new NativeReverseRunControl(session) : super.createRunControlService(session);
    }

    @Override
    protected IProcesses createProcessesService(DsfSession session) {
        return rewindServices() ? new ReplayProcesses(session) : super.createProcessesService(session);
    }
}
