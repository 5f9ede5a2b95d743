package dev.rewind.cli.img;

import dev.rewind.cli.CliException;
import dev.rewind.cli.Console;
import java.nio.file.Path;
import java.util.List;

/** {@code bench [--size SIZE] [--dir DIR]}: qcow2 I/O and convert throughput against qemu-img. */
final class BenchVerb implements ImgVerb {

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String usage() {
        return "bench [--size SIZE] [--dir DIR]   (default 1G in the system temp directory)";
    }

    @Override
    public int run(List<String> args, Console console) throws Exception {
        long size = 1L << 30;
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--size" -> size = HumanSize.parse(CreateVerb.value(args, ++i, "--size"));
                case "--dir" -> dir = Path.of(CreateVerb.value(args, ++i, "--dir"));
                default -> throw new CliException("usage: rewind img " + usage());
            }
        }
        new Qcow2Bench(size, dir, console.out()).run();
        return 0;
    }
}
