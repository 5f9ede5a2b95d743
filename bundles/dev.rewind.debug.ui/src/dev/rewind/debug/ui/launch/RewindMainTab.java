package dev.rewind.debug.ui.launch;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.ui.AbstractLaunchConfigurationTab;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Spinner;
import org.eclipse.swt.widgets.Text;

import dev.rewind.debug.core.launch.LaunchAttributes;
import dev.rewind.debug.core.launch.LaunchSettings;
import dev.rewind.debug.ui.RewindDebugUI;

/**
 * The main tab of both launch types: program ELF, recording file, disk image, icount shift,
 * and per type the boot files and UART input (Record Run: QEMU's -bios, -initrd, -append, -dtb, -pflash, -smp
 * around the program as -kernel) or the snapshot interval (Replay: the recording names its boot files). Validation runs
 * the same checks as the launch itself, so the dialog shows the message the launch would fail with.
 */
public final class RewindMainTab extends AbstractLaunchConfigurationTab {

    private final boolean record;
    private Text program;
    private Text recording;
    private Text disk;
    private Spinner shift;
    private Text interval;
    private Text input;
    private Text bios;
    private Text initrd;
    private Text append;
    private Text dtb;
    private Text pflash0;
    private Text pflash1;
    private Spinner harts;

    public RewindMainTab(boolean record) {
        this.record = record;
    }

    @Override
    public void createControl(Composite parent) {
        Composite c = new Composite(parent, SWT.NONE);
        c.setLayout(new GridLayout(3, false));
        program = fileRow(c, record ? "Program (RISC-V ELF, or -kernel):" : "Program (RISC-V ELF):", new String[] {"*.elf", "*"});
        recording = fileRow(c, record ? "Record into:" : "Recording:", new String[] {"*.rrlog", "*"});
        disk = fileRow(c, "Disk image (qcow2, optional):", new String[] {"*.qcow2", "*"});
        if (record) {
            bios = fileRow(c, "Firmware (-bios, optional):", new String[] {"*.elf", "*.bin", "*"});
            bios.setToolTipText("Booted first, at the start of RAM (e.g. OpenSBI fw_dynamic.bin); the program is then its"
                    + " payload (-kernel: ELF, Linux Image or raw binary). Empty: -bios none");
            initrd = fileRow(c, "Initrd (optional):", new String[] {"*"});
            new Label(c, SWT.NONE).setText("Kernel command line:");
            append = new Text(c, SWT.BORDER);
            append.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
            append.setToolTipText("/chosen/bootargs, as QEMU's -append");
            append.addModifyListener(e -> changed());
            dtb = fileRow(c, "Device tree (-dtb, optional):", new String[] {"*.dtb", "*"});
            pflash0 = fileRow(c, "Flash bank 0 (-pflash, optional):", new String[] {"*.img", "*.bin", "*"});
            pflash0.setToolTipText("32 MiB raw file for the CFI flash at 0x20000000; with it the reset ROM jumps"
                    + " there unless a firmware is given (QEMU 7.2). Read, never written by the recording");
            pflash1 = fileRow(c, "Flash bank 1 (-pflash, optional):", new String[] {"*.img", "*.bin", "*"});
            pflash1.setToolTipText("32 MiB raw file for the CFI flash at 0x22000000 (e.g. firmware variables or a"
                    + " U-Boot environment). Read, never written by the recording");
            new Label(c, SWT.NONE).setText("Harts (-smp):");
            harts = new Spinner(c, SWT.BORDER);
            harts.setValues(1, 1, dev.rewind.emulator.MachineConfig.MAX_HARTS, 0, 1, 1);
            harts.setToolTipText("Harts of the virt machine (QEMU's -smp N); they take turns deterministically,"
                    + " so the recording replays exactly. A Replay runs as many as its recording has");
            harts.addModifyListener(e -> changed());
            new Label(c, SWT.NONE);
        }
        new Label(c, SWT.NONE).setText("icount shift:");
        shift = new Spinner(c, SWT.BORDER);
        shift.setValues(0, 0, 10, 0, 1, 1);
        shift.setToolTipText("Virtual nanoseconds per instruction = 2^shift (QEMU's -icount shift)");
        shift.addModifyListener(e -> changed());
        new Label(c, SWT.NONE);
        if (record) {
            new Label(c, SWT.NONE).setText("UART input:");
            input = new Text(c, SWT.BORDER | SWT.MULTI | SWT.V_SCROLL);
            GridData gd = new GridData(SWT.FILL, SWT.FILL, true, false, 2, 1);
            gd.heightHint = 60;
            input.setLayoutData(gd);
            input.setToolTipText("Sent to the guest's UART when the run starts; type more in the console");
            input.addModifyListener(e -> changed());
        } else {
            new Label(c, SWT.NONE).setText("Snapshot interval (instructions):");
            interval = new Text(c, SWT.BORDER);
            interval.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
            interval.setToolTipText("Smaller: faster reverse steps, more memory");
            interval.addModifyListener(e -> changed());
        }
        setControl(c);
    }

