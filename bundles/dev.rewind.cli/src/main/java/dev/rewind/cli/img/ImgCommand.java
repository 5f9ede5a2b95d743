package dev.rewind.cli.img;

import dev.rewind.cli.CliException;
import dev.rewind.cli.Command;
import dev.rewind.cli.Console;
import dev.rewind.qcow2.Qcow2Exception;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;

/**
 * {@code rewind img}: qemu-img's everyday verbs on qcow2 images, with the same output
 * shapes and exit codes, plus the ICOUNT of each snapshot.
 */
public final class ImgCommand implements Command {

    private final List<ImgVerb> verbs = List.of(new CreateVerb(), new InfoVerb(), new CheckVerb(), new SnapshotVerb(),
            new ConvertVerb(), new CompareVerb(), new BenchVerb());

    @Override
    public String name() {
        return "img";
    }

    @Override
    public String summary() {
        return "create, inspect, check, snapshot and convert qcow2 images (like qemu-img)";
    }

    @Override
    public String usage() {
        StringBuilder b = new StringBuilder("rewind img <verb> ...\n");
        for (ImgVerb v : verbs) {
            b.append("  rewind img ").append(v.usage()).append('\n');
        }
        return b.toString().stripTrailing();
    }

    @Override
    public int run(String[] args, Console console) throws Exception {
        if (args.length == 0) {
            throw new CliException("missing verb; one of: " + String.join(", ", verbs.stream().map(ImgVerb::name).toList()));
        }
        ImgVerb verb = verbs.stream().filter(v -> v.name().equals(args[0])).findFirst().orElseThrow(
                () -> new CliException("unknown verb '" + args[0] + "'; 'rewind img --help' lists them"));
        List<String> rest = Arrays.asList(Arrays.copyOfRange(args, 1, args.length));
        if (rest.size() == 1 && (rest.get(0).equals("--help") || rest.get(0).equals("-h"))) {
            console.out().println("usage: rewind img " + verb.usage());
            return 0;
        }
        try {
            return verb.run(rest, console);
        } catch (NoSuchFileException e) {
            console.err().println("rewind img: could not open '" + e.getFile() + "': no such file");
            return verb instanceof CompareVerb ? 2 : 1;
        } catch (Qcow2Exception e) {
            console.err().println("rewind img: " + e.getMessage());
            return verb instanceof CompareVerb ? 2 : 1;
        } catch (IOException e) {
            console.err().println("rewind img: " + e);
            return verb instanceof CompareVerb ? 2 : 1;
        }
    }
}
