package dev.rewind.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.rewind.emulator.VirtMachine;
import dev.rewind.replay.Timeline;
import dev.rewind.replay.log.EventKind;
import dev.rewind.replay.log.ReplayEvent;
import dev.rewind.replay.log.ReplayLog;
import dev.rewind.replay.log.ReplayLogException;
import dev.rewind.replay.log.ReplayLogHeader;

/** {@code rewind info}: what a recording holds, and whether it is intact. */
final class InfoCommand implements Command {

    @Override
    public String name() {
        return "info";
    }

    @Override
    public String summary() {
        return "describe a recording: program, machine, events, snapshots, damage";
    }

    @Override
    public String usage() {
        return "rewind info RUN.rrlog";
    }

    @Override
    public int run(String[] argv, Console console) throws Exception {
        Args a = new Args(argv, Set.of(), Set.of());
        Path file = Path.of(a.onlyPositional("recording (a .rrlog file)"));
        ReplayLog log;
        try {
            log = ReplayLog.read(file);
        } catch (ReplayLogException e) {
            throw new CliException(e.getMessage());
        }
        ReplayLogHeader h = log.header();
        var out = console.out();
        out.println("recording:      " + file + " (" + log.sizeBytes() + " bytes)");
        out.println("program:        " + h.programPath());
        out.println("program sha256: " + h.programSha256Hex());
        if (!h.bootFiles().isEmpty()) {
            out.println("boot files:");
            if (h.bootFiles().stream().noneMatch(b -> b.role().equals("bios"))) {
                out.println("  bios    none");
            }
            for (ReplayLogHeader.BootFile b : h.bootFiles()) {
                out.printf("  %-7s %s (sha256 %s)%n", b.role(), b.path(), b.sha256Hex());
            }
            if (h.append() != null) {
                out.println("  append  " + h.append());
            }
        }
        // The ISA is part of the configuration digest a replay checks, so this build's is the recording's.
        out.println("machine:        virt, " + VirtMachine.ISA + ", " + h.harts() + (h.harts() == 1 ? " hart, " : " harts, ") + (h.ramSize() >> 20) + " MiB RAM, icount shift " + h.icountShift()
                + ", sleep=" + (h.sleep() ? "on" : "off") + (h.rtc() == null ? "" : ", rtc " + h.rtc()));
        out.println("disk:           " + (h.diskPath() == null ? "none" : h.diskPath()));
        out.println("start:          " + (h.startSnapshot() == null ? "reset" : "snapshot '" + h.startSnapshot() + "' in " + h.snapshotImagePath()));
        out.println("written by:     " + h.writerVersion());
        Map<EventKind, Integer> counts = new EnumMap<>(EventKind.class);
        ReplayEvent exit = null;
        for (ReplayEvent e : log.events()) {
            counts.merge(e.kind(), 1, Integer::sum);
            if (e.kind() == EventKind.EXIT) {
                exit = e;
            }
        }
        out.println("instructions:   " + log.endIcount());
        if (exit != null) {
            out.println("guest exit:     code " + exit.value() + " at icount " + exit.icount());
        }
        StringBuilder ev = new StringBuilder();
        counts.forEach((k, n) -> ev.append(ev.length() == 0 ? "" : ", ").append(k.name().toLowerCase()).append(' ').append(n));
        out.println("events:         " + log.events().size() + (ev.length() > 0 ? " (" + ev + ")" : ""));
        out.println("state:          " + (log.damage() == null ? "complete" : "DAMAGED: " + log.damage()));
        if (h.snapshotImagePath() != null) {
            printSnapshots(console, file, h);
        }
        return log.damage() == null ? 0 : 3;
    }

    private static void printSnapshots(Console console, Path file, ReplayLogHeader h) {
        Path image = Timeline.resolve(file, h.snapshotImagePath());
        List<Timeline.SavedSnapshot> saved;
        try {
            saved = Timeline.savedSnapshots(file, h);
        } catch (IOException e) {
            console.out().println("snapshots:      " + e.getMessage());
            return;
        }
        console.out().println("snapshots:      in " + image);
        for (Timeline.SavedSnapshot s : saved) {
            console.out().printf("  %-20s icount %-14s vmstate %,d bytes%n", s.name(),
                    s.icount() >= 0 ? Long.toString(s.icount()) : "-", s.vmStateSize());
        }
    }
}
