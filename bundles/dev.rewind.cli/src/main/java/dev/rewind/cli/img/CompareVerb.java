package dev.rewind.cli.img;

import dev.rewind.cli.CliException;
import dev.rewind.cli.Console;
import dev.rewind.qcow2.DiskImage;
import dev.rewind.qcow2.ImageComparison;
import dev.rewind.qcow2.Qcow2Image;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code compare A B}: exit 0 identical, 1 different, 2 error (qemu-img's codes). */
final class CompareVerb implements ImgVerb {

    @Override
    public String name() {
        return "compare";
    }

    @Override
    public String usage() {
        return "compare [-q] A B";
    }

    @Override
    public int run(List<String> args, Console console) throws Exception {
        boolean quiet = false;
        List<String> pos = new ArrayList<>();
        for (String a : args) {
            if (a.equals("-q")) {
                quiet = true;
            } else if (a.startsWith("-")) {
                throw new CliException("unknown option '" + a + "'");
            } else {
                pos.add(a);
            }
        }
        if (pos.size() != 2) {
            throw new CliException("usage: rewind img " + usage());
        }
        for (String f : pos) {
            if (!Files.exists(Path.of(f))) {
                throw new NoSuchFileException(f);
            }
        }
        try (DiskImage a = Qcow2Image.openAny(Path.of(pos.get(0)));
                DiskImage b = Qcow2Image.openAny(Path.of(pos.get(1)))) {
            if (a.size() != b.size() && !quiet) {
                console.out().println("Warning: Image size mismatch!");
            }
            long diff = ImageComparison.firstDifference(a, b);
            if (diff == ImageComparison.IDENTICAL) {
                if (!quiet) {
                    console.out().println("Images are identical.");
                }
                return 0;
            }
            if (!quiet) {
                console.out().println("Content mismatch at offset " + diff + "!");
            }
            return 1;
        }
    }
}
