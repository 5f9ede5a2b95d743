package dev.rewind.gdbstub.target;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntSupplier;

import dev.rewind.gdbstub.MonitorCommands;
import dev.rewind.gdbstub.TargetException;
import dev.rewind.replay.Timeline;
import dev.rewind.replay.ReplaySetupException;
import dev.rewind.replay.query.Progress;
import dev.rewind.replay.query.QueryEngine;
import dev.rewind.replay.query.QueryRequest;

/**
 * gdb's {@code monitor} commands that ask the recording ({@code last-write ADDR},
 * {@code history VAR}, {@code events --kind trap}, ... as {@code rewind query} takes them, the
 * default position being the debugger's, the default hart gdb's selected thread) and
 * {@code goto N}, which moves there. The query engine
 * replays in a session of its own, opened at the first query, so answers never move gdb.
 */
final class QueryMonitorCommands implements MonitorCommands {

    private final Timeline session;
    /** gdb's selected thread (Hg): whose registers {@code last-change} follows by default. */
    private final IntSupplier selectedHart;
    private QueryEngine engine;

    QueryMonitorCommands(Timeline timeline, IntSupplier selectedHart) {
        this.session = timeline;
        this.selectedHart = selectedHart;
    }

    @Override
    public String execute(String commandLine) throws TargetException {
        List<String> words = Arrays.asList(commandLine.trim().split("\\s+"));
        String verb = words.get(0);
        if (verb.equals("help")) {
            return "goto N                   go to instruction count N (e.g. a position a query answered)\n"
                    + QueryRequest.USAGE + "\n";
        }
        if (verb.equals("goto")) {
            if (words.size() != 2) {
                throw new TargetException(TargetException.EINVAL, "usage: goto ICOUNT");
            }
            long n;
            try {
                n = Long.decode(words.get(1).replace("_", ""));
            } catch (NumberFormatException e) {
                throw new TargetException(TargetException.EINVAL, "goto: '" + words.get(1) + "' is not an instruction count");
            }
            if (n < session.startIcount() || n > session.endIcount()) {
                throw new TargetException(TargetException.EINVAL, "goto: icount " + n + " is outside the recording ("
                        + session.startIcount() + ".." + session.endIcount() + ")");
            }
            session.seek(n); // leaves snapshots just behind n: the first step back is cheap
            return "at icount " + session.icount() + ", pc 0x" + Long.toHexString(session.machine().pc()) + "\n";
        }
        if (!QueryRequest.isVerb(verb)) {
            throw new TargetException(TargetException.EINVAL, "unknown command: '" + commandLine.trim()
                    + "' (try 'monitor help')");
        }
        try {
            QueryRequest r = QueryRequest.parse(words);
            return r.answer(engine(), session.icount(), selectedHart.getAsInt(), Progress.NONE);
        } catch (IllegalArgumentException e) {
            throw new TargetException(TargetException.EINVAL, verb + ": " + e.getMessage());
        }
    }

    private QueryEngine engine() throws TargetException {
        if (engine == null) {
            try {
                engine = QueryEngine.open(session.session().logFile(), session.session().program(), QueryEngine.DEFAULT_INTERVAL);
            } catch (ReplaySetupException | IOException e) {
                throw new TargetException(TargetException.EINVAL, "cannot open the recording for queries: " + e.getMessage());
            }
        }
        return engine;
    }
}
