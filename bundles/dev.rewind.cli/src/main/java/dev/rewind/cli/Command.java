package dev.rewind.cli;

/**
 * One verb of the {@code rewind} command line ({@code run}, {@code img}, {@code bench} ...).
 * Implementations report wrong usage or bad input by throwing {@link CliException};
 * {@link Main} turns it into one line on stderr and exit code 2.
 */
public interface Command {

    /** The verb typed after {@code rewind}. */
    String name();

    /** One line for {@code rewind --help}. */
    String summary();

    /** Full usage text for {@code rewind <verb> --help}. */
    String usage();

    /** Runs the verb; returns the process exit code. */
    int run(String[] args, Console console) throws Exception;
}
