package dev.rewind.qcow2;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real qemu-img from PATH, the peer our images must agree with. */
final class QemuImg {

    /** Exit code and both output streams of one run. */
    record Run(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private QemuImg() {
    }

    static Run run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("qemu-img");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Path errFile = java.nio.file.Files.createTempFile("qemu-img", ".err");
        pb.redirectError(errFile.toFile());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("qemu-img timed out: " + cmd);
        }
        String err = java.nio.file.Files.readString(errFile);
        java.nio.file.Files.deleteIfExists(errFile);
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), err);
    }

    static Run ok(String... args) throws IOException, InterruptedException {
        Run r = run(args);
        if (r.exit() != 0) {
            throw new AssertionError("qemu-img " + String.join(" ", args) + " failed (" + r.exit() + "): " + r.all());
        }
        return r;
    }
}
