package dev.rewind.dsf.ui;

import org.eclipse.cdt.launch.ui.CMainTab2;
import org.eclipse.debug.ui.AbstractLaunchConfigurationTabGroup;
import org.eclipse.debug.ui.CommonTab;
import org.eclipse.debug.ui.ILaunchConfigurationDialog;
import org.eclipse.debug.ui.ILaunchConfigurationTab;
import org.eclipse.debug.ui.sourcelookup.SourceLookupTab;

/**
 * Tabs of "Record Run (Rewind)": CDT's Main tab (project and ELF), CDT's GDB Debugger tab
 * (contributed next to it in plugin.xml, since that class is internal to CDT), the Rewind tab,
 * Source and Common.
 */
public class RecordRunTabGroup extends AbstractLaunchConfigurationTabGroup {

    @Override
    public void createTabs(ILaunchConfigurationDialog dialog, String mode) {
        setTabs(new ILaunchConfigurationTab[] {new CMainTab2(), new RewindTab(true),
                new SourceLookupTab(), new CommonTab()});
    }
}
