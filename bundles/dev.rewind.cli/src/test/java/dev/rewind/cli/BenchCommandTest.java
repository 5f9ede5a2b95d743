package dev.rewind.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.Test;

/**
 * Only the quick path, no QEMU (the real benchmark takes a minute). The long guest is ~1e9
 * instructions more than the short one, so their times differ by far more than the noise of a
 * loaded machine (two tiny guests made the difference a coin toss at load 20).
 */
public class BenchCommandTest {

    @Test
    public void measuresMipsFromTwoLengths() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Console console = new Console(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        int rc = new Main(CommandCatalog.standard()).run(new String[] {"bench", "--short", RunCommandTest.guest("rv64i"),
            "--long", RunCommandTest.guest("compute-1g"), "--no-qemu"}, console);
        assertEquals(err.toString(StandardCharsets.UTF_8), 0, rc);
        String o = out.toString(StandardCharsets.UTF_8);
        assertTrue(o, o.matches("(?s).*rewind: +\\d+ MIPS.*"));
    }
}
