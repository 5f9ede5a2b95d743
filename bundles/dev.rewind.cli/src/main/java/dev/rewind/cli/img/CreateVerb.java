package dev.rewind.cli.img;

import dev.rewind.cli.CliException;
import dev.rewind.cli.Console;
import dev.rewind.qcow2.DiskImage;
import dev.rewind.qcow2.Qcow2Image;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** {@code create [-f qcow2|raw] [-o cluster_size=,compat=] [-b BACKING [-F FMT]] FILE [SIZE]}. */
final class CreateVerb implements ImgVerb {

    @Override
    public String name() {
        return "create";
    }

    @Override
    public String usage() {
        return "create [-q] [-f qcow2|raw] [-o cluster_size=N,compat=0.10|1.1] [-b BACKING [-F FMT]] FILE [SIZE]";
    }

    @Override
    public int run(List<String> args, Console console) throws Exception {
        String fmt = "qcow2";
        String backing = null;
        String backingFmt = null;
        boolean quiet = false;
        String compat = null;
        Qcow2Image.CreateOptions opts = Qcow2Image.CreateOptions.defaults();
        List<String> pos = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-f" -> fmt = value(args, ++i, a);
                case "-o" -> {
                    String spec = value(args, ++i, a);
                    opts = QcowOptions.apply(opts, spec);
                    if (spec.contains("compat=")) {
                        compat = opts.version() == 2 ? "0.10" : "1.1";
                    }
                }
                case "-b" -> backing = value(args, ++i, a);
                case "-F" -> backingFmt = value(args, ++i, a);
                case "-q" -> quiet = true;
                default -> {
                    if (a.startsWith("-") && a.length() > 1) {
                        throw new CliException("unknown option '" + a + "'");
                    }
                    pos.add(a);
                }
            }
        }
        if (pos.isEmpty() || pos.size() > 2) {
            throw new CliException("usage: rewind img " + usage());
        }
        Path file = Path.of(pos.get(0));
        long size = -1;
        if (pos.size() == 2) {
            size = HumanSize.parse(pos.get(1));
        }
        switch (fmt) {
            case "raw" -> {
                if (size < 0 || backing != null) {
                    throw new CliException("raw images need a size and cannot have a backing file");
                }
                if (!quiet) {
                    console.out().println("Formatting '" + file + "', fmt=raw size=" + size);
                }
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    if (size > 0) {
                        ch.write(java.nio.ByteBuffer.allocate(1), size - 1);
                    }
                }
                return 0;
            }
            case "qcow2" -> { }
            default -> throw new CliException("unsupported format '" + fmt + "' (qcow2 or raw)");
        }
        if (backing != null) {
            Path bp = Path.of(backing);
            Path resolved = bp.isAbsolute() || file.toAbsolutePath().getParent() == null ? bp
                    : file.toAbsolutePath().getParent().resolve(bp);
            if (backingFmt == null) {
                backingFmt = Qcow2Image.probeFormat(resolved);
            }
            if (size < 0) {
                try (DiskImage b = Qcow2Image.openAny(resolved)) {
                    size = b.size();
                }
            }
            opts = opts.withBacking(backing, backingFmt);
        }
        if (size < 0) {
            throw new CliException("missing SIZE (needed without a backing file)");
        }
        if (!quiet) {
            StringBuilder line = new StringBuilder("Formatting '" + file + "', fmt=qcow2 cluster_size="
                    + opts.clusterSize() + " extended_l2=off compression_type=zlib size=" + size);
            if (backing != null) {
                line.append(" backing_file=").append(backing).append(" backing_fmt=").append(backingFmt);
            }
            if (compat != null) {
                line.append(" compat=").append(compat);
            }
            line.append(" lazy_refcounts=off refcount_bits=16");
            console.out().println(line);
        }
        Qcow2Image.create(file, size, opts).close();
        return 0;
    }

    static String value(List<String> args, int i, String option) throws CliException {
        if (i >= args.size()) {
            throw new CliException("option " + option + " needs a value");
        }
        return args.get(i);
    }
}
