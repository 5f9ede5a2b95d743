package dev.rewind.dsf.ui;

import org.eclipse.cdt.dsf.gdb.IGDBLaunchConfigurationConstants;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.ui.AbstractLaunchConfigurationTab;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;

import dev.rewind.debug.core.launch.LaunchAttributes;
import dev.rewind.debug.core.launch.LaunchSettings;
import dev.rewind.dsf.launch.RewindLaunchAttributes;

/**
 * The Rewind tab: where the recording goes (Record Run) or comes from (Replay), the replay's
 * snapshot interval, and for a recording the icount shift and an optional qcow2 disk image.
 */
public class RewindTab extends AbstractLaunchConfigurationTab {

    public static final String ID = "dev.rewind.dsf.rewindTab";

    private final boolean record;
    private Text recording;
    private Text snapshotInterval;
    private Text icountShift;
    private Text diskImage;

    /** {@code record}: the Record Run variant (recording written, machine settings shown). */
    public RewindTab(boolean record) {
        this.record = record;
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getName() {
        return "Rewind";
    }

    @Override
    public void createControl(Composite parent) {
        Composite c = new Composite(parent, SWT.NONE);
        c.setLayout(new GridLayout(3, false));
        recording = fileRow(c, record ? "Recording file (written):" : "Recording file:", "*.rrlog", record);
        snapshotInterval = textRow(c, "Snapshot interval (instructions):");
        if (record) {
            icountShift = textRow(c, "icount shift (0-" + RewindLaunchAttributes.MAX_SHIFT + "):");
            diskImage = fileRow(c, "Disk image (qcow2, optional):", "*.qcow2", false);
        }
        setControl(c);
    }

    private Text textRow(Composite c, String label) {
        new Label(c, SWT.NONE).setText(label);
        Text t = new Text(c, SWT.BORDER);
        t.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
        t.addModifyListener(e -> updateLaunchConfigurationDialog());
        return t;
    }

    private Text fileRow(Composite c, String label, String filter, boolean save) {
        new Label(c, SWT.NONE).setText(label);
        Text t = new Text(c, SWT.BORDER);
        t.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        t.addModifyListener(e -> updateLaunchConfigurationDialog());
        Button browse = createPushButton(c, "Browse...", null);
        browse.addListener(SWT.Selection, e -> {
            FileDialog d = new FileDialog(getShell(), save ? SWT.SAVE : SWT.OPEN);
            d.setFilterExtensions(new String[] {filter, "*"});
            String chosen = d.open();
            if (chosen != null) {
                t.setText(chosen);
            }
        });
        return t;
    }

    @Override
    public void setDefaults(ILaunchConfigurationWorkingCopy config) {
        config.setAttribute(LaunchAttributes.RECORDING, record ? "${workspace_loc}/rewind/run.rrlog" : "");
        config.setAttribute(LaunchAttributes.SNAPSHOT_INTERVAL, Long.toString(LaunchAttributes.DEFAULT_SNAPSHOT_INTERVAL));
        config.setAttribute(LaunchAttributes.ICOUNT_SHIFT, 0);
        config.setAttribute(LaunchAttributes.DISK, "");
        // CDT's debugger tab defaults to "gdb", which cannot debug RISC-V on most hosts.
        config.setAttribute(IGDBLaunchConfigurationConstants.ATTR_DEBUG_NAME, RewindLaunchAttributes.DEFAULT_GDB);
    }

    @Override
    public void initializeFrom(ILaunchConfiguration config) {
        recording.setText(attribute(config, LaunchAttributes.RECORDING, ""));
        snapshotInterval.setText(attribute(config, LaunchAttributes.SNAPSHOT_INTERVAL,
                Long.toString(LaunchAttributes.DEFAULT_SNAPSHOT_INTERVAL)));
        if (record) {
            int shift;
            try {
                shift = config.getAttribute(LaunchAttributes.ICOUNT_SHIFT, 0);
            } catch (CoreException e) {
                shift = 0;
            }
            icountShift.setText(Integer.toString(shift));
            diskImage.setText(attribute(config, LaunchAttributes.DISK, ""));
        }
    }

    private static String attribute(ILaunchConfiguration config, String name, String fallback) {
        try {
            return config.getAttribute(name, fallback);
        } catch (CoreException e) {
            return fallback;
        }
    }

    /** A whole number typed into a field, within [min, max]; the sentence says what is wrong. */
    static long parse(String text, String label, long min, long max) throws CoreException {
        long v;
        try {
            v = Long.parseLong(text.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw LaunchSettings.error(label + " must be a whole number, not '" + text + "'.");
        }
        if (v < min || v > max) {
            throw LaunchSettings.error(label + " must be between " + min + " and " + max + ", not " + v + ".");
        }
        return v;
    }

    @Override
    public void performApply(ILaunchConfigurationWorkingCopy config) {
        config.setAttribute(LaunchAttributes.RECORDING, recording.getText().trim());
        config.setAttribute(LaunchAttributes.SNAPSHOT_INTERVAL, snapshotInterval.getText().trim());
        if (record) {
            try {
                config.setAttribute(LaunchAttributes.ICOUNT_SHIFT,
                        (int) parse(icountShift.getText(), "icount shift", 0, RewindLaunchAttributes.MAX_SHIFT));
            } catch (CoreException e) {
                // isValid shows the problem; the stored shift stays as it was
            }
            config.setAttribute(LaunchAttributes.DISK, diskImage.getText().trim());
        }
    }

    @Override
    public boolean isValid(ILaunchConfiguration config) {
        setErrorMessage(null);
        if (recording.getText().isBlank()) {
            setErrorMessage("Choose the recording file.");
            return false;
        }
        try {
            parse(snapshotInterval.getText(), "Snapshot interval", 1, Long.MAX_VALUE);
            if (record) {
                parse(icountShift.getText(), "icount shift", 0, RewindLaunchAttributes.MAX_SHIFT);
            }
        } catch (CoreException e) {
            setErrorMessage(e.getStatus().getMessage());
            return false;
        }
        return true;
    }
}
