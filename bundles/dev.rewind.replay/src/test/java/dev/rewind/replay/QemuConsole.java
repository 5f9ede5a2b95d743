package dev.rewind.replay;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * qemu-system-riscv64 7.2 on the virt machine with its UART on stdio: what it prints goes to a
 * {@link GuestConsole}, what is typed goes to its stdin. The reference side of the interactive
 * firmware scenarios.
 */
final class QemuConsole implements AutoCloseable {

    static final String QEMU = "qemu-system-riscv64";

    private final Process process;
    private final GuestConsole console = new GuestConsole();
    private final OutputStream stdin;
    private final Thread pump;
    private final File errFile;
    private final StringBuilder stderr = new StringBuilder();

    /** Starts {@code qemu-system-riscv64 -M virt -display none -monitor none -serial stdio ARGS}. */
    QemuConsole(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(QEMU, "-M", "virt", "-display", "none", "-monitor", "none",
                "-serial", "stdio"));
        cmd.addAll(args);
        File err = File.createTempFile("rewind-qemu", ".err");
        err.deleteOnExit();
        process = new ProcessBuilder(cmd).redirectError(err).start();
        stdin = process.getOutputStream();
        InputStream out = process.getInputStream();
        pump = new Thread(() -> {
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = out.read(buf)) > 0; ) {
                    console.append(buf, 0, n);
                }
            } catch (IOException e) {
                // the process ended
            } finally {
                console.close();
            }
        }, "qemu-console");
        pump.setDaemon(true);
        pump.start();
        errFile = err;
    }

    GuestConsole console() {
        return console;
    }

    /** Types keys into QEMU's UART (its stdin). */
    void type(String keys) {
        try {
            stdin.write(keys.getBytes(StandardCharsets.ISO_8859_1));
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("QEMU no longer takes input", e);
        }
    }

    /** Waits for QEMU to exit (e.g. after the guest powered off); returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException, IOException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("QEMU did not exit within " + timeout + "; console:\n" + console.text());
        }
        pump.join(10_000);
        if (errFile.exists()) {
            stderr.append(java.nio.file.Files.readString(errFile.toPath()));
        }
        return process.exitValue();
    }

    String stderr() {
        return stderr.toString();
    }

    /** Ends QEMU (the scenario is over, or failed). */
    void stop() {
        process.destroyForcibly();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        errFile.delete();
    }
}
