package dev.rewind.qcow2;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A writer process ({@link CrashWriterMain}) is killed with SIGKILL again and again while it
 * writes and creates, applies, deletes and renames snapshots. Most kills land at exact steps:
 * before each file write of every snapshot operation and of flush, one after another, from a
 * seeded schedule; the rest at random times. After every kill qemu-img check must find no
 * corruption at all (exit 0, or 3 for leaked clusters only), and our check -r leaks must leave
 * an image qemu-img calls clean.
 */
public class CrashConsistencyTest {

    /** How many writes into each kind of operation the paused kills reach (one operation's steps and more). */
    private static final Map<CrashWriterMain.Op, Integer> STEPS = new EnumMap<>(Map.of(
            CrashWriterMain.Op.CREATE, 24, CrashWriterMain.Op.DELETE, 16, CrashWriterMain.Op.APPLY, 16,
            CrashWriterMain.Op.RENAME, 5, CrashWriterMain.Op.FLUSH, 4));
    private static final int RANDOM_KILLS = 12;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** The test JVM's class path plus where the writer and the image classes were loaded from. */
    private static String classPath() throws Exception {
        StringBuilder cp = new StringBuilder(System.getProperty("java.class.path", ""));
        for (Class<?> c : new Class<?>[] {CrashWriterMain.class, Qcow2Image.class}) {
            java.security.CodeSource src = c.getProtectionDomain().getCodeSource();
            if (src != null && "file".equals(src.getLocation().getProtocol())) {
                cp.append(java.io.File.pathSeparator).append(Path.of(src.getLocation().toURI()));
            }
        }
        return cp.toString();
    }

    /** One kill: at a step inside an operation kind, or (op null) after a random delay. */
    private record Kill(CrashWriterMain.Op op, int step) {
        @Override
        public String toString() {
            return op == null ? "random-time kill" : "kill before write " + step + " of " + op;
        }
    }

    private static List<Kill> schedule(Random r) {
        List<Kill> kills = new ArrayList<>();
        STEPS.forEach((op, n) -> {
            for (int step = 1; step <= n; step++) {
                kills.add(new Kill(op, step));
            }
        });
        for (int i = 0; i < RANDOM_KILLS; i++) {
            kills.add(new Kill(null, 0));
        }
        Collections.shuffle(kills, r);
        return kills;
    }

    @Test
    public void killedWriterLeavesAtMostLeaks() throws Exception {
        Path p = tmp.getRoot().toPath().resolve("crash.qcow2");
        Qcow2Image.create(p, 24L << 20, Qcow2Image.CreateOptions.defaults()).close();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = classPath();
        Random r = new Random(20261126);
        List<Kill> kills = schedule(r);
        int leaky = 0;
        for (int i = 0; i < kills.size(); i++) {
            Kill kill = kills.get(i);
            List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-Xshare:auto", "-Xmx128m", "-cp", cp, CrashWriterMain.class.getName(), p.toString(),
                    Long.toString(r.nextLong())));
            if (kill.op() != null) {
                cmd.add(kill.op().name());
                cmd.add(Integer.toString(kill.step()));
            }
            Process w = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            BlockingQueue<String> lines = linesOf(w);
            String what = "kill " + i + " (" + kill + ")";
            expectLine(w, lines, "ready", what);
            if (kill.op() != null) {
                expectLine(w, lines, "paused", what);
            } else {
                Thread.sleep(r.nextInt(250));
                if (!w.isAlive()) {
                    fail(what + ": writer stopped by itself:\n" + drain(lines));
                }
            }
            w.destroyForcibly();
            assertTrue(w.waitFor(10, TimeUnit.SECONDS));

            QemuImg.Run theirs = QemuImg.run("check", p.toString());
            assertTrue(what + ": qemu-img check found more than leaks:\n" + theirs.all(),
                    theirs.exit() == 0 || theirs.exit() == 3);
            if (theirs.exit() == 3) {
                leaky++;
            }
            try (Qcow2Image img = Qcow2Image.open(p, Qcow2Image.Mode.REPAIR)) {
                ImageCheck.Result fix = new ImageCheck(img).run(ImageCheck.Repair.LEAKS, null);
                assertEquals(what + ": " + fix, 0, fix.corruptions());
            }
            QemuImg.Run after = QemuImg.run("check", p.toString());
            assertEquals(what + " after our check -r leaks:\n" + after.all(), 0, after.exit());
        }
        System.out.println("crash test: " + kills.size() + " kills (" + (kills.size() - RANDOM_KILLS)
                + " at exact steps of snapshot operations and flush), " + leaky + " left leaked clusters, none more");
    }

    private static BlockingQueue<String> linesOf(Process w) {
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(w.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = in.readLine()) != null;) {
                    q.add(l);
                }
            } catch (java.io.IOException e) {
                // the process was killed
            }
        }, "crash-writer-output");
        t.setDaemon(true);
        t.start();
        return q;
    }

    private static void expectLine(Process w, BlockingQueue<String> lines, String want, String what)
            throws InterruptedException {
        String l = lines.poll(30, TimeUnit.SECONDS);
        if (!want.equals(l)) {
            w.destroyForcibly();
            fail(what + ": expected '" + want + "' from the writer, got '" + l + "'\n" + drain(lines));
        }
    }

    private static String drain(BlockingQueue<String> lines) throws InterruptedException {
        StringBuilder sb = new StringBuilder();
        for (String l; (l = lines.poll(2, TimeUnit.SECONDS)) != null;) {
            sb.append(l).append('\n');
        }
        return sb.toString();
    }
}
