package dev.rewind.cli;

import java.util.List;
import java.util.Optional;

/** Every verb the {@code rewind} launcher knows, in the order {@code --help} lists them. */
public final class CommandCatalog {

    private final List<Command> commands;

    public CommandCatalog(List<Command> commands) {
        this.commands = List.copyOf(commands);
    }

    /** The shipped verbs. Add a new command here. */
    public static CommandCatalog standard() {
        return new CommandCatalog(List.of(
                new DemoCommand(),
                new RunCommand(),
                new BenchCommand(),
                new RecordCommand(),
                new ReplayCommand(),
                new InfoCommand(),
                new GdbServerCommand(),
                new QueryCommand(),
                new CoverageCommand(),
                new PackCommand(),
                new dev.rewind.cli.img.ImgCommand(),
                new VersionCommand()));
    }

    public List<Command> commands() {
        return commands;
    }

    public Optional<Command> find(String name) {
        return commands.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
