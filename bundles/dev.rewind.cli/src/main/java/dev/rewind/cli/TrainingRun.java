package dev.rewind.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The workloads the {@code rewind} launcher trains the JVM's class-data (AOT) caches with: one
 * cache per family of commands, since the JVM loads every class of its cache at start-up. One
 * cache for all commands made {@code rewind run} of a tiny program load the recorder, replayer,
 * qcow2 converter and their JDK classes too (~1,700 classes instead of ~700; 0.33 vs 0.27 s CPU).
 * Classes the training loads start pre-parsed and pre-linked in every later command of its
 * family. Not a user command.
 * <p>
 * Usage: {@code java -XX:AOTCacheOutput=F -cp rewind.jar dev.rewind.cli.TrainingRun FAMILY DIR GUEST.elf}.
 * The launcher trains the families in the order of {@link #FAMILIES} in one folder {@code DIR}:
 * {@code replay} replays what {@code record} recorded.
 */
public final class TrainingRun {

    /** The families, in training order; the launcher's table maps each command to one of them. */
    static final List<String> FAMILIES = List.of("run", "record", "replay", "img");

    private TrainingRun() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3 || !FAMILIES.contains(args[0])) {
            System.err.println("usage: TrainingRun " + String.join("|", FAMILIES) + " DIR GUEST.elf");
            System.exit(Main.EXIT_USAGE);
        }
        int failures = train(args[0], Path.of(args[1]), args[2]);
        // A command that failed trained less, but the cache is still valid: say so, go on.
        if (failures > 0) {
            System.err.println("rewind: " + failures + " training command(s) of '" + args[0] + "' failed");
        }
    }

    /** Runs the training commands of {@code family} on {@code elf} in {@code dir}; returns how many failed. */
    static int train(String family, Path dir, String elf) throws IOException {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        Console quiet = new Console(InputStream.nullInputStream(), nowhere, nowhere);
        Main main = new Main(CommandCatalog.standard());
        Files.createDirectories(dir);
        int failures = 0;
        for (String[] command : commands(family, dir, elf)) {
            failures += main.run(command, quiet) == 0 ? 0 : 1;
        }
        return failures;
    }

    static String[][] commands(String family, Path dir, String elf) throws IOException {
        String log = dir.resolve("run.rrlog").toString();
        String raw = dir.resolve("disk.raw").toString();
        String qcow2 = dir.resolve("disk.qcow2").toString();
        return switch (family) {
            case "run" -> new String[][] {{"run", elf}};
            // Snapshots and digests every few thousand instructions: the training guest is short,
            // and a real recording persists snapshots and logs digests (their classes, profiles and
            // JDK paths then start cached too, not loaded from the jar at the first snapshot).
            case "record" -> new String[][] {{"record", elf, "--rrfile", log, "--snapshot-every", "5000", "--digest-every", "2000"}};
            // Without record's recording (it failed), record here: this cache then holds more.
            case "replay" -> Files.isRegularFile(Path.of(log))
                    ? new String[][] {{"replay", log, "--quiet", "--snapshot-every", "5000"}, {"info", log}}
                    : new String[][] {{"record", elf, "--rrfile", log, "--snapshot-every", "5000", "--digest-every", "2000"},
                            {"replay", log, "--quiet", "--snapshot-every", "5000"}, {"info", log}};
            case "img" -> {
                byte[] data = new byte[4 << 20];
                for (int i = 0; i < data.length; i += 4096) {
                    data[i] = (byte) (i >>> 12);
                }
                Files.write(Path.of(raw), data);
                yield new String[][] {
                        {"img", "convert", "-O", "qcow2", raw, qcow2},
                        {"img", "convert", "-O", "raw", qcow2, dir.resolve("back.raw").toString()},
                        {"img", "info", qcow2},
                        {"img", "check", qcow2}};
            }
            default -> throw new IllegalArgumentException("no training family '" + family + "'");
        };
    }
}
