package dev.rewind.gdbstub.target;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;

import dev.rewind.gdbstub.MonitorCommands;
import dev.rewind.gdbstub.TargetException;
import dev.rewind.replay.Bookmarks;
import dev.rewind.replay.Timeline;

/**
 * Rewind's bookmark commands for gdb's {@code monitor}: {@code bookmark NAME} (here),
 * {@code bookmark -d NAME}, {@code goto NAME} and {@code bookmarks}. The bookmarks live beside
 * the recording ({@link Bookmarks}), so the Eclipse Timeline shows the same ones. Other commands,
 * and {@code goto} with an instruction count, go to {@code next}.
 */
final class BookmarkCommands implements MonitorCommands {

    private final Timeline timeline;
    private final MonitorCommands next;

    BookmarkCommands(Timeline timeline, MonitorCommands next) {
        this.timeline = timeline;
        this.next = next;
    }

    @Override
    public String execute(String commandLine) throws TargetException {
        String[] w = commandLine.trim().split("\\s+");
        String verb = w[0].toLowerCase(Locale.ROOT);
        try {
            switch (verb) {
                case "bookmark":
                    if (w.length == 3 && w[1].equals("-d")) {
                        if (!bookmarks().remove(w[2])) {
                            throw new TargetException(TargetException.EINVAL, "no bookmark '" + w[2] + "'");
                        }
                        return "deleted bookmark " + w[2] + "\n";
                    }
                    if (w.length != 2) {
                        throw new TargetException(TargetException.EINVAL, "usage: bookmark NAME | bookmark -d NAME");
                    }
                    bookmarks().set(w[1], timeline.icount());
                    return "bookmark " + w[1] + " at icount " + timeline.icount() + "\n";
                case "goto":
                    if (w.length == 2 && Character.isDigit(w[1].charAt(0))) {
                        return next.execute(commandLine); // an instruction count
                    }
                    if (w.length != 2) {
                        throw new TargetException(TargetException.EINVAL, "usage: goto NAME (see 'monitor bookmarks')");
                    }
                    long at = bookmarks().get(w[1]).orElseThrow(() -> new TargetException(TargetException.EINVAL,
                            "no bookmark '" + w[1] + "' (see 'monitor bookmarks')"));
                    timeline.seek(at);
                    return "at bookmark " + w[1] + ", icount " + timeline.icount() + "\n";
                case "bookmarks":
                    StringBuilder sb = new StringBuilder();
                    for (Map.Entry<String, Long> e : bookmarks().all().entrySet()) {
                        sb.append(String.format(Locale.ROOT, "%-24s %16d%n", e.getKey(), e.getValue()));
                    }
                    return sb.length() == 0 ? "There are no bookmarks.\n" : sb.toString();
                case "help":
                    return "bookmark NAME            name the current position (kept beside the recording)\n"
                            + "bookmark -d NAME         delete a bookmark\n"
                            + "goto NAME                go to a bookmark\n"
                            + "bookmarks                list the bookmarks\n" + next.execute(commandLine);
                default:
                    return next.execute(commandLine);
            }
        } catch (IOException e) {
            throw new TargetException(TargetException.EIO, "bookmarks: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new TargetException(TargetException.EINVAL, e.getMessage());
        }
    }

    private Bookmarks bookmarks() throws IOException {
        return timeline.bookmarks();
    }
}
