package dev.rewind.cli.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.rewind.gdbstub.RspServer;
import dev.rewind.gdbstub.target.ReplayTarget;
import dev.rewind.replay.Timeline;

/**
 * Plays {@link DemoScript} through real gdb-multiarch against the Rewind gdb server, so the
 * demo shows exactly what a user of gdb (or Eclipse CDT, which drives gdb) gets.
 */
public final class GdbDemo {

    private static final Pattern FRAME = Pattern.compile(
            "^#0\\s+(?:0x[0-9a-f]+ in )?([\\w.$]+) \\(.*\\)(?: at (\\S+):(\\d+))?", Pattern.MULTILINE);
    private static final Pattern ICOUNT = Pattern.compile("instruction count = (\\d+)");
    private static final Pattern WATCH = Pattern.compile("Old value = (.*)\\nNew value = (.*)");

    private GdbDemo() {
    }

    public static boolean available() {
        try {
            Process p = new ProcessBuilder("gdb-multiarch", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public static List<DemoStep> run(Timeline timeline, Path elf, Path workDir) throws IOException, InterruptedException {
        List<String> commands = DemoScript.commands();
        try (RspServer server = new RspServer(new ReplayTarget(timeline))) {
            server.bind();
            Thread serving = new Thread(() -> {
                try {
                    server.serveOne();
                } catch (IOException e) {
                    // gdb's side reports the failure
                }
            }, "rewind-demo-gdbserver");
            serving.setDaemon(true);
            serving.start();

            StringBuilder script = new StringBuilder();
            script.append("set pagination off\nset confirm off\nset width 0\n");
            script.append("target remote 127.0.0.1:").append(server.port()).append('\n');
            for (int i = 0; i < commands.size(); i++) {
                String c = commands.get(i);
                boolean quiet = c.startsWith("!");
                String cmd = quiet ? c.substring(1) : c;
                script.append("echo \\n@@STEP ").append(i).append("\\n\n").append(cmd).append('\n');
                if (!quiet) {
                    script.append("frame\nmonitor info replay\n");
                }
            }
            script.append("echo \\n@@END\\n\ndetach\n");
            Path file = workDir.resolve("demo.gdb");
            Files.writeString(file, script.toString());
            Process gdb = new ProcessBuilder("gdb-multiarch", "-nx", "-batch", "-x", file.toString(), elf.toString())
                    .redirectErrorStream(true).start();
            byte[] out = gdb.getInputStream().readAllBytes();
            if (!gdb.waitFor(120, TimeUnit.SECONDS)) {
                gdb.destroyForcibly();
                throw new IOException("gdb-multiarch did not finish the demo script");
            }
            serving.join(5000);
            return parse(new String(out, StandardCharsets.UTF_8), commands);
        }
    }

    static List<DemoStep> parse(String output, List<String> commands) throws IOException {
        List<DemoStep> steps = new ArrayList<>();
        String[] parts = output.split("\\n@@STEP ");
        for (int p = 1; p < parts.length; p++) {
            String part = parts[p];
            int nl = part.indexOf('\n');
            int index = Integer.parseInt(part.substring(0, nl).trim());
            String body = part.substring(nl + 1);
            String c = commands.get(index);
            if (c.startsWith("!")) {
                continue;
            }
            Matcher f = FRAME.matcher(body);
            Matcher ic = ICOUNT.matcher(body);
            if (!ic.find()) {
                throw new IOException("gdb did not answer 'monitor info replay' after '" + c + "':\n" + body);
            }
            String function = "?";
            String file = null;
            int line = 0;
            if (f.find()) {
                function = f.group(1);
                if (f.group(2) != null) {
                    file = Path.of(f.group(2)).getFileName().toString();
                    line = Integer.parseInt(f.group(3));
                }
            }
            steps.add(new DemoStep(c, reason(body), function, file, line, Long.parseLong(ic.group(1))));
        }
        return steps;
    }

    private static String reason(String body) {
        if (body.contains("No more reverse-execution history")) {
            return "end of recorded history";
        }
        Matcher w = WATCH.matcher(body);
        if (body.contains("watchpoint") && w.find()) {
            return "watchpoint: total " + w.group(1).trim() + " -> " + w.group(2).trim();
        }
        if (body.contains("Breakpoint ")) {
            return "breakpoint";
        }
        return "";
    }
}
