package dev.rewind.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import dev.rewind.emulator.BootFiles;
import dev.rewind.emulator.MachineConfig;
import dev.rewind.replay.RecordSession;
import dev.rewind.replay.ReplaySetupException;

/** {@code rewind record}: runs a program live and records every input into a replay log. */
final class RecordCommand implements Command {

    @Override
    public String name() {
        return "record";
    }

    @Override
    public String summary() {
        return "run a program and record it for exact replay (UART from stdin, to stdout)";
    }

    @Override
    public String usage() {
        return "rewind record PROG.elf --rrfile RUN.rrlog [--disk D.qcow2 --snapshot NAME]\n"
                + "         [--bios FILE|none] [--kernel FILE] [--initrd FILE] [--append ARGS] [--dtb FILE] [--dumpdtb FILE] [--pflash FILE]\n"
                + "         [--snapshot NAME --snapshot-image RR.qcow2] [--icount-shift N] [--sleep on|off]\n"
                + "         [--ram 128M] [--max-insns N] [--digest-every 10M] [--snapshot-every 250M] [--snapshot-space SIZE]\n"
                + "  --disk          qcow2 disk for the virtio block device; needs --snapshot so the replay\n"
                + "                  starts from the same disk contents (the snapshot is created in the disk)\n"
                + "  --snapshot      name of the start snapshot (icount 0) to create, e.g. init\n"
                + "  --snapshot-image  orphan qcow2 that holds the start snapshot of a diskless run (created if missing)\n"
                + "  --sleep on      idle time at WFI passes in real time (logged); off (default) warps to the next timer\n"
                + "  --digest-every  instructions between logged hart digests that detect replay divergence\n"
                + "  --snapshot-every  persist a snapshot auto-ICOUNT every N instructions (default 250M; 0: none), where a\n"
                + "                  replay jumps instead of replaying all history before a far position; a diskless run\n"
                + "                  keeps them in --snapshot-image, by default RUN.snapshots.qcow2 beside the log\n"
                + "  --snapshot-space  bytes of snapshot state they may take (default 4 x --ram); past it every other\n"
                + "                  one is deleted and the distance doubles\n"
                + "  The log header names every boot file with its SHA-256: 'rewind replay RUN.rrlog' needs nothing else.\n"
                + BootOptions.USAGE;
    }

    @Override
    public int run(String[] argv, Console console) throws Exception {
        Args a = new Args(argv, BootOptions.withValue("--rrfile", "--disk", "--snapshot", "--snapshot-image", "--icount-shift",
                "--sleep", "--ram", "--max-insns", "--digest-every", "--snapshot-every", "--snapshot-space"), Set.of());
        BootFiles boot = BootOptions.parse(a);
        if (BootOptions.dumpDtb(a, boot, a.bytes("--ram", MachineConfig.DEFAULT_RAM), console, name())) {
            return 0;
        }
        if (!a.has("--rrfile")) {
            throw new CliException("missing --rrfile FILE: where to write the recording");
        }
        RecordSession.Options o = RecordSession.Options.of(boot, Path.of(a.value("--rrfile", null)))
                .withMachine(a.bytes("--ram", MachineConfig.DEFAULT_RAM), a.integer("--icount-shift", 0, 0, MachineConfig.MAX_ICOUNT_SHIFT))
                .withHarts(BootOptions.harts(a))
                .withRtc(BootOptions.rtc(a))
                .withSleep(a.onOff("--sleep", false))
                .withDigestInterval(a.count("--digest-every", RecordSession.Options.DEFAULT_DIGEST_INTERVAL))
                .withSnapshotEvery(a.count("--snapshot-every", RecordSession.Options.DEFAULT_SNAPSHOT_EVERY))
                .withSnapshotSpace(a.bytes("--snapshot-space", 0))
                .withInput(console.in(), console.out());
        String snapshot = a.value("--snapshot", null);
        if (a.has("--disk")) {
            o = o.withDisk(Path.of(a.value("--disk", null)), snapshot);
        } else if (snapshot != null || a.has("--snapshot-image")) {
            o = o.withSnapshotImage(a.has("--snapshot-image") ? Path.of(a.value("--snapshot-image", null)) : null, snapshot);
        } else if (o.snapshotEvery() > 0) {
            // ours, named after the log this recording replaces: an earlier one's snapshots go with it
            Path image = RecordSession.Options.defaultSnapshotImage(o.logFile());
            Files.deleteIfExists(image);
            o = o.withSnapshotImage(image, null);
        }
        long max = a.count("--max-insns", Long.MAX_VALUE);
        RecordSession session;
        try {
            session = RecordSession.start(o);
        } catch (ReplaySetupException e) {
            throw new CliException(e.getMessage());
        }
        // Wall time: the thread's CPU time needs the management classes (ManagementFactory sets up the
        // platform MBeans, ~20 JDK classes and lambdas spun at the first snapshot of every longer recording).
        session.timeSnapshots(System::nanoTime);
        // Ctrl-C ends the recording cleanly at an instruction boundary instead of losing its tail.
        Thread hook = new Thread(session::requestStop, "rewind-record-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        RecordSession.Result r;
        try (session) {
            r = session.run(max);
        } catch (IOException e) {
            throw new CliException("recording failed: " + e.getMessage());
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
        console.out().flush();
        RecordSession.SnapshotsKept kept = session.snapshotsKept();
        if (kept != null && kept.count() > 0) {
            // Not printf: java.util.Formatter loads the locale data (~20 ms of start-up work) at the end of every recording.
            console.err().println("rewind record: " + kept.count() + " snapshots (" + PlainNumbers.fixed(kept.bytes() / 1048576.0, 1)
                    + " MiB) in " + kept.image() + ", " + PlainNumbers.grouped(kept.every()) + " instructions apart; persisting them took "
                    + PlainNumbers.fixed(session.snapshotNanos() / 1e9, 2) + " s");
        }
        console.err().println("rewind record: " + r.icount() + " instructions, " + r.events() + " events, "
                + switch (r.reason()) {
                    case EXIT -> "guest exited with code " + r.exitCode();
                    case IDLE -> "guest idle with nothing left to wake it";
                    case LIMIT -> "instruction limit reached";
                    case REQUESTED -> "stopped by the user";
                    default -> "stopped: " + r.reason();
                } + " -> " + o.logFile());
        return r.reason() == dev.rewind.emulator.StopReason.EXIT ? r.exitCode() : 0;
    }

}
