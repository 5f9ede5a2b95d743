package dev.rewind.debug.core.launch;

import java.io.IOException;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;

import dev.rewind.debug.core.model.ReplayTarget;
import dev.rewind.replay.Timeline;
import dev.rewind.replay.ReplaySetupException;
import dev.rewind.replay.log.ReplayLogException;
import dev.rewind.symbols.ProgramSymbols;
import dev.rewind.symbols.SymbolsException;

/** "Replay": opens a recording of the program and debugs it, suspended at the start of its history. */
public final class ReplayLaunchDelegate extends CheckedLaunchDelegate {

    @Override
    void check(LaunchSettings settings) throws CoreException {
        settings.checkForReplay();
    }

    @Override
    public void launch(ILaunchConfiguration configuration, String mode, ILaunch launch, IProgressMonitor monitor)
            throws CoreException {
        LaunchSettings s = LaunchSettings.read(configuration);
        s.checkForReplay();
        String program = s.program().getFileName().toString();
        ProgramSymbols symbols;
        try {
            symbols = ProgramSymbols.load(s.program());
        } catch (SymbolsException e) {
            throw LaunchSettings.error("Cannot read the symbols of " + program + ": " + e.getMessage());
        }
        Timeline session;
        try {
            session = Timeline.open(s.recording(), Timeline.Options.defaults().withProgram(s.program())
                    .withSnapshotInterval(s.snapshotInterval()));
        } catch (ReplaySetupException e) {
            throw LaunchSettings.error("Cannot replay " + s.recording().getFileName() + " with " + program + ": "
                    + e.getMessage());
        } catch (ReplayLogException e) {
            throw LaunchSettings.error(s.recording().getFileName() + " is not a readable Rewind recording: " + e.getMessage());
        } catch (IOException e) {
            throw LaunchSettings.error("Cannot read recording " + s.recording() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw LaunchSettings.error("Cannot replay " + s.recording().getFileName() + ": " + e.getMessage());
        }
        ReplayTarget.start(launch, program + " replay (" + s.recording().getFileName() + ")", session, symbols);
    }
}
