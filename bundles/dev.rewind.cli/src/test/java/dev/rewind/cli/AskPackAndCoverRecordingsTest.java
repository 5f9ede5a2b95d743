package dev.rewind.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import dev.rewind.replay.GuestPrograms;

/**
 * {@code rewind query}, {@code pack} and {@code coverage} on a recording of
 * {@code guests/src/sample.c}, whose behaviour is known: {@code total} changes 13 times (ten
 * squares added, three penalties), {@code add_square} runs ten times, the penalty line three.
 */
public class AskPackAndCoverRecordingsTest {

    private static Path dir;
    private static Path elf;
    private static Path log;

    @BeforeClass
    public static void recordSample() throws Exception {
        dir = Files.createTempDirectory("rewind-ask");
        // a private copy of the program, so that the pack test can delete it
        elf = dir.resolve("sample.elf");
        Files.copy(GuestPrograms.elf("sample"), elf);
        log = dir.resolve("sample.rrlog");
        Result r = rewind("record", elf.toString(), "--rrfile", log.toString());
        assertEquals(r.err, 0, r.code);
    }

    @AfterClass
    public static void cleanUp() throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    record Result(int code, String out, String err) {
    }

    static Result rewind(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Console c = new Console(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        int code = new Main(CommandCatalog.standard()).run(args, c);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    public void historyOfTotalListsItsThirteenChangesAndJsonSaysTheSame() {
        Result r = rewind("query", log.toString(), "history", "total");
        assertEquals(r.err, 0, r.code);
        assertTrue(r.out, r.out.contains(": 13 changes in "));
        assertTrue(r.out, r.out.contains("add_square (sample.c:19)"));
        assertTrue(r.out, r.out.contains("penalty (sample.c:25)"));
        assertTrue(r.out, r.out.contains("0x0000017e")); // 382, the final value (0x17e)
        Result j = rewind("query", log.toString(), "history", "total", "--json");
        assertEquals(j.err, 0, j.code);
        assertTrue(j.out, j.out.startsWith("{\"query\":\"history\",\"target\":{\"expression\":\"total\""));
        assertEquals(j.out, 13, j.out.split("\"kind\":\"write\"", -1).length - 1);
        assertTrue(j.out, j.out.trim().endsWith("]}"));
    }

    @Test
    public void lastWriteAndEventsAnswerAndBadQueriesSayWhy() {
        Result r = rewind("query", log.toString(), "last-write", "total", "--json");
        assertTrue(r.out, r.out.contains("\"after\":\"0x0000017e\"") && r.out.contains("\"where\":\"add_square (sample.c:19)\""));
        Result e = rewind("query", log.toString(), "events", "--kind", "uart");
        assertTrue(e.out, e.out.contains("uart_out") && e.out.contains("'s'"));
        Result bad = rewind("query", log.toString(), "last-write", "no_such_variable");
        assertEquals(Main.EXIT_USAGE, bad.code);
        assertTrue(bad.err, bad.err.contains("no global variable or symbol 'no_such_variable'"));
        Result kind = rewind("query", log.toString(), "events", "--kind", "nonsense");
        assertTrue(kind.err, kind.err.contains("unknown event kind 'nonsense'"));
    }

    @Test
    public void aPackReplaysInAFreshFolderWithTheOriginalsGoneAndDamageIsRefusedWithItsOffset() throws Exception {
        Path copyDir = Files.createTempDirectory(dir, "orig");
        Path elf2 = copyDir.resolve("sample.elf");
        Files.copy(elf, elf2);
        Path log2 = copyDir.resolve("run.rrlog");
        assertEquals(0, rewind("record", elf2.toString(), "--rrfile", log2.toString()).code);
        Result direct = rewind("replay", log2.toString());
        Path pack = dir.resolve("run.rwd");
        Result p = rewind("pack", log2.toString(), "-o", pack.toString());
        assertEquals(p.err, 0, p.code);
        assertTrue(p.out, p.out.contains("program") && p.out.contains("sample.elf"));
        Files.delete(elf2);
        Files.delete(log2);
        Result replayed = rewind("replay", pack.toString());
        assertEquals(replayed.err, 0, replayed.code);
        assertEquals(direct.out, replayed.out);
        assertTrue(replayed.err, replayed.err.contains("final state verified"));
        assertTrue(rewind("query", pack.toString(), "history", "total").out.contains("13 changes"));

        byte[] good = Files.readAllBytes(pack);
        Path bad = dir.resolve("bad.rwd");
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x40;
        Files.write(bad, flipped);
        Result f = rewind("replay", bad.toString());
        assertEquals(Main.EXIT_USAGE, f.code);
        assertTrue(f.err, f.err.matches("(?s).*damaged pack: file '.*' is damaged.*\\(at byte \\d+\\)\\s*"));
        for (int cut : new int[] {6, 20, good.length / 3, good.length - 3}) {
            Files.write(bad, java.util.Arrays.copyOf(good, cut));
            Result t = rewind("replay", bad.toString());
            assertEquals(t.err, Main.EXIT_USAGE, t.code);
            assertTrue(t.err, t.err.contains("damaged pack") && t.err.contains("truncated"));
            assertTrue(t.err, t.err.contains("(at byte "));
        }
    }

    @Test
    public void coverageCountsLinesAndBranchesAsTheProgramRanThemAndGenhtmlRendersThemWithoutWarnings() throws Exception {
        Path info = dir.resolve("cov.info");
        Result r = rewind("coverage", log.toString(), "-o", info.toString(), "--profile", "--source-root",
                GuestPrograms.root().toString());
        assertEquals(r.err, 0, r.code);
        TreeMap<Integer, Long> sample = new TreeMap<>();
        List<String> branches24 = new ArrayList<>();
        String sf = null;
        for (String line : Files.readAllLines(info)) {
            if (line.startsWith("SF:")) {
                sf = line.substring(3);
            } else if (line.startsWith("DA:") && sf != null && sf.endsWith("sample.c")) {
                String[] p = line.substring(3).split(",");
                sample.put(Integer.parseInt(p[0]), Long.parseLong(p[1]));
            } else if (line.startsWith("BRDA:24,") && sf != null && sf.endsWith("sample.c")) {
                branches24.add(line);
            }
        }
        assertTrue(sf, Files.exists(Path.of(sf)));
        assertEquals(sample.toString(), Long.valueOf(10), sample.get(19)); // total = total + s;
        assertEquals(sample.toString(), Long.valueOf(10), sample.get(24)); // if (i % 3 == 0)
        assertEquals(sample.toString(), Long.valueOf(3), sample.get(25));  // total = total - 1;
        assertEquals(sample.toString(), Long.valueOf(1), sample.get(40));  // total = 0;
        // if (i % 3 == 0): one conditional branch, taken one way 3 times and the other 7
        java.util.Collections.sort(branches24);
        assertTrue(branches24.toString(), branches24.equals(List.of("BRDA:24,0,0,3", "BRDA:24,0,1,7"))
                || branches24.equals(List.of("BRDA:24,0,0,7", "BRDA:24,0,1,3")));
        assertTrue(r.out, r.out.contains("uart_putc") || r.out.contains("uart_puts"));
        assumeTrue("genhtml (Debian's lcov) not installed", onPath("genhtml"));
        Process g = new ProcessBuilder("genhtml", "--branch-coverage", info.toString(), "-o", dir.resolve("html").toString())
                .redirectErrorStream(true).start();
        String text = new String(g.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(text, 0, g.waitFor());
        assertFalse(text, text.toLowerCase().contains("warning"));
        assertTrue(Files.exists(dir.resolve("html/index.html")));
    }

    static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    static List<String> lines(String s) {
        return new ArrayList<>(s.lines().toList());
    }
}
