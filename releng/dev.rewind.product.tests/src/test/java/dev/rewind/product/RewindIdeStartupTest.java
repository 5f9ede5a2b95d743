package dev.rewind.product;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.BeforeClass;
import org.junit.Test;

/**
 * {@code ./rewind ide --check} starts the materialized Rewind IDE on a fresh workspace (under the
 * build's X display), which must come up with the sample project and its launch configurations,
 * open the sample's C file in the text editor, show the Debug perspective, save a screenshot and
 * exit cleanly, with no error
 * or warning in the workspace log. A second start on the same workspace must find the project as it left it.
 */
public class RewindIdeStartupTest {

    private static final long START_TIMEOUT_S = 180;
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G'};

    private static final Path ROOT = Path.of(System.getProperty("rewind.root", "../..")).toAbsolutePath().normalize();
    private static final Path TARGET = Path.of("target").toAbsolutePath();
    private static final Path WORKSPACE = TARGET.resolve("ide-workspace");

    private static List<String> firstReport;

    @BeforeClass
    public static void startOnFreshWorkspace() throws Exception {
        assertNotNull("no X display: run the build under xvfb-run -a", System.getenv("DISPLAY"));
        deleteTree(WORKSPACE);
        firstReport = startIde(TARGET.resolve("ide-check"));
    }

    @Test
    public void sampleProjectIsOpenWithItsSharedLaunchConfigurations() {
        assertTrue(firstReport.toString(), firstReport.contains("project sample open"));
        assertTrue(firstReport.toString(),
                firstReport.contains("launch dev.rewind.launch.record Record sample /sample/Record sample.launch"));
        assertTrue(firstReport.toString(),
                firstReport.contains("launch dev.rewind.launch.replay Replay sample /sample/Replay sample.launch"));
    }

    @Test
    public void sampleCSourceOpensInTheTextEditor() {
        assertTrue(firstReport.toString(),
                firstReport.contains("editor /sample/src/sample.c org.eclipse.ui.DefaultTextEditor"));
    }

    @Test
    public void debugPerspectiveOpensWithTheDebugViewAndTheConsole() {
        String line = firstReport.stream().filter(l -> l.startsWith("perspective ")).findFirst().orElse("");
        assertTrue(firstReport.toString(), line.startsWith("perspective org.eclipse.debug.ui.DebugPerspective views "));
        List<String> views = List.of(line.substring(line.indexOf(" views ") + 7).split(" "));
        assertTrue(line, views.contains("org.eclipse.debug.ui.DebugView"));
        assertTrue(line, views.contains("org.eclipse.ui.console.ConsoleView"));
    }

    @Test
    public void sampleProjectHoldsTheGuestSourcesAndItsCommittedElf() throws IOException {
        Path project = WORKSPACE.resolve("sample");
        assertArrayEquals(Files.readAllBytes(ROOT.resolve("guests/prebuilt/sample.elf")),
                Files.readAllBytes(project.resolve("sample.elf")));
        // (secondStartReusesTheWorkspace may have appended a comment)
        assertTrue(Files.readString(project.resolve("src/sample.c")).startsWith(Files.readString(ROOT.resolve("guests/src/sample.c"))));
        for (String f : List.of("lib/rt.c", "lib/rt.h", "lib/crt0.S", "lib/link.ld")) {
            assertTrue(f, Files.isRegularFile(project.resolve(f)));
        }
    }

    @Test
    public void screenshotOfTheWorkbenchIsSaved() throws IOException {
        Path png = TARGET.resolve("ide-check/ide.png");
        byte[] bytes = Files.readAllBytes(png);
        assertTrue(png + " is only " + bytes.length + " bytes", bytes.length > 10_000);
        byte[] head = new byte[4];
        System.arraycopy(bytes, 0, head, 0, 4);
        assertArrayEquals(png + " is not a PNG", PNG_MAGIC, head);
    }

    @Test
    public void workspaceLogHasNoErrorsOrWarnings() throws IOException {
        Path log = WORKSPACE.resolve(".metadata/.log");
        List<String> errors = new ArrayList<>();
        if (Files.exists(log)) {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                // !ENTRY <bundle> <severity> <code> <date> <time>; IStatus.WARNING is 2, ERROR 4
                String[] f = lines.get(i).split(" ");
                if (f.length > 2 && f[0].equals("!ENTRY") && (f[2].equals("2") || f[2].equals("4"))) {
                    errors.add(lines.get(i) + " " + (i + 1 < lines.size() ? lines.get(i + 1) : ""));
                }
            }
        }
        assertEquals("errors or warnings in " + log + ": " + errors, List.of(), errors);
    }

    @Test
    public void secondStartReusesTheWorkspace() throws Exception {
        Path marker = WORKSPACE.resolve("sample/src/sample.c");
        Files.writeString(marker, Files.readString(marker) + "/* edited */\n");
        List<String> again = startIde(TARGET.resolve("ide-check-again"));
        assertTrue(again.toString(), again.contains("project sample open"));
        assertEquals(again.toString(), 1, again.stream().filter(l -> l.startsWith("project ")).count());
        assertEquals(again.toString(), 2, again.stream().filter(l -> l.startsWith("launch ")).count());
        assertTrue("the workspace's sample.c was replaced", Files.readString(marker).endsWith("/* edited */\n"));
    }

    /** Runs {@code ./rewind ide --check DIR} on the test workspace; returns DIR/workspace.txt. */
    private static List<String> startIde(Path check) throws Exception {
        deleteTree(check);
        Path out = TARGET.resolve(check.getFileName() + ".out");
        Process p = new ProcessBuilder(ROOT.resolve("rewind").toString(), "ide", "--workspace", WORKSPACE.toString(),
                "--check", check.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(START_TIMEOUT_S, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("the IDE did not exit within " + START_TIMEOUT_S + " s; output: " + Files.readString(out));
        }
        assertEquals("exit code of ./rewind ide; output: " + Files.readString(out), 0, p.exitValue());
        Path report = check.resolve("workspace.txt");
        assertTrue("no " + report + "; output: " + Files.readString(out), Files.isRegularFile(report));
        return Files.readAllLines(report);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.sorted((a, b) -> b.getNameCount() - a.getNameCount())::iterator) {
                Files.delete(f);
            }
        }
    }
}
