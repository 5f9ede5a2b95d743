package dev.rewind.replay;

import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import dev.rewind.emulator.StopReason;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.replay.log.EventKind;
import dev.rewind.replay.log.ReplayEvent;
import dev.rewind.replay.log.ReplayLog;

/**
 * A recording being executed: the rebuilt machine fed by a {@link Replayer}, the guest's console
 * along the timeline and the replay's disk, checked against the log's digests as it goes. It
 * only executes; positions, snapshots, seeking and stop conditions belong to the
 * {@link Timeline} that owns it (rr's ReplaySession / ReplayTimeline split). Single-threaded,
 * like the machine.
 */
public final class ReplaySession implements AutoCloseable {

    /** Where the session's inputs and outputs stand, for a snapshot: log position, console length, disk overlay. */
    record IoPosition(Replayer.Position port, int consoleLength, Object diskState) {
    }

    private final Path logFile;
    private final ReplayLog log;
    private final VirtMachine machine;
    private final Replayer replayer;
    private final ConsoleHistory console;
    private final OverlayDisk disk;
    private final HartDigest hartDigest = new HartDigest();
    private final long[] digestIcounts;
    private final byte[][] digests;
    private final ReplayEvent exitEvent;
    private final Path program;

    ReplaySession(Path logFile, ReplayLog log, VirtMachine machine, Replayer replayer, ConsoleHistory console,
            OverlayDisk disk, Path program) {
        this.logFile = logFile;
        this.program = program;
        this.log = log;
        this.machine = machine;
        this.replayer = replayer;
        this.console = console;
        this.disk = disk;
        List<ReplayEvent> ds = log.events().stream().filter(e -> e.kind() == EventKind.DIGEST).toList();
        this.digestIcounts = ds.stream().mapToLong(ReplayEvent::icount).toArray();
        this.digests = ds.stream().map(ReplayEvent::data).toArray(byte[][]::new);
        this.exitEvent = log.events().stream().filter(e -> e.kind() == EventKind.EXIT).findFirst().orElse(null);
    }

    public VirtMachine machine() {
        return machine;
    }

    public ReplayLog log() {
        return log;
    }

    public Path logFile() {
        return logFile;
    }

    /** The program file this replay runs (as resolved when it was opened): the kernel, else the firmware. */
    public Path program() {
        return program;
    }

    public ConsoleHistory console() {
        return console;
    }

    /** What stands where history stops, for messages: the damage of a cut-short log, or null. */
    public String historyEndNote() {
        return log.damage();
    }

    /** The replay's disk (reads as the guest's disk at the current position), or null without one. */
    OverlayDisk disk() {
        return disk;
    }

    // ---- executing (for the timeline) ----

    /** Runs the machine to at most {@code limit} and checks the digest the log has for where it stopped, if any. */
    StopReason advance(long limit) {
        StopReason r = machine.run(limit);
        checkDigest(machine.icount());
        return r;
    }

    /** The next icount after {@code icount} at which the log holds a hart digest, or Long.MAX_VALUE. */
    long nextDigestAfter(long icount) {
        int i = Arrays.binarySearch(digestIcounts, icount + 1);
        if (i < 0) {
            i = -i - 1;
        }
        return i < digestIcounts.length ? digestIcounts[i] : Long.MAX_VALUE;
    }

    private void checkDigest(long icount) {
        int i = Arrays.binarySearch(digestIcounts, icount);
        if (i >= 0) {
            byte[] actual = hartDigest.of(machine);
            if (!MessageDigest.isEqual(actual, digests[i])) {
                throw new ReplayDivergenceException(icount, "expected hart digest "
                        + HexFormat.of().formatHex(digests[i], 0, 8) + "..., got " + HexFormat.of().formatHex(actual, 0, 8) + "...");
            }
        }
    }

    /** False if the log holds a hart digest for the current icount and the machine's harts differ from it. */
    boolean digestAgrees() {
        int i = Arrays.binarySearch(digestIcounts, machine.icount());
        return i < 0 || MessageDigest.isEqual(hartDigest.of(machine), digests[i]);
    }

    /** Checks a guest exit against the recording's; {@code finalDigest} is the digest of the full machine state. */
    void checkExit(byte[] finalDigest) {
        long icount = machine.icount();
        if (exitEvent == null) {
            throw new ReplayDivergenceException(icount, "the guest exited but the recording did not end with an exit");
        }
        if (exitEvent.icount() != icount || exitEvent.value() != machine.exitCode()) {
            throw new ReplayDivergenceException(icount, "the guest exited with code " + machine.exitCode()
                    + " where the recording exited with code " + exitEvent.value() + " at icount " + exitEvent.icount());
        }
        if (!MessageDigest.isEqual(finalDigest, exitEvent.data())) {
            throw new ReplayDivergenceException(icount, "final machine state differs from the recording (expected digest "
                    + HexFormat.of().formatHex(exitEvent.data(), 0, 8) + "..., got "
                    + HexFormat.of().formatHex(finalDigest, 0, 8) + "...)");
        }
    }

    /** Passes the guest's disk requests to {@code observer} (null: to nobody). */
    void observeSubmissions(Replayer.SubmissionObserver observer) {
        replayer.observeSubmissions(observer);
    }

    IoPosition ioPosition() {
        return new IoPosition(replayer.position(), console.length(), disk != null ? disk.state() : null);
    }

    void restoreIo(IoPosition p) {
        replayer.restore(p.port());
        console.moveTo(p.consoleLength());
        if (disk != null) {
            disk.restore(p.diskState());
        }
    }

    @Override
    public void close() throws IOException {
        if (disk != null) {
            disk.close();
        }
    }
}
