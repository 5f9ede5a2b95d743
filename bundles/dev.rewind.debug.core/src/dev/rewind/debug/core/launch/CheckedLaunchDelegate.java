package dev.rewind.debug.core.launch;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.model.ILaunchConfigurationDelegate2;

/**
 * A Rewind launch: nothing to build, no launch object of its own, and settings checked before
 * the launch starts, so a wrong setting is an error dialog with the check's message, not a
 * half-started launch.
 */
abstract class CheckedLaunchDelegate implements ILaunchConfigurationDelegate2 {

    /** Throws a CoreException naming the setting that is wrong. */
    abstract void check(LaunchSettings settings) throws CoreException;

    @Override
    public final ILaunch getLaunch(ILaunchConfiguration configuration, String mode) {
        return null;
    }

    @Override
    public final boolean buildForLaunch(ILaunchConfiguration configuration, String mode, IProgressMonitor monitor) {
        return false;
    }

    @Override
    public final boolean finalLaunchCheck(ILaunchConfiguration configuration, String mode, IProgressMonitor monitor) {
        return true;
    }

    @Override
    public final boolean preLaunchCheck(ILaunchConfiguration configuration, String mode, IProgressMonitor monitor)
            throws CoreException {
        check(LaunchSettings.read(configuration));
        return true;
    }
}
