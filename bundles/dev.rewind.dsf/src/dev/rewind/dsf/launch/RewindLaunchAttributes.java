package dev.rewind.dsf.launch;

/**
 * Launch configuration attributes of the "Record Run (Rewind)" and "Replay (Rewind)" types, in
 * addition to CDT's own (program, gdb path, ...). Numbers are stored as strings so that the tab
 * can keep what the user typed and say precisely what is wrong with it.
 */
public final class RewindLaunchAttributes {

    public static final String RECORD_RUN_TYPE = "dev.rewind.dsf.recordRun";
    public static final String REPLAY_TYPE = "dev.rewind.dsf.replay";

    /** The recording (.rrlog): written by Record Run, read by Replay. */
    public static final String RECORDING = "dev.rewind.dsf.recording";
    /** Instructions between in-memory replay snapshots (string holding a positive long). */
    public static final String SNAPSHOT_INTERVAL = "dev.rewind.dsf.snapshotInterval";
    /** icount shift: virtual ns per instruction = 2^shift (string holding 0..10). */
    public static final String ICOUNT_SHIFT = "dev.rewind.dsf.icountShift";
    /** qcow2 disk image for the virtio block device, or empty for none. */
    public static final String DISK_IMAGE = "dev.rewind.dsf.diskImage";
    /** Upper bound of instructions a recording runs (string holding a positive long). */
    public static final String MAX_ICOUNT = "dev.rewind.dsf.maxIcount";

    public static final String DEFAULT_SNAPSHOT_INTERVAL = "10000000";
    public static final String DEFAULT_ICOUNT_SHIFT = "0";
    public static final String DEFAULT_MAX_ICOUNT = "10000000000";
    /** The gdb that understands RISC-V on Debian/Ubuntu hosts. */
    public static final String DEFAULT_GDB = "gdb-multiarch";
    /** Name of the start snapshot a recording with a disk begins from (QEMU's rrsnapshot). */
    public static final String START_SNAPSHOT = "init";

    /** Largest icount shift accepted (QEMU's limit). */
    public static final int MAX_SHIFT = 10;

    private RewindLaunchAttributes() {
    }
}
