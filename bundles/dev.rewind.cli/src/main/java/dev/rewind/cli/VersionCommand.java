package dev.rewind.cli;

/** {@code rewind version}: what build the user runs, for bug reports. */
final class VersionCommand implements Command {

    @Override
    public String name() {
        return "version";
    }

    @Override
    public String summary() {
        return "print the Rewind version and the Java runtime";
    }

    @Override
    public String usage() {
        return "rewind version";
    }

    @Override
    public int run(String[] args, Console console) throws CliException {
        if (args.length > 0) {
            throw new CliException("version takes no arguments (got '" + args[0] + "')");
        }
        console.out().println("rewind " + Main.version() + " (Java " + Runtime.version() + ")");
        return 0;
    }
}
