package dev.rewind.debug.core.launch;

/** Names of the launch configuration attributes shared by the Record Run and Replay types. */
public final class LaunchAttributes {

    public static final String RECORD_TYPE = "dev.rewind.launch.record";
    public static final String REPLAY_TYPE = "dev.rewind.launch.replay";

    /** Path of the RISC-V ELF program (string; variables such as ${workspace_loc} allowed). */
    public static final String PROGRAM = "dev.rewind.program";
    /** Path of a qcow2 disk image for the virtio block device, or empty for none. */
    public static final String DISK = "dev.rewind.disk";
    /** icount shift: virtual ns per instruction = 2^shift (int). */
    public static final String ICOUNT_SHIFT = "dev.rewind.icountShift";
    /** Instructions between in-memory replay snapshots (string holding a long). */
    public static final String SNAPSHOT_INTERVAL = "dev.rewind.snapshotInterval";
    /** Path of the recording (.rrlog) written by Record Run and read by Replay. */
    public static final String RECORDING = "dev.rewind.recording";
    /** Text fed to the guest's UART at the start of a recording, before typed input. */
    public static final String INPUT = "dev.rewind.input";
    /** Firmware booted before the program (QEMU's -bios FILE), or empty for -bios none. */
    public static final String BIOS = "dev.rewind.bios";
    /** Initial ramdisk for the program (QEMU's -initrd), or empty. */
    public static final String INITRD = "dev.rewind.initrd";
    /** Kernel command line for /chosen/bootargs (QEMU's -append), or empty. */
    public static final String APPEND = "dev.rewind.append";
    /** A device tree blob passed instead of the machine's own (QEMU's -dtb), or empty. */
    public static final String DTB = "dev.rewind.dtb";
    /** Contents of flash bank 0 at 0x2000_0000 (QEMU's first -pflash FILE), or empty for none. */
    public static final String PFLASH0 = "dev.rewind.pflash0";
    /** Contents of flash bank 1 at 0x2200_0000 (QEMU's second -pflash FILE), or empty for none. */
    public static final String PFLASH1 = "dev.rewind.pflash1";
    /** Harts of a Record Run, 1 to 8 (QEMU's -smp N; int, default 1); a Replay runs the recording's. */
    public static final String HARTS = "dev.rewind.harts";
    /** Upper bound of instructions a recording runs (string holding a long). */
    public static final String MAX_ICOUNT = "dev.rewind.maxIcount";

    /**
     * Snapshot interval of an IDE replay: the engine's default. A reverse line step seeks twice,
     * but each seek finds the fine snapshots the engine leaves behind every stop, and a whole
     * interval replays in a few ms with translated blocks; a denser grid (2M was the default) only
     * cost replay speed (a fifth, in ReplayInIdeBenchmark).
     */
    public static final long DEFAULT_SNAPSHOT_INTERVAL = dev.rewind.replay.Timeline.Options.DEFAULT_INTERVAL;
    public static final long DEFAULT_MAX_ICOUNT = 10_000_000_000L;
    /** The snapshot name a recording with a disk starts from (QEMU's rrsnapshot). */
    public static final String START_SNAPSHOT = "init";

    private LaunchAttributes() {
    }
}
