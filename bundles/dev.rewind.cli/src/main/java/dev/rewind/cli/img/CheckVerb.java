package dev.rewind.cli.img;

import dev.rewind.cli.CliException;
import dev.rewind.cli.Console;
import dev.rewind.qcow2.ImageCheck;
import dev.rewind.qcow2.Qcow2Exception;
import dev.rewind.qcow2.Qcow2Image;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code check [-r leaks|all] FILE}: exit 0 clean, 1 check not completed, 2 corruptions,
 * 3 leaks only, 63 not a qcow2 image (qemu-img's codes).
 */
final class CheckVerb implements ImgVerb {

    @Override
    public String name() {
        return "check";
    }

    @Override
    public String usage() {
        return "check [-r leaks|all] FILE";
    }

    @Override
    public int run(List<String> args, Console console) throws Exception {
        ImageCheck.Repair repair = ImageCheck.Repair.NONE;
        String file = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-r")) {
                String v = CreateVerb.value(args, ++i, a);
                repair = switch (v) {
                    case "leaks" -> ImageCheck.Repair.LEAKS;
                    case "all" -> ImageCheck.Repair.ALL;
                    default -> throw new CliException("-r takes 'leaks' or 'all' (got '" + v + "')");
                };
            } else if (a.startsWith("-")) {
                throw new CliException("unknown option '" + a + "'");
            } else if (file == null) {
                file = a;
            } else {
                throw new CliException("usage: rewind img " + usage());
            }
        }
        if (file == null) {
            throw new CliException("usage: rewind img " + usage());
        }
        Path p = Path.of(file);
        if (!Files.exists(p)) {
            throw new NoSuchFileException(file);
        }
        PrintStream out = console.out();
        if (!Qcow2Image.probeFormat(p).equals("qcow2")) {
            console.err().println("rewind img: This image format does not support checks");
            return 63;
        }
        Qcow2Image img;
        try {
            img = Qcow2Image.open(p, repair == ImageCheck.Repair.NONE ? Qcow2Image.Mode.CHECK : Qcow2Image.Mode.REPAIR);
        } catch (Qcow2Exception e) {
            console.err().println("rewind img: could not open '" + file + "': " + e.getMessage());
            return 1;
        }
        try (img) {
            ImageCheck.Result r = new ImageCheck(img).run(repair, console.err());
            if (r.corruptionsFixed() > 0 || r.leaksFixed() > 0) {
                out.println("The following inconsistencies were found and repaired:");
                out.println();
                out.println("    " + r.leaksFixed() + " leaked clusters");
                out.println("    " + r.corruptionsFixed() + " corruptions");
                out.println();
                out.println("Double checking the fixed image now...");
                r = new ImageCheck(img).run(ImageCheck.Repair.NONE, console.err());
            }
            report(r, out);
            return r.exitCode();
        }
    }

    static void report(ImageCheck.Result r, PrintStream out) {
        if (r.clean()) {
            out.println("No errors were found on the image.");
        } else {
            if (r.corruptions() > 0) {
                out.println();
                out.println(r.corruptions() + " errors were found on the image.");
                out.println("Data may be corrupted, or further writes to the image may corrupt it.");
            }
            if (r.leaks() > 0) {
                out.println();
                out.println(r.leaks() + " leaked clusters were found on the image.");
                out.println("This means waste of disk space, but no harm to data.");
            }
            if (r.checkErrors() > 0) {
                out.println();
                out.println(r.checkErrors() + " internal errors have occurred during the check.");
            }
        }
        if (r.totalClusters() > 0 && r.allocatedClusters() > 0) {
            out.println(String.format(Locale.ROOT, "%d/%d = %.2f%% allocated, %.2f%% fragmented, %.2f%% compressed clusters",
                    r.allocatedClusters(), r.totalClusters(), 100.0 * r.allocatedClusters() / r.totalClusters(),
                    100.0 * r.fragmentedClusters() / r.allocatedClusters(),
                    100.0 * r.compressedClusters() / r.allocatedClusters()));
        }
        if (r.imageEndOffset() > 0) {
            out.println("Image end offset: " + r.imageEndOffset());
        }
    }
}
