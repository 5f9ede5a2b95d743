package dev.rewind.debug.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds guest programs built from guests/ (building them with make if needed). */
final class Guests {

    private Guests() {
    }

    static Path root() {
        return dev.rewind.replay.GuestPrograms.root();
    }

    static Path elf(String name) throws IOException, InterruptedException {
        return dev.rewind.replay.GuestPrograms.elf(name);
    }

    static Path source(String file) {
        return root().resolve("guests/src/" + file);
    }
}
