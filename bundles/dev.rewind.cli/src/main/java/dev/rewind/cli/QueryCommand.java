package dev.rewind.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.rewind.replay.RecordingPack;
import dev.rewind.replay.ReplaySetupException;
import dev.rewind.replay.log.ReplayLogException;
import dev.rewind.replay.query.Access;
import dev.rewind.replay.query.Progress;
import dev.rewind.replay.query.QueryEngine;
import dev.rewind.replay.query.QueryEvent;
import dev.rewind.replay.query.QueryRequest;
import dev.rewind.replay.query.Register;
import dev.rewind.replay.query.Target;

/**
 * {@code rewind query RUN.rrlog VERB ...}: asks the recording who wrote or read an address, the
 * value history of a variable, when a register changed, what happened; human text or
 * {@code --json}. The answers come from the replay's query engine and are exact.
 */
final class QueryCommand implements Command {

    @Override
    public String name() {
        return "query";
    }

    @Override
    public String summary() {
        return "ask a recording: who wrote an address, a variable's history, events (traps, UART, disk)";
    }

    @Override
    public String usage() {
        return "rewind query RUN.rrlog|RUN.rwd VERB ... [--json] [--time] [--program ELF] [--interval N] [--index-file F|none]\n"
                + QueryRequest.USAGE + "\n"
                + "ADDR is 0x... or decimal (device registers too), VAR a global variable; N an icount.\n"
                + "Positions are icounts just before the instruction that did it ('gdb: monitor goto N').\n"
                + "--time prints the time the index and the answer took to stderr.\n"
                + "The index (one replay of the whole recording) is saved beside it as RUN.rrlog.qindex and read back\n"
                + "by the next query; a stale or damaged one is built again (--index-file: elsewhere, or none).";
    }

