package dev.rewind.cli.img;

import dev.rewind.cli.CliException;
import dev.rewind.cli.Console;
import dev.rewind.qcow2.Qcow2Image;
import dev.rewind.qcow2.Snapshot;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code snapshot -l | -c NAME | -a NAME | -d NAME FILE}. {@code -c} also takes
 * {@code --icount N}, {@code --vm-clock NS} and {@code --vmstate FILE} (the bytes to keep as
 * VM state); without {@code --icount} the snapshot has none (−1).
 */
final class SnapshotVerb implements ImgVerb {

    @Override
    public String name() {
        return "snapshot";
    }

    @Override
    public String usage() {
        return "snapshot -l | -c NAME [--icount N] [--vm-clock NS] [--vmstate FILE] | -a NAME | -d NAME FILE";
    }

    @Override
    public int run(List<String> args, Console console) throws Exception {
        String action = null;
        String name = null;
        String file = null;
        long icount = Snapshot.NO_ICOUNT;
        long vmClock = 0;
        Path vmState = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-l" -> action = set(action, a);
                case "-c", "-a", "-d" -> {
                    action = set(action, a);
                    name = CreateVerb.value(args, ++i, a);
                }
                case "--icount" -> icount = number(CreateVerb.value(args, ++i, a), a);
                case "--vm-clock" -> vmClock = number(CreateVerb.value(args, ++i, a), a);
                case "--vmstate" -> vmState = Path.of(CreateVerb.value(args, ++i, a));
                default -> {
                    if (a.startsWith("-") || file != null) {
                        throw new CliException("usage: rewind img " + usage());
                    }
                    file = a;
                }
            }
        }
        if (action == null || file == null) {
            throw new CliException("usage: rewind img " + usage());
        }
        Path p = Path.of(file);
        if (!Files.exists(p)) {
            throw new NoSuchFileException(file);
        }
        if (action.equals("-l")) {
            try (Qcow2Image img = Qcow2Image.openReadOnly(p)) {
                if (!img.snapshots().isEmpty()) {
                    SnapshotListing.print(img.snapshots(), console.out());
                }
            }
            return 0;
        }
        try (Qcow2Image img = Qcow2Image.open(p)) {
            switch (action) {
                case "-c" -> {
                    if (vmState != null) {
                        try (InputStream in = Files.newInputStream(vmState)) {
                            img.createSnapshot(name, icount, vmClock, in);
                        }
                    } else {
                        img.createSnapshot(name, icount, vmClock, (byte[]) null);
                    }
                }
                case "-a" -> img.applySnapshot(name);
                default -> img.deleteSnapshot(name);
            }
        }
        return 0;
    }

    private static String set(String current, String a) throws CliException {
        if (current != null) {
            throw new CliException("give only one of -l, -c, -a, -d");
        }
        return a;
    }

    private static long number(String v, String option) throws CliException {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new CliException(option + " takes an integer (got '" + v + "')");
        }
    }
}
