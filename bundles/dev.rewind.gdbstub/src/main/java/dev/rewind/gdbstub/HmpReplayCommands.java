package dev.rewind.gdbstub;

import java.util.Locale;

/**
 * The replay commands of QEMU's human monitor, so gdb scripts written for QEMU record/replay
 * keep working through {@code monitor ...}:
 * <ul>
 *   <li>{@code info replay} — same output format as QEMU, e.g.
 *       {@code Replaying execution 'run.rrlog': instruction count = 42};
 *   <li>{@code replay_break N}, {@code replay_delete_break}, {@code replay_seek N} (N decimal, or
 *       hex with 0x);
 *   <li>{@code info snapshots}, {@code help}.
 * </ul>
 * Commands this class does not know go to an optional fallback handler.
 */
public final class HmpReplayCommands implements MonitorCommands {

    private final ReplayControl replay;
    private final MonitorCommands fallback;

    public HmpReplayCommands(ReplayControl replay) {
        this(replay, null);
    }

    /** @param fallback handles other commands; null to reject them */
    public HmpReplayCommands(ReplayControl replay, MonitorCommands fallback) {
        if (replay == null) {
            throw new IllegalArgumentException("replay control is required");
        }
        this.replay = replay;
        this.fallback = fallback;
    }

    @Override
    public String execute(String commandLine) throws TargetException {
        String[] words = commandLine.trim().split("\\s+");
        String verb = words[0].toLowerCase(Locale.ROOT);
        switch (verb) {
            case "info":
                if (words.length == 2 && words[1].equals("replay")) {
                    return infoReplay();
                }
                if (words.length == 2 && words[1].equals("snapshots")) {
                    return infoSnapshots();
                }
                break;
            case "replay_break":
                requirePlayMode(verb);
                replay.setReplayBreak(icountArgument(verb, words));
                return "";
            case "replay_delete_break":
                requirePlayMode(verb);
                noArguments(verb, words);
                replay.deleteReplayBreak();
                return "";
            case "replay_seek":
                requirePlayMode(verb);
                replay.seek(icountArgument(verb, words));
                return "";
            case "help":
                return "info replay              show the record/replay mode, file and instruction count\n"
                        + "info snapshots           list the snapshots available for seeking\n"
                        + "replay_break N           stop the next forward run at instruction count N\n"
                        + "replay_delete_break      remove the replay_break stop\n"
                        + "replay_seek N            go to instruction count N\n"
                        + (fallback != null ? fallback.execute("help") : "");
            default:
                break;
        }
        if (fallback != null) {
            return fallback.execute(commandLine);
        }
        throw new TargetException(TargetException.EINVAL, "unknown command: '" + commandLine.trim() + "' (try 'monitor help')");
    }

    private String infoReplay() {
        if (!replay.isReplaying() && !replay.isRecording()) {
            return "Record/replay is not active\n";
        }
        return String.format(Locale.ROOT, "%s execution '%s': instruction count = %d%n",
                replay.isRecording() ? "Recording" : "Replaying", replay.recordingName(), replay.icount());
    }

    private String infoSnapshots() {
        if (replay.snapshots().isEmpty()) {
            return "There is no snapshot available.\n";
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-8s %-24s %16s%n", "ID", "TAG", "ICOUNT"));
        for (ReplayControl.Snapshot s : replay.snapshots()) {
            sb.append(String.format(Locale.ROOT, "%-8s %-24s %16d%n", s.id(), s.tag(), s.icount()));
        }
        String memory = replay.snapshotMemory();
        if (memory != null) {
            sb.append(memory).append('\n');
        }
        return sb.toString();
    }

    private void requirePlayMode(String verb) throws TargetException {
        if (!replay.isReplaying()) {
            throw new TargetException(TargetException.EPERM, verb + ": only available while replaying a recording");
        }
    }

    private static void noArguments(String verb, String[] words) throws TargetException {
        if (words.length != 1) {
            throw new TargetException(TargetException.EINVAL, verb + " takes no arguments");
        }
    }

    private static long icountArgument(String verb, String[] words) throws TargetException {
        if (words.length != 2) {
            throw new TargetException(TargetException.EINVAL, "usage: " + verb + " ICOUNT");
        }
        String n = words[1];
        try {
            long v = n.startsWith("0x") || n.startsWith("0X") ? Long.parseUnsignedLong(n.substring(2), 16) : Long.parseLong(n);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new TargetException(TargetException.EINVAL, verb + ": '" + n + "' is not an instruction count");
        }
    }
}
