package dev.rewind.dsf.launch;

/**
 * The two CDT launch types of the bridge and what only they need. Their Rewind settings
 * (recording, snapshot interval, icount shift, disk, instruction limit) are the attributes of
 * {@link dev.rewind.debug.core.launch.LaunchAttributes}, read and checked by debug.core's
 * {@link dev.rewind.debug.core.launch.LaunchSettings}; the program is CDT's own attribute.
 */
public final class RewindLaunchAttributes {

    public static final String RECORD_RUN_TYPE = "dev.rewind.dsf.recordRun";
    public static final String REPLAY_TYPE = "dev.rewind.dsf.replay";

    /** The gdb that understands RISC-V on Debian/Ubuntu hosts. */
    public static final String DEFAULT_GDB = "gdb-multiarch";
    /** Largest icount shift accepted (QEMU's limit; debug.core's LaunchSettings checks the same). */
    public static final int MAX_SHIFT = 10;

    private RewindLaunchAttributes() {
    }
}
