package dev.rewind.cli;

import java.nio.file.Path;
import java.util.Set;

import dev.rewind.replay.ReplayDivergenceException;
import dev.rewind.replay.RecordingPack;
import dev.rewind.replay.Timeline;
import dev.rewind.replay.ReplaySetupException;
import dev.rewind.replay.Stop;
import dev.rewind.replay.log.ReplayLogException;

/** {@code rewind replay}: re-executes a recording exactly, from its log alone. */
final class ReplayCommand implements Command {

    @Override
    public String name() {
        return "replay";
    }

    @Override
    public String summary() {
        return "replay a recording exactly (prints the guest's output again)";
    }

    @Override
    public String usage() {
        return "rewind replay RUN.rrlog|RUN.rwd [--from-snapshot NAME] [--to-icount N] [--snapshot-every 10M] [--smp N]\n"
                + "       [--rtc ...] [--snapshot-budget SIZE] [--quiet]\n"
                + "  --from-snapshot  start from a snapshot persisted in the recording's snapshot image\n"
                + "  --to-icount      stop after N instructions\n"
                + "  --snapshot-budget  memory the in-memory snapshots may hold (default: twice the guest's RAM)\n"
                + "  --smp N          refuse the recording unless it was made with N harts (the log says how many)\n"
                + "  --rtc ...        refuse the recording unless its RTC was set so (QEMU's -rtc; the log says how)\n"
                + "  --quiet          do not print the guest's output";
    }

    @Override
    public int run(String[] argv, Console console) throws Exception {
        Args a = new Args(argv, Set.of("--from-snapshot", "--to-icount", "--snapshot-every", "--smp", "--rtc",
                "--snapshot-budget"), Set.of("--quiet"));
        if (a.has("--smp")) {
            BootOptions.harts(a); // 0 or 9 is refused before anything is opened
        }
        BootOptions.rtc(a); // so is a bad --rtc
        Path given = Path.of(a.onlyPositional("recording (a .rrlog or packed .rwd file)"));
        Timeline.Options o = Timeline.Options.defaults()
                .withSnapshotInterval(a.count("--snapshot-every", Timeline.Options.DEFAULT_INTERVAL))
                .withSnapshotBudget(a.bytes("--snapshot-budget", Timeline.Options.DEFAULT_BUDGET));
        if (!a.has("--quiet")) {
            o = o.withEcho(console.out());
        }
        if (a.has("--from-snapshot")) {
            o = o.fromSnapshot(a.value("--from-snapshot", null));
        }
        long to = a.count("--to-icount", Long.MAX_VALUE);
        Timeline s;
        RecordingPack.Opened opened;
        try {
            opened = RecordingPack.openForReplay(given);
        } catch (ReplayLogException e) {
            throw new CliException(e.getMessage());
        }
        try {
            s = Timeline.open(opened.log(), opened.program() != null ? o.withProgram(opened.program()) : o);
        } catch (ReplayLogException | ReplaySetupException e) {
            opened.close();
            throw new CliException(e.getMessage());
        }
        BootOptions.requireRecordedHarts(a, s.session().log().header().harts(), s, opened);
        BootOptions.requireRecordedRtc(a, s.session().log().header().rtc(), s, opened);
        try (opened; s; Progress progress = new Progress(console.err(), s.endIcount())) {
            Stop.Kind stop = Stop.Kind.STEP;
            while (s.icount() < Math.min(to, s.endIcount()) && stop == Stop.Kind.STEP) {
                stop = s.replayTo(Math.min(to, s.icount() + 50_000_000L)).kind();
                progress.update(s.icount());
            }
            progress.done(s.icount());
            console.out().flush();
            StringBuilder msg = new StringBuilder("rewind replay: replayed to icount " + s.icount());
            if (stop == Stop.Kind.HISTORY_END && s.session().log().damage() != null) {
                msg.append("; the recording ends early: ").append(s.session().log().damage());
            } else if (s.icount() >= s.endIcount()) {
                msg.append(" (end of recording");
                if (s.machine().exitCode() != 0 || s.session().log().events().stream().anyMatch(e -> e.kind() == dev.rewind.replay.log.EventKind.EXIT)) {
                    msg.append(", guest exit code ").append(s.machine().exitCode()).append(", final state verified");
                }
                msg.append(")");
            }
            console.err().println(msg);
            return s.session().log().damage() != null && s.icount() < to ? 3 : 0;
        } catch (ReplayDivergenceException e) {
            console.err().println("rewind replay: " + e.getMessage());
            return 4;
        }
    }
}
