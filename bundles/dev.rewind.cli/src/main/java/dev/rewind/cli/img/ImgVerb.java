package dev.rewind.cli.img;

import dev.rewind.cli.Console;
import java.util.List;

/** One sub-command of {@code rewind img} ({@code create}, {@code check}, ...). */
interface ImgVerb {

    String name();

    /** Usage line without the leading {@code rewind img}. */
    String usage();

    /** Runs with the arguments after the verb; returns qemu-img's exit code for the situation. */
    int run(List<String> args, Console console) throws Exception;
}
