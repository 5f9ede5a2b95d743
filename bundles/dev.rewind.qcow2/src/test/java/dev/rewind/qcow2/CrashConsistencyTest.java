package dev.rewind.qcow2;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A writer process is killed with SIGKILL at random points while it writes and creates,
 * applies and deletes snapshots. After every kill qemu-img check must find no corruption
 * (leaks are allowed), and our check -r leaks must leave an image qemu-img calls clean. The
 * one tolerated exception, at most twice: OFLAG_COPIED-only errors from a kill inside the
 * snapshot refcount/COPIED window that the qcow2 format cannot close (see Qcow2Image).
 */
public class CrashConsistencyTest {

    private static final int KILLS = 50;

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

    @Test
    public void killedWriterLeavesAtMostLeaks() throws Exception {
        Path p = tmp.getRoot().toPath().resolve("crash.qcow2");
        Qcow2Image.create(p, 24L << 20, Qcow2Image.CreateOptions.defaults()).close();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = classPath();
        Random r = new Random(20261126);
        int leaky = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            Process w = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m", "-cp", cp,
                    CrashWriterMain.class.getName(), p.toString(), Long.toString(r.nextLong()))
                    .redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(w.getInputStream()));
            String first = out.readLine();
            assertEquals("writer did not start: " + first, "ready", first);
            Thread.sleep(r.nextInt(250));
            if (!w.isAlive()) {
                StringBuilder sb = new StringBuilder();
                for (String l; (l = out.readLine()) != null;) {
                    sb.append(l).append('\n');
                }
                throw new AssertionError("writer stopped by itself before the kill:\n" + sb);
            }
            w.destroyForcibly();
            assertTrue(w.waitFor(10, TimeUnit.SECONDS));

            QemuImg.Run theirs = QemuImg.run("check", p.toString());
            boolean copiedWindow = theirs.exit() == 2 && onlyCopiedFlagErrors(theirs.err());
            if (copiedWindow) {
                // The kill fell between the back-to-back refcount and COPIED-flag writes of a
                // snapshot create/delete: no write order avoids that state (QEMU has it too).
                // Data and refcounts are intact; check -r all sets the flags right.
                copiedWindowHits++;
            } else {
                assertTrue("kill " + kill + ": qemu-img check found corruption:\n" + theirs.all(),
                        theirs.exit() == 0 || theirs.exit() == 3);
            }
            if (theirs.err().contains("Leaked cluster")) {
                leaky++;
            }
            try (Qcow2Image img = Qcow2Image.open(p, Qcow2Image.Mode.REPAIR)) {
                ImageCheck.Repair mode = copiedWindow ? ImageCheck.Repair.ALL : ImageCheck.Repair.LEAKS;
                ImageCheck.Result fix = new ImageCheck(img).run(mode, null);
                assertEquals("kill " + kill + ": " + fix, 0, fix.corruptions());
            }
            QemuImg.Run after = QemuImg.run("check", p.toString());
            assertEquals("kill " + kill + " after our check -r leaks:\n" + after.all(), 0, after.exit());
        }
        System.out.println("crash test: " + KILLS + " kills, " + leaky + " left leaked clusters, " + copiedWindowHits
                + " hit the COPIED-flag window");
        // The window is a few system calls wide; hitting it often would mean a real ordering bug.
        assertTrue(copiedWindowHits + " kills left COPIED-flag errors", copiedWindowHits <= 2);
    }

    private int copiedWindowHits;

    /** True if every ERROR qemu-img reported is an OFLAG_COPIED mismatch (refcounts themselves fine). */
    static boolean onlyCopiedFlagErrors(String err) {
        boolean any = false;
        for (String line : err.lines().toList()) {
            if (line.startsWith("ERROR")) {
                if (!line.startsWith("ERROR OFLAG_COPIED")) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }
}
