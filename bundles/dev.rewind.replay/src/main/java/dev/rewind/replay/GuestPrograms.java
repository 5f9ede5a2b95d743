package dev.rewind.replay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The RISC-V guest programs of a Rewind checkout ({@code guests/}): where they are, and how to
 * build one that is missing. Used by the demo, the benchmarks and the tests of every bundle,
 * so that all agree on one layout.
 */
public final class GuestPrograms {

    private GuestPrograms() {
    }

    /**
     * The checkout's root: the {@code rewind.root} or {@code rewind.home} system property (the
     * build and the launcher set them), else the first folder upwards from the working
     * directory that holds {@code guests/} and {@code bundles/}.
     */
    public static Path root() {
        for (String property : new String[] {"rewind.root", "rewind.home"}) {
            String value = System.getProperty(property);
            if (value != null && Files.isDirectory(Path.of(value, "guests"))) {
                return Path.of(value);
            }
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.isDirectory(p.resolve("guests")) && Files.isDirectory(p.resolve("bundles")))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the Rewind checkout (a folder with guests/ and bundles/)");
        }
        return p;
    }

    /** {@code guests/build/NAME.elf}, built with {@code make} (riscv64-unknown-elf-gcc) if it is missing. */
    public static synchronized Path elf(String name) throws IOException, InterruptedException {
        Path elf = root().resolve("guests/build/" + name + ".elf");
        if (!Files.exists(elf)) {
            Process make = new ProcessBuilder("make", "-s", "-C", root().resolve("guests").toString(), "build/" + name + ".elf")
                    .inheritIO().start();
            if (make.waitFor() != 0 || !Files.exists(elf)) {
                throw new IOException("could not build guest " + name + " (make -C guests needs riscv64-unknown-elf-gcc)");
            }
        }
        return elf;
    }
}
