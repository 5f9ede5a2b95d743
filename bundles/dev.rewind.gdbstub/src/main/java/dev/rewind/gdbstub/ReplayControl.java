package dev.rewind.gdbstub;

import java.util.List;

/**
 * What the QEMU-compatible monitor commands ({@link HmpReplayCommands}) need from a record/replay
 * session. Called on the server's session thread while the target is stopped.
 */
public interface ReplayControl {

    /** A stored snapshot as {@code info snapshots} lists it. */
    record Snapshot(String id, String tag, long icount) { }

    /** Whether a recording is being replayed (false for live runs and while recording). */
    boolean isReplaying();

    /** Whether the run is being recorded. */
    boolean isRecording();

    /** File name of the recording being written or replayed, or null. */
    String recordingName();

    /** The current position. */
    long icount();

    /**
     * Makes the next forward run stop when the instruction count reaches {@code icount}.
     *
     * @throws TargetException if {@code icount} is in the past or beyond the recording
     */
    void setReplayBreak(long icount) throws TargetException;

    /** Removes the replay break, if any. */
    void deleteReplayBreak();

    /**
     * Moves to exactly {@code icount} (not merely to the nearest snapshot).
     *
     * @throws TargetException if {@code icount} is outside the recording
     */
    void seek(long icount) throws TargetException;

    /** Snapshots available for seeking, oldest first. */
    List<Snapshot> snapshots();

    /** A line on the memory the in-memory snapshots hold against their budget, or null if there is none to tell. */
    default String snapshotMemory() {
        return null;
    }
}
