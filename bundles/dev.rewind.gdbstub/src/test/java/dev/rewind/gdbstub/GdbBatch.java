package dev.rewind.gdbstub;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs {@code gdb-multiarch} in batch mode against a local port and collects what it printed. */
final class GdbBatch {

    private GdbBatch() {
    }

    static boolean available() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, "gdb-multiarch").canExecute()) {
                return true;
            }
        }
        return false;
    }

    /** Connects to 127.0.0.1:port, runs the commands, returns stdout + stderr. */
    static String run(int port, String... commands) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("gdb-multiarch", "-nx", "-batch",
                "-ex", "set architecture riscv:rv64", "-ex", "set pagination off", "-ex", "set confirm off",
                "-ex", "target remote 127.0.0.1:" + port));
        for (String c : commands) {
            cmd.add("-ex");
            cmd.add(c);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread pump = new Thread(() -> copy(p.getInputStream(), out));
        pump.start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            pump.join(1000);
            throw new AssertionError("gdb-multiarch timed out; output so far:\n" + out);
        }
        pump.join(5000);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException e) {
            // process ended
        }
    }

    /** All values printed by {@code printf "NAME=%lx\n"} lines, in order. */
    static List<Long> values(String output, String name) {
        List<Long> values = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "=([0-9a-f]+)$").matcher(output);
        while (m.find()) {
            values.add(Long.parseUnsignedLong(m.group(1), 16));
        }
        return values;
    }
}
