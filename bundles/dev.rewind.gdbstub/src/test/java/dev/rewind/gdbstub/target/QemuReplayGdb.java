package dev.rewind.gdbstub.target;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A gdb script run against QEMU 7.2's own record/replay of a guest (-icount shift=0, rr with an
 * empty qcow2 for its snapshots, gdb stub on a free loopback port), for tests that compare its
 * answers with Rewind's.
 */
final class QemuReplayGdb {
    private QemuReplayGdb() {
    }

    static boolean available() {
        return GdbScript.available() && onPath("qemu-system-riscv64") && onPath("qemu-img");
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, tool).canExecute()) {
                return true;
            }
        }
        return false;
    }

    private static void run(List<String> cmd, Path log) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " timed out: " + Files.readString(log));
        }
    }

    /** Records {@code elf} on QEMU, replays it under gdb running {@code script}; gdb's output. */
    static String run(Path elf, GdbScript script) throws Exception {
        Path dir = Files.createTempDirectory("rewind-vs-qemu");
        try {
            Path img = dir.resolve("empty.qcow2");
            Path rr = dir.resolve("guest.qemu.rr");
            run(List.of("qemu-img", "create", "-f", "qcow2", img.toString(), "1M"), dir.resolve("img.log"));
            List<String> common = List.of("qemu-system-riscv64", "-M", "virt", "-bios", "none", "-nographic", "-icount",
                    "shift=0,rr=%s,rrfile=" + rr + ",rrsnapshot=init", "-drive", "file=" + img + ",if=none,id=rr", "-net",
                    "none", "-kernel", elf.toString());
            run(common.stream().map(a -> a.replace("%s", "record")).toList(), dir.resolve("record.log"));
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            List<String> replay = new ArrayList<>(common.stream().map(a -> a.replace("%s", "replay")).toList());
            replay.addAll(List.of("-gdb", "tcp:127.0.0.1:" + port, "-S"));
            Process qemu = new ProcessBuilder(replay).redirectErrorStream(true).redirectOutput(dir.resolve("replay.log").toFile())
                    .start();
            try {
                Thread.sleep(500);
                return script.run(port, elf);
            } finally {
                qemu.destroyForcibly();
                qemu.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            try (var files = Files.list(dir)) {
                files.forEach(f -> f.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
    }
}
