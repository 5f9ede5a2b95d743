package dev.rewind.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import dev.rewind.replay.RecordingPack;
import dev.rewind.replay.ReplaySetupException;
import dev.rewind.replay.log.ReplayLogException;
import dev.rewind.replay.query.Coverage;
import dev.rewind.replay.query.Progress;
import dev.rewind.replay.query.QueryEngine;
import dev.rewind.symbols.ProgramSymbols;

/**
 * {@code rewind coverage RUN.rrlog -o cov.info [--profile]}: line, branch and function coverage of
 * what the recording ran, as an lcov tracefile for genhtml, and per-function instruction counts.
 */
final class CoverageCommand implements Command {

    @Override
    public String name() {
        return "coverage";
    }

    @Override
    public String summary() {
        return "lcov line/branch/function coverage of a recording (genhtml renders it); --profile: instructions per function";
    }

    @Override
    public String usage() {
        return "rewind coverage RUN.rrlog|RUN.rwd [-o cov.info] [--profile] [--source-root DIR]\n"
                + "  -o             write an lcov tracefile (genhtml --branch-coverage cov.info -o html)\n"
                + "  --profile      print instructions retired per function, most first\n"
                + "  --source-root  folder that relative DWARF source paths are found under (default: the current one,\n"
                + "                 then the program's folder and its parents)";
    }

    @Override
    public int run(String[] argv, Console console) throws Exception {
        Args a = new Args(Args.shortOutput(argv), Set.of("--output", "--source-root"), Set.of("--profile"));
        Path given = Path.of(a.onlyPositional("recording (a .rrlog file)"));
        if (!Files.isRegularFile(given)) {
            throw new CliException("no recording " + given);
        }
        String out = a.value("--output", null);
        if (out == null && !a.has("--profile")) {
            throw new CliException("say what to produce: -o cov.info and/or --profile");
        }
        try (RecordingPack.Opened opened = RecordingPack.openForReplay(given);
                QueryEngine q = QueryEngine.open(opened.log(), opened.program(), QueryEngine.DEFAULT_INTERVAL)) {
            ProgramSymbols symbols = q.symbols();
            if (symbols == null || symbols.lineTable() == null) {
                throw new CliException("the program has no DWARF line table: build it with -g for coverage");
            }
            Coverage c = Coverage.measure(q.session(), symbols, Progress.NONE);
            if (out != null) {
                Path program = q.session().session().program();
                Path root = Path.of(a.value("--source-root", ".")).toAbsolutePath();
                String text = c.lcov(symbols, "rewind", p -> source(p, root, program));
                Files.writeString(Path.of(out), text);
                console.err().println("rewind coverage: " + c.instructions() + " instructions, "
                        + c.lines(symbols).values().stream().mapToLong(m -> m.values().stream().filter(n -> n > 0).count()).sum()
                        + " lines run -> " + out);
            }
            if (a.has("--profile")) {
                console.out().printf("%14s  %6s  %s%n", "instructions", "share", "function");
                for (Map.Entry<String, Long> e : c.profile(symbols)) {
                    console.out().printf("%,14d  %5.1f%%  %s%n", e.getValue(), 100.0 * e.getValue() / Math.max(1, c.instructions()),
                            e.getKey());
                }
            }
            return 0;
        } catch (ReplayLogException | ReplaySetupException e) {
            throw new CliException(e.getMessage());
        }
    }

    /** Where genhtml finds a DWARF source path: as is, under the root, or under the program's folder or a parent. */
    static Path source(String dwarfPath, Path root, Path program) {
        Path p = Path.of(dwarfPath);
        if (p.isAbsolute()) {
            return p;
        }
        if (Files.exists(root.resolve(p))) {
            return root.resolve(p).normalize();
        }
        for (Path d = program == null ? null : program.toAbsolutePath().getParent(); d != null; d = d.getParent()) {
            if (Files.exists(d.resolve(p))) {
                return d.resolve(p).normalize();
            }
        }
        return root.resolve(p).normalize();
    }
}