    @Override
    public int run(String[] argv, Console console) throws Exception {
        List<String> words = new ArrayList<>();
        boolean json = false;
        boolean time = false;
        Path program = null;
        long interval = QueryEngine.DEFAULT_INTERVAL;
        String indexFile = null;
        for (int i = 0; i < argv.length; i++) {
            switch (argv[i]) {
                case "--json" -> json = true;
                case "--time" -> time = true;
                case "--program" -> program = Path.of(value(argv, ++i, "--program"));
                case "--interval" -> interval = Long.parseLong(value(argv, ++i, "--interval").replace("_", ""));
                case "--index-file" -> indexFile = value(argv, ++i, "--index-file");
                default -> words.add(argv[i]);
            }
        }
        if (words.size() < 2) {
            throw new CliException("usage: " + usage());
        }
        Path log = Path.of(words.remove(0));
        if (!Files.isRegularFile(log)) {
            throw new CliException("no recording " + log);
        }
        QueryRequest request;
        try {
            request = QueryRequest.parse(words);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        try (RecordingPack.Opened opened = RecordingPack.openForReplay(log);
                QueryEngine q = QueryEngine.open(opened.log(), program != null ? program : opened.program(), interval)) {
            Progress progress = Progress.NONE;
            if (indexFile != null) {
                q.indexFile(indexFile.equals("none") ? null : Path.of(indexFile));
            } else if (!opened.log().equals(log)) {
                q.indexFile(log.resolveSibling(log.getFileName() + ".qindex")); // a pack unpacks to a new folder each time
            }
            var cpu = java.lang.management.ManagementFactory.getThreadMXBean();
            long t0 = System.nanoTime();
            long c0 = cpu.getCurrentThreadCpuTime();
            q.index(progress);
            if (q.indexNote() != null && (time || !q.indexNote().startsWith("query index read"))) {
                console.err().println(q.indexNote());
            }
            long t1 = System.nanoTime();
            long c1 = cpu.getCurrentThreadCpuTime();
            String out = json ? json(request, q, progress) : request.answer(q, progress);
            long t2 = System.nanoTime();
            long c2 = cpu.getCurrentThreadCpuTime();
            console.out().print(out);
            if (time) {
                // CPU time of this thread beside wall time: on a shared machine wall time mostly measures the load
                console.err().printf("index: %.1f ms wall, %.1f ms cpu (%d instructions; %s); answer: %.1f ms wall, %.1f ms cpu"
                        + " (%d intervals replayed)%n", (t1 - t0) / 1e6, (c1 - c0) / 1e6, q.endIcount() - q.startIcount(),
                        q.indexSummary(), (t2 - t1) / 1e6, (c2 - c1) / 1e6, q.intervalsReplayed());
            }
            return 0;
        } catch (ReplayLogException | ReplaySetupException | IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
    }

    private static String value(String[] argv, int i, String option) throws CliException {
        if (i >= argv.length) {
            throw new CliException("option " + option + " needs a value");
        }
        return argv[i];
    }

    private static String json(QueryRequest r, QueryEngine q, Progress progress) {
        long start = q.startIcount();
        long end = q.endIcount();
        long f = r.from() != null ? r.from() : start;
        long t = r.to() != null ? r.to() : end;
        StringBuilder sb = new StringBuilder("{\"query\":").append(Json.string(r.verb()));
        switch (r.verb()) {
            case "last-write", "last-read", "next-write", "next-read" -> {
                Target target = r.target(q, null);
                boolean last = r.verb().startsWith("last");
                long p = r.at() != null ? r.at() : last ? end : start;
                Optional<Access> a = switch (r.verb()) {
                    case "last-write" -> q.lastWrite(target, p, progress);
                    case "last-read" -> q.lastRead(target, p, progress);
                    case "next-write" -> q.nextWrite(target, p, progress);
                    default -> q.nextRead(target, p, progress);
                };
                sb.append(",\"target\":").append(target(target)).append(",\"at\":").append(p).append(",\"access\":")
                        .append(a.map(QueryCommand::access).orElse("null"));
            }
            case "writes", "reads" -> {
                Target target = r.target(q, null);
                List<Access> list = r.verb().equals("writes") ? q.writes(target, f, t, progress) : q.reads(target, f, t, progress);
                sb.append(",\"target\":").append(target(target)).append(",\"from\":").append(f).append(",\"to\":").append(t)
                        .append(",\"accesses\":[");
                for (int i = 0; i < list.size(); i++) {
                    sb.append(i == 0 ? "" : ",").append(access(list.get(i)));
                }
                sb.append(']');
            }
            case "history" -> {
                QueryEngine.History h = q.history(r.target(q, null), f, t, progress);
                sb.append(",\"target\":").append(target(h.target())).append(",\"from\":").append(f).append(",\"to\":")
                        .append(t).append(",\"initial\":").append(Json.string(Access.hex(h.initial())))
                        .append(",\"writes\":").append(h.writes()).append(",\"changes\":[");
                for (int i = 0; i < h.changes().size(); i++) {
                    sb.append(i == 0 ? "" : ",").append(access(h.changes().get(i)));
                }
                sb.append(']');
            }
            case "last-change", "next-change" -> {
                Register reg = Register.parse(r.operand());
                boolean last = r.verb().startsWith("last");
                long p = r.at() != null ? r.at() : last ? end : start;
                int hart = r.hartOr(null);
                Optional<QueryEngine.RegisterChange> c = last ? q.lastChange(reg, hart, p, progress)
                        : q.nextChange(reg, hart, p, progress);
                sb.append(",\"register\":").append(Json.string(reg.name())).append(",\"hart\":").append(hart)
                        .append(",\"at\":").append(p).append(",\"change\":");
                sb.append(c.map(x -> "{\"icount\":" + x.icount() + ",\"pc\":" + Json.string(hex(x.pc())) + ",\"privilege\":"
                        + Json.string(Access.privilegeName(x.privilege())) + ",\"before\":" + Json.string(hex(x.before()))
                        + ",\"after\":" + Json.string(hex(x.after())) + ",\"where\":" + Json.string(x.where()) + "}")
                        .orElse("null"));
            }
            default -> {
                List<QueryEvent> list = r.events(q, f, t, progress);
                sb.append(",\"from\":").append(f).append(",\"to\":").append(t).append(",\"events\":[");
                for (int i = 0; i < list.size(); i++) {
                    QueryEvent e = list.get(i);
                    sb.append(i == 0 ? "" : ",").append("{\"icount\":").append(e.icount()).append(",\"kind\":")
                            .append(Json.string(e.kind().label())).append(",\"hart\":")
                            .append(e.hart() < 0 ? "null" : Integer.toString(e.hart())).append(",\"pc\":")
                            .append(e.pc() < 0 ? "null" : Json.string(hex(e.pc())));
                    if (e.fromPrivilege() >= 0) {
                        sb.append(",\"from\":").append(Json.string(Access.privilegeName(e.fromPrivilege())))
                                .append(",\"to\":").append(Json.string(Access.privilegeName(e.toPrivilege())));
                    }
                    sb.append(",\"value\":").append(e.value()).append(",\"detail\":").append(Json.string(e.detail()))
                            .append('}');
                }
                sb.append(']');
            }
        }
        if (!q.mappingLines().isEmpty()) {
            sb.append(",\"mapping\":[");
            for (int i = 0; i < q.mappingLines().size(); i++) {
                sb.append(i == 0 ? "" : ",").append(Json.string(q.mappingLines().get(i)));
            }
            sb.append(']');
        }
        return sb.append("}\n").toString();
    }

    private static String target(Target t) {
        return "{\"expression\":" + Json.string(t.text()) + ",\"address\":" + Json.string(hex(t.address())) + ",\"size\":"
                + t.size() + ",\"physical\":" + t.physical() + "}";
    }

    private static String access(Access a) {
        return "{\"icount\":" + a.icount() + ",\"hart\":" + a.hart() + ",\"pc\":" + Json.string(hex(a.pc()))
                + ",\"privilege\":" + Json.string(Access.privilegeName(a.privilege())) + ",\"kind\":"
                + Json.string(a.write() ? "write" : "read") + ",\"address\":" + Json.string(hex(a.address()))
                + ",\"size\":" + a.size() + ",\"before\":" + (a.before() == null ? "null" : Json.string(Access.hex(a.before())))
                + ",\"after\":" + (a.after() == null ? "null" : Json.string(Access.hex(a.after()))) + ",\"where\":"
                + Json.string(a.where()) + "}";
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
