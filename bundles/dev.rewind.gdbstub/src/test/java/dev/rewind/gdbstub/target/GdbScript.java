package dev.rewind.gdbstub.target;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.rewind.gdbstub.GdbInitCommands;

/**
 * Runs {@code gdb-multiarch -nx -batch} with the guest's ELF (for symbols and lines) on a
 * generated command file against 127.0.0.1:port, and picks values out of what it printed.
 */
final class GdbScript {

    /** Prints the pc as {@code PC=hex}. */
    static final String PC = "printf \"PC=%lx\\n\", $pc";
    /** Prints the current source line as {@code LINE=n}. */
    static final String LINE = "python print('LINE=%d' % gdb.selected_frame().find_sal().line)";
    /** Prints the function as {@code FN=name}. */
    static final String FN = "python print('FN=%s' % gdb.selected_frame().name())";

    private final List<String> lines = new ArrayList<>();

    static boolean available() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, "gdb-multiarch").canExecute()) {
                return true;
            }
        }
        return false;
    }

    GdbScript add(String... commands) {
        lines.addAll(List.of(commands));
        return this;
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    /** A line {@code ==name==} in the output, to split it into sections. */
    GdbScript mark(String name) {
        lines.add("echo ==" + name + "==\\n");
        return this;
    }

    /** Prints {@code ICOUNT=n} from the stub's QEMU-style {@code monitor info replay}. */
    GdbScript icount() {
        lines.add("monitor info replay");
        return this;
    }

    /** Runs the script against the server on {@code port}; returns stdout + stderr. */
    String run(int port, Path elf) throws IOException, InterruptedException {
        Path file = Files.createTempFile("rewind-gdb", ".gdb");
        try {
            StringBuilder sb = new StringBuilder();
            sb.append("set pagination off\nset confirm off\nset width 0\nset height 0\n");
            sb.append("target remote 127.0.0.1:").append(port).append('\n');
            sb.append(GdbInitCommands.text());
            for (String l : lines) {
                sb.append(l).append('\n');
            }
            Files.writeString(file, sb.toString());
            Process p = new ProcessBuilder("gdb-multiarch", "-nx", "-batch", "-x", file.toString(), elf.toString())
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread pump = new Thread(() -> copy(p.getInputStream(), out));
            pump.start();
            if (!p.waitFor(40, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                pump.join(1000);
                throw new AssertionError("gdb-multiarch timed out; output so far:\n" + out);
            }
            pump.join(5000);
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try {
            in.transferTo(out);
        } catch (IOException e) {
            // process ended
        }
    }

    /** The text between {@code ==name==} and the next mark (or the end). */
    static String section(String output, String name) {
        String m = "==" + name + "==\n";
        int i = output.indexOf(m);
        if (i < 0) {
            throw new AssertionError("no section " + name + " in:\n" + output);
        }
        int from = i + m.length();
        int to = output.indexOf("\n==", from - 1);
        return output.substring(from, to < 0 ? output.length() : to + 1);
    }

    /** All {@code NAME=value} numbers (hex for PC, WFI and ADDR, decimal otherwise), in order. */
    static List<Long> values(String output, String name) {
        List<Long> values = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "=(-?[0-9a-f]+)$").matcher(output);
        while (m.find()) {
            values.add(List.of("PC", "WFI", "ADDR").contains(name) ? Long.parseUnsignedLong(m.group(1), 16) : Long.parseLong(m.group(1)));
        }
        return values;
    }

    static List<String> strings(String output, String name) {
        List<String> values = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "=(.*)$").matcher(output);
        while (m.find()) {
            values.add(m.group(1));
        }
        return values;
    }

    /** The icounts of all {@code monitor info replay} answers, in order. */
    static List<Long> icounts(String output) {
        List<Long> values = new ArrayList<>();
        Matcher m = Pattern.compile("instruction count = (\\d+)").matcher(output);
        while (m.find()) {
            values.add(Long.parseLong(m.group(1)));
        }
        return values;
    }

    /** gdb's {@code info registers} block in a section: the lines starting with a register name. */
    static String registers(String section) {
        StringBuilder sb = new StringBuilder();
        for (String l : section.split("\n")) {
            if (l.matches("^(zero|ra|sp|gp|tp|t[0-6]|fp|s[0-9]+|a[0-7]|pc)\\s+0x.*")) {
                sb.append(l).append('\n');
            }
        }
        if (sb.length() == 0) {
            throw new AssertionError("no registers in:\n" + section);
        }
        return sb.toString();
    }

    /** The lines of an {@code x/...} dump in a section. */
    static String memory(String section) {
        StringBuilder sb = new StringBuilder();
        for (String l : section.split("\n")) {
            if (l.matches("^0x[0-9a-f]+( <[^>]*>)?:\\s.*")) {
                sb.append(l).append('\n');
            }
        }
        if (sb.length() == 0) {
            throw new AssertionError("no memory dump in:\n" + section);
        }
        return sb.toString();
    }
}
