package dev.rewind.cli.img;

import dev.rewind.cli.CliException;
import dev.rewind.cli.Console;
import dev.rewind.qcow2.ImageConverter;
import dev.rewind.qcow2.Qcow2Image;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code convert [-p] -O raw|qcow2 [-o opts] IN OUT}. A progress line goes to stderr with
 * {@code -p}, and by itself once a conversion has taken more than two seconds.
 */
final class ConvertVerb implements ImgVerb {

    private static final long AUTO_PROGRESS_NS = 2_000_000_000L;

    @Override
    public String name() {
        return "convert";
    }

    @Override
    public String usage() {
        return "convert [-p] [-f FMT] -O raw|qcow2 [-o cluster_size=N,compat=0.10|1.1] IN OUT";
    }

    @Override
    public int run(List<String> args, Console console) throws Exception {
        String outFmt = null;
        boolean progress = false;
        Qcow2Image.CreateOptions opts = Qcow2Image.CreateOptions.defaults();
        List<String> pos = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-O" -> outFmt = CreateVerb.value(args, ++i, a);
                case "-o" -> opts = QcowOptions.apply(opts, CreateVerb.value(args, ++i, a));
                case "-f" -> CreateVerb.value(args, ++i, a); // the format is probed either way
                case "-p" -> progress = true;
                default -> {
                    if (a.startsWith("-")) {
                        throw new CliException("unknown option '" + a + "'");
                    }
                    pos.add(a);
                }
            }
        }
        if (pos.size() != 2) {
            throw new CliException("usage: rewind img " + usage());
        }
        if (outFmt == null) {
            outFmt = "raw";
        }
        if (!outFmt.equals("raw") && !outFmt.equals("qcow2")) {
            throw new CliException("output format must be raw or qcow2 (got '" + outFmt + "')");
        }
        Path in = Path.of(pos.get(0));
        Path out = Path.of(pos.get(1));
        if (!Files.exists(in)) {
            throw new NoSuchFileException(in.toString());
        }
        if (Files.exists(out) && Files.isSameFile(in, out)) {
            // the output is created empty first: this would destroy the input
            throw new CliException(out + " is the input image; give another output file");
        }
        ProgressLine line = new ProgressLine(console.err(), progress);
        if (outFmt.equals("raw")) {
            ImageConverter.toRaw(in, out, line);
        } else {
            ImageConverter.toQcow2(in, out, opts, line);
        }
        line.finish();
        return 0;
    }

    /** qemu-img's "    (42.00/100%)" line, rewritten in place. */
    private static final class ProgressLine implements ImageConverter.Progress {
        private final PrintStream err;
        private final boolean always;
        private final long start = System.nanoTime();
        private int lastHundredths = -1;
        private boolean shown;

        ProgressLine(PrintStream err, boolean always) {
            this.err = err;
            this.always = always;
        }

        @Override
        public void update(long done, long total) {
            if (!always && System.nanoTime() - start < AUTO_PROGRESS_NS) {
                return;
            }
            int h = total == 0 ? 10000 : (int) (done * 10000 / total);
            if (h / 100 != lastHundredths / 100 || h == 10000 && lastHundredths != 10000) {
                lastHundredths = h;
                shown = true;
                err.print(String.format(Locale.ROOT, "    (%.2f/100%%)\r", h / 100.0));
                err.flush();
            }
        }

        void finish() {
            if (always && !shown) {
                update(1, 1);
            }
            if (shown) {
                err.println();
            }
        }
    }
}
