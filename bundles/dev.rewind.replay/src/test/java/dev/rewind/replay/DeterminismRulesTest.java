package dev.rewind.replay;

import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.Test;

/**
 * The forbidden-API check of DESIGN.md for the deterministic bundles (emulator, replay): no
 * wall clock, randomness, threads or hash-ordered collections in code that shapes guest state.
 * Input from the host is allowed only at the nondeterminism boundary (the live input ports),
 * whose answers the recorder logs.
 */
public class DeterminismRulesTest {

    private static final Pattern FORBIDDEN = Pattern.compile(
            "System\\.currentTimeMillis|System\\.nanoTime|new Random\\(|Math\\.random|ThreadLocalRandom|SecureRandom"
                    + "|new Thread\\b|Thread\\.sleep|\\bHashMap\\b|\\bHashSet\\b|Instant\\.now|LocalDateTime\\.now|Clock\\.system");

    /** File name -> why it may touch the host's clock or threads. */
    private static final Map<String, String> BOUNDARY = Map.of(
            "LiveInputPort.java", "the live port: host clock and stdin, logged by the recorder",
            "SleepingIdlePort.java", "sleep=on: real waiting, the warp it returns is logged",
            "RecordSession.java", "builds the live port with the host clock");

    @Test
    public void deterministicBundlesUseNoWallClockRandomnessThreadsOrHashOrder() throws IOException {
        List<String> violations = new ArrayList<>();
        for (String bundle : List.of("dev.rewind.emulator", "dev.rewind.replay")) {
            Path src = GuestPrograms.root().resolve("bundles/" + bundle + "/src/main/java");
            try (var files = Files.walk(src)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                    if (BOUNDARY.containsKey(f.getFileName().toString())) {
                        continue;
                    }
                    List<String> lines = Files.readAllLines(f);
                    for (int i = 0; i < lines.size(); i++) {
                        String line = lines.get(i).strip();
                        if (line.startsWith("*") || line.startsWith("//") || line.startsWith("/*")) {
                            continue;
                        }
                        if (FORBIDDEN.matcher(line).find()) {
                            violations.add(src.relativize(f) + ":" + (i + 1) + ": " + line);
                        }
                    }
                }
            }
        }
        assertTrue("nondeterministic API in deterministic code:\n" + String.join("\n", violations), violations.isEmpty());
    }
}
