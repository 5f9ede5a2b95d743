package dev.rewind.dsf.ui;

import org.eclipse.cdt.launch.ui.CMainTab2;
import org.eclipse.debug.ui.AbstractLaunchConfigurationTabGroup;
import org.eclipse.debug.ui.CommonTab;
import org.eclipse.debug.ui.ILaunchConfigurationDialog;
import org.eclipse.debug.ui.ILaunchConfigurationTab;
import org.eclipse.debug.ui.sourcelookup.SourceLookupTab;

/**
 * Tabs of "Replay (Rewind)": as Record Run, but the Rewind tab reads an existing recording and
 * the Main tab's program may stay empty (the recording names its ELF).
 */
public class ReplayTabGroup extends AbstractLaunchConfigurationTabGroup {

    @Override
    public void createTabs(ILaunchConfigurationDialog dialog, String mode) {
        setTabs(new ILaunchConfigurationTab[] {new CMainTab2(CMainTab2.DONT_CHECK_PROGRAM), new RewindTab(false),
                new SourceLookupTab(), new CommonTab()});
    }
}
