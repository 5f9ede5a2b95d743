package dev.rewind.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import dev.rewind.cli.demo.DemoStep;
import dev.rewind.cli.demo.GdbDemo;
import dev.rewind.cli.demo.InProcessDemo;
import dev.rewind.replay.RecordSession;
import dev.rewind.replay.Timeline;
import dev.rewind.replay.ReplaySetupException;
import dev.rewind.replay.Stop;
import dev.rewind.replay.log.ReplayLogException;
import dev.rewind.symbols.ProgramSymbols;
import dev.rewind.symbols.SymbolsException;

/**
 * {@code rewind demo}: records the bundled sample program, replays it, and walks a scripted
 * time-travel session (breakpoints, reverse-stepi, reverse-continue, reverse-next,
 * reverse-finish, a watchpoint in reverse), through gdb-multiarch when it is installed.
 */
final class DemoCommand implements Command {

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "record the sample program, replay it and debug it backwards (start here)";
    }

    @Override
    public String usage() {
        return "rewind demo [--program ELF] [--no-gdb]\n"
                + "  --program  another program with the sample's functions (default guests/prebuilt/sample.elf)\n"
                + "  --no-gdb   drive the engine in-process even if gdb-multiarch is installed";
    }

    @Override
    public int run(String[] argv, Console console) throws Exception {
        Args a = new Args(argv, Set.of("--program"), Set.of("--no-gdb"));
        Path elf = a.has("--program") ? Path.of(a.value("--program", null)) : samplePath();
        if (!Files.isRegularFile(elf)) {
            throw new CliException("sample program " + elf + " not found; pass --program ELF");
        }
        var out = console.out();
        Path work = Files.createTempDirectory("rewind-demo");
        Path log = work.resolve("sample.rrlog");
        try {
            out.println("Rewind demo: " + elf);
            out.println();
            out.println("1. Record: run the program in the deterministic emulator, logging every input");
            ByteArrayOutputStream recorded = new ByteArrayOutputStream();
            RecordSession.Result r;
            try (RecordSession s = RecordSession.start(RecordSession.Options.of(elf, log).withInput(null, recorded))) {
                r = s.run(Long.MAX_VALUE);
            }
            indent(out, recorded.toString(StandardCharsets.UTF_8));
            out.printf("   recorded %,d instructions, exit code %d -> %s%n%n", r.icount(), r.exitCode(), log);

            out.println("2. Replay: run it again from the log alone");
            ByteArrayOutputStream replayed = new ByteArrayOutputStream();
            try (Timeline s = Timeline.open(log, Timeline.Options.defaults().withEcho(replayed))) {
                Stop stop = s.replayTo(Long.MAX_VALUE);
                boolean same = replayed.toString(StandardCharsets.UTF_8).equals(recorded.toString(StandardCharsets.UTF_8));
                out.printf("   %s after %,d instructions: output %s, final machine state digest verified%n%n",
                        stop.kind() == Stop.Kind.HISTORY_END ? "ended" : "stopped", s.icount(), same ? "identical" : "DIFFERENT");
                if (!same || s.icount() != r.icount()) {
                    throw new CliException("the replay did not reproduce the recording");
                }
            }

            List<DemoStep> steps;
            try (Timeline s = Timeline.open(log, Timeline.Options.defaults())) {
                if (!a.has("--no-gdb") && GdbDemo.available()) {
                    out.println("3. Time travel with gdb-multiarch, connected to 'rewind gdbserver --replay':");
                    steps = GdbDemo.run(s, elf, work);
                } else {
                    out.println("3. Time travel through the in-process engine"
                            + (a.has("--no-gdb") ? " (--no-gdb)" : " (gdb-multiarch is not installed)") + ":");
                    steps = new InProcessDemo(s, ProgramSymbols.load(elf)).run();
                }
            }
            int next = 0;
            for (String c : dev.rewind.cli.demo.DemoScript.commands()) {
                if (c.startsWith("!")) {
                    out.println("    (gdb) " + c.substring(1));
                } else {
                    out.println("    (gdb) " + formatted(steps.get(next++)));
                }
            }
            out.println();
            out.println("Try it yourself:  ./rewind record PROG.elf --rrfile run.rrlog");
            out.println("                  ./rewind gdbserver --replay run.rrlog");
            out.println("                  gdb-multiarch PROG.elf -ex 'target remote 127.0.0.1:1234'   (then reverse-stepi, reverse-continue ...)");
            return 0;
        } catch (ReplayLogException | ReplaySetupException | SymbolsException e) {
            throw new CliException(e.getMessage());
        } finally {
            deleteQuietly(work);
        }
    }

    private static String formatted(DemoStep s) {
        String where = s.function() + (s.file() != null ? " at " + s.file() + ":" + s.line() : "");
        return String.format("%-16s -> %-30s icount %,7d%s", s.command(), where, s.icount(),
                s.reason() == null || s.reason().isEmpty() ? "" : "   (" + s.reason() + ")");
    }

    private static void indent(java.io.PrintStream out, String text) {
        for (String line : text.split("\n")) {
            out.println("   | " + line);
        }
    }

    /** guests/prebuilt/sample.elf of this installation (the launcher passes its folder). */
    static Path samplePath() {
        try {
            return dev.rewind.replay.GuestPrograms.root().resolve("guests/prebuilt/sample.elf");
        } catch (IllegalStateException e) {
            return Path.of("guests/prebuilt/sample.elf");
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted((x, y) -> y.compareTo(x)).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temp folder left behind is harmless
        }
    }
}
