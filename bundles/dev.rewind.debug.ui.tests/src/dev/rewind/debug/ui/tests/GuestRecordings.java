package dev.rewind.debug.ui.tests;

import static dev.rewind.debug.ui.tests.ReverseDebuggingWorkbenchTest.waitUntil;

import java.nio.file.Path;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;

import dev.rewind.debug.core.launch.LaunchAttributes;

/** Record Run and Replay launches of a guest, as a user starts them, for the workbench tests. */
final class GuestRecordings {

    private GuestRecordings() {
    }

    /** Records {@code elf} into {@code rec} (at most {@code maxIcount} instructions, 0: no limit) and waits for the end. */
    static ILaunch record(Path elf, Path rec, long maxIcount) throws CoreException {
        ILaunchConfigurationWorkingCopy wc = manager().getLaunchConfigurationType(LaunchAttributes.RECORD_TYPE)
                .newInstance(null, "record " + elf.getFileName());
        wc.setAttribute(LaunchAttributes.PROGRAM, elf.toString());
        wc.setAttribute(LaunchAttributes.RECORDING, rec.toString());
        if (maxIcount > 0) {
            wc.setAttribute(LaunchAttributes.MAX_ICOUNT, Long.toString(maxIcount));
        }
        ILaunch recorded = wc.launch(ILaunchManager.RUN_MODE, null);
        waitUntil(recorded::isTerminated, "the recording of " + elf.getFileName());
        return recorded;
    }

    /** A Replay launch of {@code rec} with {@code elf}'s symbols, suspended at the start. */
    static ILaunch replay(Path elf, Path rec) throws CoreException {
        ILaunchConfigurationWorkingCopy rep = manager().getLaunchConfigurationType(LaunchAttributes.REPLAY_TYPE)
                .newInstance(null, "replay " + elf.getFileName());
        rep.setAttribute(LaunchAttributes.PROGRAM, elf.toString());
        rep.setAttribute(LaunchAttributes.RECORDING, rec.toString());
        return rep.launch(ILaunchManager.DEBUG_MODE, null);
    }

    static ILaunchManager manager() {
        return DebugPlugin.getDefault().getLaunchManager();
    }
}
