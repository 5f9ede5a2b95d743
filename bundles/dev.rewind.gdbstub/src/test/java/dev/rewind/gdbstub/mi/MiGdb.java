package dev.rewind.gdbstub.mi;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * gdb-multiarch in MI mode, driven the way DSF-GDB drives it: every command carries a token, the
 * result record ({@code ^done}, {@code ^running}, {@code ^error}) is matched by token, and stops
 * arrive as {@code *stopped} async records that may come after the result.
 */
final class MiGdb implements AutoCloseable {

    private static final long TIMEOUT_SECONDS = 20;
    private static final String EOF = "\u0000eof";

    private final Process process;
    private final Writer in;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    /** Async records read while waiting for a result; *stopped is looked up here first. */
    private final Deque<MiRecord> pending = new ArrayDeque<>();
    private final StringBuilder transcript = new StringBuilder();
    private final StringBuilder console = new StringBuilder();
    private int nextToken = 10;

    static boolean available() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, "gdb-multiarch").canExecute()) {
                return true;
            }
        }
        return false;
    }

    /** Starts {@code gdb-multiarch --interpreter=mi2} (MI version 2, as DSF-GDB asks for it). */
    MiGdb(Path elf) throws IOException, InterruptedException {
        process = new ProcessBuilder("gdb-multiarch", "-nx", "-q", "--interpreter=mi2").redirectErrorStream(true).start();
        in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null;) {
                    lines.add(l);
                }
            } catch (IOException e) {
                // gdb went away; EOF below tells the waiter
            }
            lines.add(EOF);
        }, "mi-reader");
        reader.setDaemon(true);
        reader.start();
        // What DSF-GDB 7.x (CDT 12) sends before connecting, in its order. mi-async is on because
        // CDT's full GDB console needs it on Linux; "record full stop-at-limit" only sets an option.
        command("-gdb-set confirm off");
        command("-gdb-set width 0");
        command("-gdb-set height 0");
        command("-gdb-set breakpoint pending on");
        command("-enable-pretty-printing");
        command("-gdb-set print object on");
        command("-gdb-set print sevenbit-strings on");
        command("-gdb-set mi-async on");
        command("-gdb-set record full stop-at-limit off");
        command("-gdb-set auto-solib-add on");
        command("-file-exec-and-symbols --thread-group i1 " + quote(elf.toString()));
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Sends a command and returns its result record; fails on {@code ^error}. */
    MiRecord command(String cmd) throws IOException, InterruptedException {
        MiRecord r = send(cmd);
        if (r.is('^', "error")) {
            throw new AssertionError("gdb refused '" + cmd + "': " + r.string("msg") + "\n" + transcript());
        }
        return r;
    }

    /** Sends a command and returns its result record, whatever its class. */
    MiRecord send(String cmd) throws IOException, InterruptedException {
        String token = Integer.toString(nextToken++);
        console.setLength(0);
        transcript.append("<- ").append(token).append(cmd).append('\n');
        in.write(token + cmd + "\n");
        in.flush();
        while (true) {
            MiRecord r = next();
            if (r.kind == '^' && r.token.equals(token)) {
                return r;
            }
            if (r.kind == '*' || r.kind == '=') {
                pending.add(r);
            }
        }
    }

    /** Runs an execution command and waits for the stop it causes. */
    MiRecord resume(String cmd) throws IOException, InterruptedException {
        MiRecord r = command(cmd);
        if (!r.is('^', "running")) {
            throw new AssertionError("'" + cmd + "' did not start the target: " + r + "\n" + transcript());
        }
        return awaitStopped();
    }

    MiRecord awaitStopped() throws IOException, InterruptedException {
        while (!pending.isEmpty()) {
            MiRecord r = pending.poll();
            if (r.is('*', "stopped")) {
                return r;
            }
        }
        while (true) {
            MiRecord r = next();
            if (r.is('*', "stopped")) {
                return r;
            }
        }
    }

    /** Console stream text ({@code ~"..."}) printed since the last command was sent. */
    String console() {
        return console.toString();
    }

    String transcript() {
        return transcript.toString();
    }

    private MiRecord next() throws InterruptedException {
        while (true) {
            String l = lines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (l == null) {
                throw new AssertionError("gdb said nothing for " + TIMEOUT_SECONDS + " s\n" + transcript());
            }
            if (l.equals(EOF)) {
                throw new AssertionError("gdb exited\n" + transcript());
            }
            transcript.append("-> ").append(l).append('\n');
            MiRecord r = MiRecord.parse(l);
            if (r == null) {
                continue;
            }
            if (r.kind == '~') {
                console.append(r.text);
            } else if (r.kind != '@' && r.kind != '&') {
                return r;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            in.write("-gdb-exit\n");
            in.flush();
        } catch (IOException e) {
            // already gone
        }
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
