package dev.rewind.cli;

import java.util.Arrays;
import java.util.Optional;

/** Entry point of the {@code rewind} launcher: dispatches to a {@link Command}. */
public final class Main {

    public static final int EXIT_USAGE = 2;

    private final CommandCatalog catalog;

    public Main(CommandCatalog catalog) {
        this.catalog = catalog;
    }

    public static void main(String[] args) {
        int code = new Main(CommandCatalog.standard()).run(args, Console.system());
        System.out.flush();
        System.err.flush();
        // Not System.exit: since Java 21 it first asks the JDK's System.Logger whether to log the
        // exit, which sets up the logging back end (a service look-up on the class path, ~20 JDK
        // classes outside the class-data cache): ~40 ms of CPU in a 0.3 s command. Halting skips
        // only shutdown hooks, and none is left by now (RecordCommand removes its Ctrl-C hook).
        Runtime.getRuntime().halt(code);
    }

    /** Runs one command line; never throws: problems become a message and an exit code. */
    public int run(String[] args, Console console) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            printHelp(console);
            return args.length == 0 ? EXIT_USAGE : 0;
        }
        Optional<Command> command = catalog.find(args[0]);
        if (command.isEmpty()) {
            console.err().println("rewind: unknown command '" + args[0] + "'; 'rewind --help' lists the commands");
            return EXIT_USAGE;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (rest.length == 1 && (rest[0].equals("--help") || rest[0].equals("-h"))) {
            console.out().println("usage: " + command.get().usage());
            return 0;
        }
        try {
            return command.get().run(rest, console);
        } catch (CliException e) {
            console.err().println("rewind " + args[0] + ": " + e.getMessage());
            return EXIT_USAGE;
        } catch (Exception | StackOverflowError | OutOfMemoryError e) {
            // A bug, not bad input: still one readable line, with the type to report it by.
            console.err().println("rewind " + args[0] + ": internal error: " + e);
            return 1;
        }
    }

    private void printHelp(Console console) {
        console.out().println("rewind " + version() + " - record, replay and reverse-debug RISC-V programs");
        console.out().println();
        console.out().println("usage: rewind <command> [options]   (rewind <command> --help for details)");
        console.out().println();
        console.out().println("commands:");
        for (Command c : catalog.commands()) {
            console.out().printf("  %-10s %s%n", c.name(), c.summary());
        }
        // Served by the ./rewind script itself: the IDE is an Eclipse product, not part of this jar.
        console.out().printf("  %-10s %s%n", "ide", "start the Rewind IDE (Eclipse) on a sample workspace; ./rewind ide --help");
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-dev";
    }
}
