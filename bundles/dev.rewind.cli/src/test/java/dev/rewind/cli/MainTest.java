package dev.rewind.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.Test;

public class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Console console = new Console(new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

    private int run(Main main, String... args) {
        return main.run(args, console);
    }

    private static Command failing(String name, Exception e) {
        return new Command() {
            public String name() { return name; }
            public String summary() { return "fails"; }
            public String usage() { return name; }
            public int run(String[] args, Console c) throws Exception { throw e; }
        };
    }

    @Test
    public void helpListsEveryShippedCommand() {
        Main main = new Main(CommandCatalog.standard());
        assertEquals(0, run(main, "--help"));
        String text = out.toString(StandardCharsets.UTF_8);
        for (Command c : CommandCatalog.standard().commands()) {
            assertTrue("help lacks " + c.name() + ":\n" + text, text.contains("  " + c.name() + " "));
        }
    }

    @Test
    public void noArgumentsPrintsHelpAndFailsAsUsageError() {
        assertEquals(Main.EXIT_USAGE, run(new Main(CommandCatalog.standard())));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("usage: rewind"));
    }

    @Test
    public void unknownCommandIsOneLineAndExitCode2() {
        assertEquals(Main.EXIT_USAGE, run(new Main(CommandCatalog.standard()), "frobnicate"));
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(e, 1, e.lines().count());
        assertTrue(e, e.contains("unknown command 'frobnicate'"));
    }

    @Test
    public void userErrorsBecomeOneLineWithoutStackTrace() {
        Main main = new Main(new CommandCatalog(List.of(failing("boom", new CliException("disk.img is not a qcow2 image")))));
        assertEquals(Main.EXIT_USAGE, run(main, "boom"));
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals("rewind boom: disk.img is not a qcow2 image\n", e);
    }

    @Test
    public void bugsAreReportedWithoutStackTraceAndExitCode1() {
        Main main = new Main(new CommandCatalog(List.of(failing("bug", new IllegalStateException("oops")))));
        assertEquals(1, run(main, "bug"));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e, e.contains("internal error: java.lang.IllegalStateException: oops"));
        assertFalse(e, e.contains("\tat "));
    }

    @Test
    public void commandHelpShowsUsage() {
        assertEquals(0, run(new Main(CommandCatalog.standard()), "version", "--help"));
        assertEquals("usage: rewind version\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    public void versionRejectsArguments() {
        assertEquals(Main.EXIT_USAGE, run(new Main(CommandCatalog.standard()), "version", "extra"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("takes no arguments"));
    }
}
