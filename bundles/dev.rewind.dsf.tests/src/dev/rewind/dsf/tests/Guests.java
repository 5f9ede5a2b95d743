package dev.rewind.dsf.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds guest programs built from guests/ (building them with make if needed). */
final class Guests {

    private Guests() {
    }

    static Path root() {
        String prop = System.getProperty("rewind.root");
        if (prop != null && Files.isDirectory(Path.of(prop, "guests"))) {
            return Path.of(prop);
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.isDirectory(p.resolve("guests")) && Files.isDirectory(p.resolve("bundles")))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository root (a folder with guests/ and bundles/)");
        }
        return p;
    }

    static synchronized Path elf(String name) throws IOException, InterruptedException {
        Path elf = root().resolve("guests/build/" + name + ".elf");
        if (!Files.exists(elf)) {
            Process make = new ProcessBuilder("make", "-s", "-C", root().resolve("guests").toString(), "build/" + name + ".elf")
                    .inheritIO().start();
            if (make.waitFor() != 0 || !Files.exists(elf)) {
                throw new IOException("could not build guest " + name + " (needs riscv64-unknown-elf-gcc)");
            }
        }
        return elf;
    }
}
