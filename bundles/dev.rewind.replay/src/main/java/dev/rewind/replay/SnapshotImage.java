package dev.rewind.replay;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.rewind.emulator.MachineState;
import dev.rewind.emulator.StateFormatException;
import dev.rewind.emulator.VirtMachine;
import dev.rewind.qcow2.Qcow2Image;
import dev.rewind.qcow2.Snapshot;

/**
 * The persistent tier of the timeline: Rewind snapshots as qcow2 internal snapshots (icount in
 * the extra data, {@link VmState} in the vmstate area), in the recording's disk or in an orphan
 * image, as QEMU keeps {@code rrsnapshot}. The only class that reads or writes them.
 */
final class SnapshotImage implements Closeable {

    /** Size of the orphan image created for a diskless recording (it holds no disk data). */
    private static final long ORPHAN_SIZE = 1L << 20;

    private final Qcow2Image image;
    /** Whether closing this closes the image (false when it is the recording's disk, closed by its owner). */
    private final boolean owned;

    private SnapshotImage(Qcow2Image image, boolean owned) {
        this.image = image;
        this.owned = owned;
    }

    static SnapshotImage openReadOnly(Path path) throws IOException {
        return new SnapshotImage(Qcow2Image.openReadOnly(path), true);
    }

    /** The orphan image of a diskless recording, created if missing. */
    static SnapshotImage openOrCreate(Path path) throws IOException {
        return new SnapshotImage(Files.exists(path) ? Qcow2Image.open(path)
                : Qcow2Image.create(path, ORPHAN_SIZE, Qcow2Image.CreateOptions.defaults()), true);
    }

    /** Snapshots kept in a disk image its owner closes. */
    static SnapshotImage inDisk(Qcow2Image disk) {
        return new SnapshotImage(disk, false);
    }

    Qcow2Image image() {
        return image;
    }

    /**
     * Machine state and replay position (events consumed, console output so far) as a snapshot
     * carrying the icount; replaces one of the same name, as savevm does.
     */
    void save(String name, VirtMachine machine, long eventsConsumed, byte[] console) throws IOException {
        MachineState m = machine.saveState();
        save(name, m, new VmState(m, eventsConsumed, console).encode());
    }

    /**
     * Stores {@code vmState}, the {@link VmState#encode() encoding} of a state holding
     * {@code machineState}, as snapshot {@code name} carrying its icount; replaces one of the
     * same name, as savevm does.
     */
    void save(String name, MachineState machineState, byte[] vmState) throws IOException {
        if (image.snapshots().stream().anyMatch(s -> s.name().equals(name))) {
            image.deleteSnapshot(name);
        }
        image.createSnapshot(name, machineState.icount(),
                (machineState.icount() << machineState.icountShift()) + machineState.clockBiasNs(), vmState);
        image.flush();
    }

    /** Deletes snapshot {@code name} (its clusters become free for later ones). */
    void delete(String name) throws IOException {
        image.deleteSnapshot(name);
        image.flush();
    }

    /** The qcow2 snapshot named {@code name}. */
    Snapshot find(String name) throws IOException {
        return image.findSnapshot(name);
    }

    /**
     * The Rewind state in snapshot {@code name}.
     *
     * @throws ReplaySetupException naming the snapshot and image if it is missing or holds no Rewind state
     */
    VmState load(String name) throws ReplaySetupException {
        try {
            return VmState.decode(image.readVmState(name));
        } catch (StateFormatException e) {
            throw new ReplaySetupException("snapshot '" + name + "' in " + image.path() + " holds no Rewind machine state: "
                    + e.getMessage());
        } catch (IOException e) {
            throw new ReplaySetupException("cannot load snapshot '" + name + "' from " + image.path() + ": " + e.getMessage(), e);
        }
    }

    /** The snapshots in the image, in table order. */
    List<Timeline.SavedSnapshot> list() {
        List<Timeline.SavedSnapshot> out = new ArrayList<>();
        for (Snapshot s : image.snapshots()) {
            out.add(new Timeline.SavedSnapshot(s.id(), s.name(), s.hasIcount() ? s.icount() : -1, s.vmStateSize()));
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        if (owned) {
            image.close();
        }
    }

    static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // already failing; the first error is the one to report
            }
        }
    }
}
