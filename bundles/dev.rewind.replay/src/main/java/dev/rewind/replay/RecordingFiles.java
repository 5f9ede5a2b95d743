package dev.rewind.replay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.rewind.emulator.BootFiles;
import dev.rewind.qcow2.Qcow2Image;
import dev.rewind.qcow2.Snapshot;
import dev.rewind.replay.log.ReplayLogHeader;

/** The files a recording's log header names, as a replay finds and opens them ({@link Timeline#open}). */
final class RecordingFiles {

    private RecordingFiles() {
    }

    /**
     * The recorded boot files, found where they were or beside the log; {@code program}, if given,
     * stands in for the program (the kernel, else the firmware). A log without boot files booted
     * its program as {@code -bios none -kernel}.
     */
    static BootFiles bootFiles(Path logFile, ReplayLogHeader h, Path program) {
        if (h.bootFiles().isEmpty()) {
            return BootFiles.program(program != null ? program : Timeline.resolve(logFile, h.programPath()));
        }
        java.util.Map<String, Path> files = new java.util.TreeMap<>();
        for (ReplayLogHeader.BootFile f : h.bootFiles()) {
            files.put(f.role(), Timeline.resolve(logFile, f.path()));
        }
        if (program != null) {
            files.put(files.containsKey("kernel") ? "kernel" : "bios", program);
        }
        java.util.List<Path> pflash = new java.util.ArrayList<>();
        if (files.containsKey("pflash0") || files.containsKey("pflash1")) {
            pflash.add(files.get("pflash0"));
            if (files.containsKey("pflash1")) {
                pflash.add(files.get("pflash1"));
            }
        }
        return new BootFiles(files.get("bios"), files.get("kernel"), files.get("initrd"), h.append(), files.get("dtb"),
                pflash);
    }

    static OverlayDisk.Base diskBase(Path logFile, ReplayLogHeader h, SnapshotImage image, Snapshot start)
            throws IOException, ReplaySetupException {
        Path diskPath = Timeline.resolve(logFile, h.diskPath());
        if (image != null && start != null && Files.isSameFile(diskPath, image.image().path())) {
            Qcow2Image img = image.image();
            return new OverlayDisk.Base() {
                public long size() {
                    return img.size();
                }

                public void read(long offset, byte[] buf, int off, int len) throws IOException {
                    img.readSnapshot(start, offset, buf, off, len);
                }
            };
        }
        throw new ReplaySetupException("the recording uses disk " + diskPath + " without a start snapshot in it;"
                + " record with --snapshot init so the replay can start from the recorded disk contents");
    }
}
