package dev.rewind.gdbstub.target;

import static org.junit.Assert.assertEquals;
import static org.junit.Assume.assumeTrue;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

/**
 * The same gdb script against QEMU 7.2's record/replay and against Rewind's replay of the sample
 * guest: forward breakpoint stops and reverse-continue/reverse-stepi stops must be at the same
 * icounts (QEMU's own {@code info replay} and ours), since both count instructions alike.
 */
public class ReverseStopsMatchQemuTest {

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, tool).canExecute()) {
                return true;
            }
        }
        return false;
    }

    private static GdbScript script() {
        GdbScript g = new GdbScript().add("break add_square").mark("FWD");
        for (int k = 0; k < 6; k++) {
            g.add("continue").icount();
        }
        g.mark("BACK");
        for (int k = 0; k < 3; k++) {
            g.add("reverse-continue").icount();
        }
        g.add("delete", "reverse-stepi", "reverse-stepi").icount().add("stepi").icount();
        return g.mark("END");
    }

    private static void run(List<String> cmd, Path log) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " timed out: " + Files.readString(log));
        }
    }

    @Test
    public void breakpointAndStepStopsAreAtQemusIcounts() throws Exception {
        assumeTrue("gdb-multiarch, qemu-system-riscv64 and qemu-img needed",
                GdbScript.available() && onPath("qemu-system-riscv64") && onPath("qemu-img"));
        RecordedGuest sample = RecordedGuest.of("sample", null);
        Path dir = Files.createTempDirectory("rewind-vs-qemu");
        try {
            Path img = dir.resolve("empty.qcow2");
            Path rr = dir.resolve("sample.qemu.rr");
            run(List.of("qemu-img", "create", "-f", "qcow2", img.toString(), "1M"), dir.resolve("img.log"));
            List<String> common = List.of("qemu-system-riscv64", "-M", "virt", "-bios", "none", "-nographic", "-icount",
                    "shift=0,rr=%s,rrfile=" + rr + ",rrsnapshot=init", "-drive", "file=" + img + ",if=none,id=rr", "-net",
                    "none", "-kernel", sample.elf.toString());
            run(common.stream().map(a -> a.replace("%s", "record")).toList(), dir.resolve("record.log"));
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            List<String> replay = new java.util.ArrayList<>(common.stream().map(a -> a.replace("%s", "replay")).toList());
            replay.addAll(List.of("-gdb", "tcp:127.0.0.1:" + port, "-S"));
            Process qemu = new ProcessBuilder(replay).redirectErrorStream(true).redirectOutput(dir.resolve("replay.log").toFile())
                    .start();
            String qemuOut;
            try {
                Thread.sleep(500);
                qemuOut = script().run(port, sample.elf);
            } finally {
                qemu.destroyForcibly();
                qemu.waitFor(10, TimeUnit.SECONDS);
            }
            String ours;
            try (RecordedGuest.Served s = sample.serve(1000)) {
                ours = script().run(s.port(), sample.elf);
            }
            List<Long> q = GdbScript.icounts(qemuOut);
            List<Long> r = GdbScript.icounts(ours);
            assertEquals(qemuOut, 11, q.size());
            assertEquals("QEMU:\n" + qemuOut + "\nRewind:\n" + ours, q, r);
            // and the reverse stops are the forward hits 5, 4, 3
            assertEquals(ours, List.of(r.get(4), r.get(3), r.get(2)), r.subList(6, 9));
        } finally {
            try (var files = Files.list(dir)) {
                files.forEach(f -> f.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
    }
}
