package dev.rewind.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.Test;

/** Only the quick path: two small guests, no QEMU (the real benchmark takes a minute). */
public class BenchCommandTest {

    @Test
    public void measuresMipsFromTwoLengths() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Console console = new Console(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        int rc = new Main(CommandCatalog.standard()).run(new String[] {"bench", "--short", RunCommandTest.guest("rv64i"),
            "--long", RunCommandTest.guest("sv39"), "--no-qemu"}, console);
        assertEquals(err.toString(StandardCharsets.UTF_8), 0, rc);
        String o = out.toString(StandardCharsets.UTF_8);
        assertTrue(o, o.matches("(?s).*rewind: +\\d+ MIPS.*"));
    }
}
