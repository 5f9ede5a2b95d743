package dev.rewind.cli.img;

import dev.rewind.cli.CliException;
import dev.rewind.cli.Console;
import dev.rewind.qcow2.Qcow2Header;
import dev.rewind.qcow2.Qcow2Image;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** {@code info FILE}: what qemu-img info prints, for qcow2 and raw files. */
final class InfoVerb implements ImgVerb {

    @Override
    public String name() {
        return "info";
    }

    @Override
    public String usage() {
        return "info FILE";
    }

    @Override
    public int run(List<String> args, Console console) throws Exception {
        if (args.size() != 1) {
            throw new CliException("usage: rewind img " + usage());
        }
        Path p = Path.of(args.get(0));
        if (!Files.exists(p)) {
            throw new NoSuchFileException(p.toString());
        }
        PrintStream out = console.out();
        out.println("image: " + p);
        if (Qcow2Image.probeFormat(p).equals("raw")) {
            long size = Files.size(p);
            out.println("file format: raw");
            out.println("virtual size: " + HumanSize.format(size) + " (" + size + " bytes)");
            out.println("disk size: " + HumanSize.format(size));
            return 0;
        }
        try (Qcow2Image img = Qcow2Image.openReadOnly(p)) {
            Qcow2Header h = img.header();
            out.println("file format: qcow2");
            out.println("virtual size: " + HumanSize.format(img.size()) + " (" + img.size() + " bytes)");
            out.println("disk size: " + HumanSize.format(img.fileLength()));
            out.println("cluster_size: " + img.clusterSize());
            if (h.backingFile() != null) {
                out.println("backing file: " + h.backingFile());
                if (h.backingFormat() != null) {
                    out.println("backing file format: " + h.backingFormat());
                }
            }
            if (!img.snapshots().isEmpty()) {
                SnapshotListing.print(img.snapshots(), out);
            }
            out.println("Format specific information:");
            out.println("    compat: " + (h.version() >= 3 ? "1.1" : "0.10"));
            out.println("    compression type: " + (h.compressionType() == 0 ? "zlib" : "zstd"));
            if (h.version() >= 3) {
                out.println("    lazy refcounts: " + ((h.compatibleFeatures() & Qcow2Header.COMPAT_LAZY_REFCOUNTS) != 0));
            }
            out.println("    refcount bits: " + (1 << h.refcountOrder()));
            if (h.version() >= 3) {
                out.println("    corrupt: " + img.isCorrupt());
                out.println("    extended l2: false");
            }
        }
        return 0;
    }
}
