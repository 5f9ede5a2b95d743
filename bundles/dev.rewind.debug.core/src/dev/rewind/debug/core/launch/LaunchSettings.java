package dev.rewind.debug.core.launch;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.variables.VariablesPlugin;
import org.eclipse.debug.core.ILaunchConfiguration;

import dev.rewind.debug.core.ProgramFileCheck;
import dev.rewind.emulator.BootFiles;
import dev.rewind.emulator.FlashImage;
import dev.rewind.debug.core.RewindDebugCore;
import dev.rewind.emulator.MachineConfig;
import dev.rewind.replay.RecordSession;

/**
 * The settings of one launch, read from a configuration with variables expanded and checked.
 * Every problem becomes a {@link CoreException} whose message the launch dialog or the error
 * dialog shows as is.
 */
public record LaunchSettings(Path program, Path disk, int icountShift, long snapshotInterval, Path recording,
        String input, long maxIcount, Path bios, Path initrd, String append, Path dtb, Path pflash0, Path pflash1, int harts) {

    public static LaunchSettings read(ILaunchConfiguration c) throws CoreException {
        String program = expand(c.getAttribute(LaunchAttributes.PROGRAM, ""));
        String disk = expand(c.getAttribute(LaunchAttributes.DISK, ""));
        String recording = expand(c.getAttribute(LaunchAttributes.RECORDING, ""));
        int shift = c.getAttribute(LaunchAttributes.ICOUNT_SHIFT, 0);
        long interval = number(c.getAttribute(LaunchAttributes.SNAPSHOT_INTERVAL, ""), "Snapshot interval",
                LaunchAttributes.DEFAULT_SNAPSHOT_INTERVAL);
        long max = number(c.getAttribute(LaunchAttributes.MAX_ICOUNT, ""), "Instruction limit",
                LaunchAttributes.DEFAULT_MAX_ICOUNT);
        String append = c.getAttribute(LaunchAttributes.APPEND, "").strip();
        return new LaunchSettings(path(program), path(disk), shift, interval, path(recording),
                c.getAttribute(LaunchAttributes.INPUT, ""), max, path(expand(c.getAttribute(LaunchAttributes.BIOS, ""))),
                path(expand(c.getAttribute(LaunchAttributes.INITRD, ""))), append.isEmpty() ? null : append,
                path(expand(c.getAttribute(LaunchAttributes.DTB, ""))),
                path(expand(c.getAttribute(LaunchAttributes.PFLASH0, ""))),
                path(expand(c.getAttribute(LaunchAttributes.PFLASH1, ""))), c.getAttribute(LaunchAttributes.HARTS, 1));
    }

    private static Path path(String text) {
        return text.isBlank() ? null : Path.of(text);
    }

    /**
     * What a Record Run boots, as QEMU's -bios/-kernel/-initrd/-append/-dtb/-pflash: the program is
     * the kernel, and without a firmware it is QEMU's {@code -bios none -kernel PROGRAM}. The flash
     * files are read, never written (the recording names them with their SHA-256).
     */
    public BootFiles boot() {
        List<Path> flash = new ArrayList<>();
        if (pflash0 != null || pflash1 != null) {
            flash.add(pflash0);
            if (pflash1 != null) {
                flash.add(pflash1);
            }
        }
        return new BootFiles(bios, program, initrd, append, dtb, flash);
    }

    /**
     * The {@code rewind record} command that records what this Record Run records, shown as the
     * process's command line so a run started in Eclipse can be repeated in a terminal. Arguments
     * are single-quoted where a shell would split them.
     */
    public String recordCommandLine() {
        List<String> a = new ArrayList<>(List.of("rewind", "record"));
        if (bios == null) {
            a.add(String.valueOf(program));
        } else {
            a.addAll(List.of("--bios", bios.toString(), "--kernel", String.valueOf(program)));
        }
        option(a, "--initrd", initrd);
        option(a, "--append", append);
        option(a, "--dtb", dtb);
        if (pflash0 != null || pflash1 != null) {
            a.addAll(List.of("--pflash", pflash0 == null ? "none" : pflash0.toString()));
        }
        option(a, "--pflash", pflash1);
        if (harts != 1) {
            a.addAll(List.of("--smp", Integer.toString(harts)));
        }
        option(a, "--disk", disk);
        if (disk != null) {
            a.addAll(List.of("--snapshot", LaunchAttributes.START_SNAPSHOT));
        }
        if (icountShift != 0) {
            a.addAll(List.of("--icount-shift", Integer.toString(icountShift)));
        }
        a.addAll(List.of("--max-insns", Long.toString(maxIcount), "--rrfile", String.valueOf(recording)));
        StringBuilder sb = new StringBuilder();
        for (String arg : a) {
            sb.append(sb.length() == 0 ? "" : " ").append(arg.matches("[A-Za-z0-9_./:=,+@%-]+") ? arg
                    : "'" + arg.replace("'", "'\\''") + "'");
        }
        return sb.toString();
    }

    private static void option(List<String> args, String name, Object value) {
        if (value != null) {
            args.addAll(List.of(name, value.toString()));
        }
    }

    /** The same settings with another program (CDT's launch types name it in their own attribute). */
    public LaunchSettings withProgram(Path p) {
        return new LaunchSettings(p, disk, icountShift, snapshotInterval, recording, input, maxIcount, bios, initrd,
                append, dtb, pflash0, pflash1, harts);
    }

    /**
     * How a Record Run of these settings records: what {@link #boot()} boots into the recording,
     * with the icount shift, the disk (from its start snapshot), the UART on {@code in}/{@code uart} and
     * the snapshots rewind record persists by default.
     * {@code sleep}: an idle guest waits in real time for typed input (an interactive console).
     */
    public RecordSession.Options recordOptions(InputStream in, OutputStream uart, boolean sleep) {
        RecordSession.Options o = RecordSession.Options.of(boot(), recording).withInput(in, uart)
                .withMachine(MachineConfig.DEFAULT_RAM, icountShift).withHarts(harts).withSleep(sleep);
        // snapshots persisted as rewind record does, so a long recording opens and seeks fast
        return (disk == null ? o : o.withDisk(disk, LaunchAttributes.START_SNAPSHOT)).withDefaultSnapshots();
    }

    /** Checks what both launch types need: the program. */
    public void checkProgram() throws CoreException {
        IStatus s = ProgramFileCheck.check(program == null ? "" : program.toString());
        if (!s.isOK()) {
            throw new CoreException(s);
        }
        checkIcountAndDisk();
    }

    private void checkIcountAndDisk() throws CoreException {
        if (icountShift < 0 || icountShift > 10) {
            throw error("icount shift " + icountShift + " is out of range: use 0 to 10 (QEMU's -icount shift).");
        }
        if (disk != null && !Files.isRegularFile(disk)) {
            throw error("Disk image " + disk + " does not exist: pick a qcow2 image or leave the field empty.");
        }
    }

    /**
     * Checks a Record Run: the program (an ELF; any kernel format QEMU boots when a firmware is
     * given), the boot files, and a recording file that can be written.
     */
    public void checkForRecord() throws CoreException {
        if (bios == null) {
            checkProgram();
        } else {
            if (program == null) {
                throw error("No program selected: choose the kernel the firmware boots (ELF, Linux Image or raw binary).");
            }
            checkIcountAndDisk();
        }
        checkBootFile("Program", program);
        checkBootFile("Firmware", bios);
        checkBootFile("Initrd", initrd);
        checkBootFile("Device tree", dtb);
        checkFlashFile("Flash bank 0", pflash0);
        checkFlashFile("Flash bank 1", pflash1);
        if (harts < 1 || harts > MachineConfig.MAX_HARTS) {
            throw error("Harts " + harts + " is out of range: use 1 to " + MachineConfig.MAX_HARTS + " (QEMU's -smp).");
        }
        if (recording == null) {
            throw error("No recording file: name the .rrlog file the run is recorded into.");
        }
        Path dir = recording.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw error("The folder of recording " + recording + " does not exist.");
        }
        if (Files.isDirectory(recording)) {
            throw error("Recording " + recording + " is a folder: name a file.");
        }
    }

    /** Checks a Replay: the program and an existing recording (whether they match is checked on open). */
    public void checkForReplay() throws CoreException {
        checkProgram();
        if (recording == null) {
            throw error("No recording selected: pick the .rrlog file made by a Record Run.");
        }
        if (!Files.isRegularFile(recording)) {
            throw error("Recording " + recording + " does not exist: run a Record Run first.");
        }
        if (snapshotInterval <= 0) {
            throw error("Snapshot interval must be a positive number of instructions.");
        }
    }

    private static void checkBootFile(String what, Path file) throws CoreException {
        if (file != null && !Files.isRegularFile(file)) {
            throw error(what + " file " + file + " does not exist.");
        }
    }

    private static void checkFlashFile(String what, Path file) throws CoreException {
        checkBootFile(what, file);
        try {
            if (file != null && Files.size(file) != FlashImage.BANK_SIZE) {
                throw error(what + " file " + file + " has " + Files.size(file) + " bytes; a flash bank is exactly "
                        + FlashImage.BANK_SIZE + " bytes (32 MiB), as on QEMU: pad a copy with 'truncate -s 32M'.");
            }
        } catch (java.io.IOException e) {
            throw error("Cannot read " + what.toLowerCase(Locale.ROOT) + " file " + file + ": " + e.getMessage());
        }
    }

    private static long number(String text, String what, long dflt) throws CoreException {
        if (text == null || text.isBlank()) {
            return dflt;
        }
        try {
            return Long.parseLong(text.strip().replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw error(what + " '" + text + "' is not a number.");
        }
    }

    private static String expand(String text) throws CoreException {
        if (text == null || text.isBlank()) {
            return "";
        }
        return VariablesPlugin.getDefault().getStringVariableManager().performStringSubstitution(text.strip());
    }

    /** A launch error the dialogs show as is. */
    public static CoreException error(String message) {
        return new CoreException(new Status(IStatus.ERROR, RewindDebugCore.PLUGIN_ID, message));
    }
}
