package dev.rewind.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import dev.rewind.replay.RecordingPack;
import dev.rewind.replay.log.ReplayLogException;

/** {@code rewind pack RUN.rrlog -o RUN.rwd}: one file that replays anywhere. */
final class PackCommand implements Command {

    @Override
    public String name() {
        return "pack";
    }

    @Override
    public String summary() {
        return "pack a recording with its program, disk and snapshots into one .rwd file";
    }

    @Override
    public String usage() {
        return "rewind pack RUN.rrlog -o RUN.rwd\n"
                + "  The pack holds the log and every file its header names (program, disk, snapshot image);\n"
                + "  'rewind replay RUN.rwd', 'rewind gdbserver --replay RUN.rwd' and 'rewind query RUN.rwd ...'\n"
                + "  open it on any machine. A damaged or cut pack is refused with the byte offset.";
    }

    @Override
    public int run(String[] argv, Console console) throws Exception {
        Args a = new Args(Args.shortOutput(argv), Set.of("--output"), Set.of());
        Path log = Path.of(a.onlyPositional("recording (a .rrlog file)"));
        String out = a.value("--output", null);
        if (out == null) {
            throw new CliException("name the pack with -o RUN.rwd");
        }
        if (!Files.isRegularFile(log)) {
            throw new CliException("no recording " + log);
        }
        List<RecordingPack.Entry> entries;
        try {
            entries = RecordingPack.pack(log, Path.of(out));
        } catch (ReplayLogException e) {
            throw new CliException(e.getMessage());
        } catch (java.io.IOException e) {
            throw new CliException("cannot pack " + log + ": " + e.getMessage());
        }
        for (RecordingPack.Entry e : entries) {
            console.out().printf("  %-15s %-40s %,d bytes%n", e.role().name().toLowerCase().replace('_', ' '), e.name(),
                    e.size());
        }
        console.out().println("rewind pack: " + out + " (" + Files.size(Path.of(out)) + " bytes)");
        return 0;
    }
}