    private Text fileRow(Composite c, String label, String[] filters) {
        new Label(c, SWT.NONE).setText(label);
        Text t = new Text(c, SWT.BORDER);
        t.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        t.addModifyListener(e -> changed());
        Button b = new Button(c, SWT.PUSH);
        b.setText("Browse...");
        b.addListener(SWT.Selection, e -> {
            FileDialog d = new FileDialog(c.getShell(), record && t == recording ? SWT.SAVE : SWT.OPEN);
            d.setFilterExtensions(filters);
            String f = d.open();
            if (f != null) {
                t.setText(f);
            }
        });
        return t;
    }

    private void changed() {
        setDirty(true);
        updateLaunchConfigurationDialog();
    }

    @Override
    public void setDefaults(ILaunchConfigurationWorkingCopy c) {
        c.setAttribute(LaunchAttributes.ICOUNT_SHIFT, 0);
    }

    @Override
    public void initializeFrom(ILaunchConfiguration c) {
        try {
            program.setText(c.getAttribute(LaunchAttributes.PROGRAM, ""));
            recording.setText(c.getAttribute(LaunchAttributes.RECORDING, ""));
            disk.setText(c.getAttribute(LaunchAttributes.DISK, ""));
            shift.setSelection(c.getAttribute(LaunchAttributes.ICOUNT_SHIFT, 0));
            if (input != null) {
                input.setText(c.getAttribute(LaunchAttributes.INPUT, ""));
                bios.setText(c.getAttribute(LaunchAttributes.BIOS, ""));
                initrd.setText(c.getAttribute(LaunchAttributes.INITRD, ""));
                append.setText(c.getAttribute(LaunchAttributes.APPEND, ""));
                dtb.setText(c.getAttribute(LaunchAttributes.DTB, ""));
                pflash0.setText(c.getAttribute(LaunchAttributes.PFLASH0, ""));
                pflash1.setText(c.getAttribute(LaunchAttributes.PFLASH1, ""));
                harts.setSelection(c.getAttribute(LaunchAttributes.HARTS, 1));
            }
            if (interval != null) {
                interval.setText(c.getAttribute(LaunchAttributes.SNAPSHOT_INTERVAL, ""));
            }
        } catch (CoreException e) {
            setErrorMessage(e.getStatus().getMessage());
        }
    }

    @Override
    public void performApply(ILaunchConfigurationWorkingCopy c) {
        c.setAttribute(LaunchAttributes.PROGRAM, program.getText().strip());
        c.setAttribute(LaunchAttributes.RECORDING, recording.getText().strip());
        c.setAttribute(LaunchAttributes.DISK, disk.getText().strip());
        c.setAttribute(LaunchAttributes.ICOUNT_SHIFT, shift.getSelection());
        if (input != null) {
            c.setAttribute(LaunchAttributes.INPUT, input.getText());
            c.setAttribute(LaunchAttributes.BIOS, bios.getText().strip());
            c.setAttribute(LaunchAttributes.INITRD, initrd.getText().strip());
            c.setAttribute(LaunchAttributes.APPEND, append.getText().strip());
            c.setAttribute(LaunchAttributes.DTB, dtb.getText().strip());
            c.setAttribute(LaunchAttributes.PFLASH0, pflash0.getText().strip());
            c.setAttribute(LaunchAttributes.PFLASH1, pflash1.getText().strip());
            c.setAttribute(LaunchAttributes.HARTS, harts.getSelection());
        }
        if (interval != null) {
            c.setAttribute(LaunchAttributes.SNAPSHOT_INTERVAL, interval.getText().strip());
        }
    }

    @Override
    public boolean isValid(ILaunchConfiguration c) {
        setErrorMessage(null);
        String problem = problem(c, record);
        setErrorMessage(problem);
        return problem == null;
    }

    /** What is wrong with a configuration, as the launch would say it, or null. */
    public static String problem(ILaunchConfiguration c, boolean record) {
        try {
            LaunchSettings s = LaunchSettings.read(c);
            if (record) {
                s.checkForRecord();
            } else {
                s.checkForReplay();
            }
            return null;
        } catch (CoreException e) {
            return e.getStatus().getMessage();
        }
    }

    @Override
    public String getName() {
        return "Main";
    }

    @Override
    public Image getImage() {
        return RewindDebugUI.image(record ? RewindDebugUI.IMG_RECORD : RewindDebugUI.IMG_REPLAY);
    }
}
