package dev.rewind.dsf.launch;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.cdt.debug.core.ICDTLaunchConfigurationConstants;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.variables.VariablesPlugin;
import org.eclipse.debug.core.ILaunchConfiguration;

import dev.rewind.dsf.RewindServicesFactory;

/**
 * The Rewind settings of a launch configuration, read and checked once: every problem becomes a
 * {@link CoreException} with a sentence the launch dialog can show, never a stack trace.
 */
public record LaunchSettings(boolean record, Path program, Path recording, long snapshotInterval, int icountShift,
        Path disk, long maxIcount) {

    public static LaunchSettings of(ILaunchConfiguration config) throws CoreException {
        boolean record = RewindLaunchAttributes.RECORD_RUN_TYPE.equals(config.getType().getIdentifier());
        String recordingText = expand(config.getAttribute(RewindLaunchAttributes.RECORDING, ""));
        if (recordingText.isBlank()) {
            throw error("No recording file is set (Rewind tab).");
        }
        Path recording = Path.of(recordingText);
        if (!record && !Files.isRegularFile(recording)) {
            throw error("The recording " + recording + " does not exist.");
        }
        Path program = null;
        String programText = expand(config.getAttribute(ICDTLaunchConfigurationConstants.ATTR_PROGRAM_NAME, ""));
        if (!programText.isBlank()) {
            program = Path.of(programText);
        }
        if (record && (program == null || !Files.isRegularFile(program))) {
            throw error(program == null ? "No C/C++ application (RISC-V ELF) is set (Main tab)."
                    : "The program " + program + " does not exist.");
        }
        long interval = number(config, RewindLaunchAttributes.SNAPSHOT_INTERVAL,
                RewindLaunchAttributes.DEFAULT_SNAPSHOT_INTERVAL, "Snapshot interval", 1, Long.MAX_VALUE);
        int shift = (int) number(config, RewindLaunchAttributes.ICOUNT_SHIFT, RewindLaunchAttributes.DEFAULT_ICOUNT_SHIFT,
                "icount shift", 0, RewindLaunchAttributes.MAX_SHIFT);
        long max = number(config, RewindLaunchAttributes.MAX_ICOUNT, RewindLaunchAttributes.DEFAULT_MAX_ICOUNT,
                "Instruction limit", 1, Long.MAX_VALUE);
        Path disk = null;
        String diskText = expand(config.getAttribute(RewindLaunchAttributes.DISK_IMAGE, ""));
        if (record && !diskText.isBlank()) {
            disk = Path.of(diskText);
            if (!Files.isRegularFile(disk)) {
                throw error("The disk image " + disk + " does not exist.");
            }
        }
        return new LaunchSettings(record, program, recording, interval, shift, disk, max);
    }

    /** Parses a number attribute; also used by the tab to check what the user typed. */
    public static long parse(String text, String label, long min, long max) throws CoreException {
        long v;
        try {
            v = Long.parseLong(text.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw error(label + " must be a whole number, not '" + text + "'.");
        }
        if (v < min || v > max) {
            throw error(label + " must be between " + min + " and " + max + ", not " + v + ".");
        }
        return v;
    }

    private static long number(ILaunchConfiguration config, String attribute, String fallback, String label, long min,
            long max) throws CoreException {
        return parse(config.getAttribute(attribute, fallback), label, min, max);
    }

    private static String expand(String text) throws CoreException {
        return VariablesPlugin.getDefault().getStringVariableManager().performStringSubstitution(text.trim());
    }

    static CoreException error(String message) {
        return new CoreException(new Status(IStatus.ERROR, RewindServicesFactory.PLUGIN_ID, message));
    }
}
