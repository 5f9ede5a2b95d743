package dev.rewind.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The workload the {@code rewind} launcher trains the JVM's class-data (AOT) cache with: the
 * commands users start most, in one JVM, since the cache comes from one training run. Classes
 * the training loads start pre-parsed and pre-linked in every later command. Not a user command.
 * <p>
 * Usage: {@code java -XX:AOTCacheOutput=F -cp rewind.jar dev.rewind.cli.TrainingRun GUEST.elf}
 */
public final class TrainingRun {

    private TrainingRun() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: TrainingRun GUEST.elf");
            System.exit(Main.EXIT_USAGE);
        }
        int failures = train(args[0]);
        // A command that failed trained less, but the cache is still valid: say so, go on.
        if (failures > 0) {
            System.err.println("rewind: " + failures + " training command(s) failed");
        }
    }

    /** Runs the training commands on {@code elf} in a temporary folder; returns how many failed. */
    static int train(String elf) throws IOException {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        Console quiet = new Console(InputStream.nullInputStream(), nowhere, nowhere);
        Main main = new Main(CommandCatalog.standard());
        Path dir = Files.createTempDirectory("rewind-training");
        try {
            String raw = dir.resolve("disk.raw").toString();
            String qcow2 = dir.resolve("disk.qcow2").toString();
            String log = dir.resolve("run.rrlog").toString();
            byte[] data = new byte[4 << 20];
            for (int i = 0; i < data.length; i += 4096) {
                data[i] = (byte) (i >>> 12);
            }
            Files.write(Path.of(raw), data);
            int failures = 0;
            for (String[] command : new String[][] {
                    {"run", elf},
                    {"record", elf, "--rrfile", log},
                    {"replay", log, "--quiet"},
                    {"img", "convert", "-O", "qcow2", raw, qcow2},
                    {"img", "convert", "-O", "raw", qcow2, dir.resolve("back.raw").toString()},
                    {"img", "info", qcow2},
                    {"img", "check", qcow2}}) {
                failures += main.run(command, quiet) == 0 ? 0 : 1;
            }
            return failures;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
