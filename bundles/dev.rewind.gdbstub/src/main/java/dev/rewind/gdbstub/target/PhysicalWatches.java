package dev.rewind.gdbstub.target;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.rewind.emulator.WatchHit;
import dev.rewind.emulator.WatchKind;
import dev.rewind.gdbstub.MonitorCommands;
import dev.rewind.gdbstub.TargetException;
import dev.rewind.replay.Timeline;

/**
 * Watchpoints on physical addresses, which gdb has no packet for: {@code monitor pwatch ADDR
 * [LEN] [w|r|a]} sets one (e.g. on a device register: it stops on the instruction whose load or
 * store reaches the device, whatever virtual address the program used), {@code pwatch -d ...}
 * deletes one, {@code pwatch} lists them; {@code translate VA} shows where a virtual address
 * lands now. gdb does not know these watchpoints: a stop on one is reported as SIGTRAP with the
 * access on the console, at the accessing instruction in both directions.
 */
final class PhysicalWatches implements MonitorCommands {

    record Watch(long address, long length, WatchKind kind) {
        String describe() {
            return String.format(Locale.ROOT, "0x%x, %d byte%s, %s", address, length, length == 1 ? "" : "s",
                    kind.name().toLowerCase(Locale.ROOT));
        }
    }

    private final Timeline timeline;
    private final MonitorCommands next;
    private final List<Watch> watches = new ArrayList<>();

    PhysicalWatches(Timeline timeline, MonitorCommands next) {
        this.timeline = timeline;
        this.next = next;
    }

    @Override
    public String execute(String commandLine) throws TargetException {
        String[] w = commandLine.trim().split("\\s+");
        switch (w[0].toLowerCase(Locale.ROOT)) {
            case "pwatch":
                if (w.length == 1) {
                    return list();
                }
                boolean delete = w[1].equals("-d");
                if (delete && w.length == 3 && w[2].equals("all")) {
                    for (Watch x : List.copyOf(watches)) {
                        remove(x);
                    }
                    return "deleted all physical watchpoints\n";
                }
                Watch x = parse(w, delete ? 2 : 1);
                if (delete) {
                    if (!remove(x)) {
                        throw new TargetException(TargetException.EINVAL, "no physical watchpoint " + x.describe());
                    }
                    return "deleted physical watchpoint " + x.describe() + "\n";
                }
                if (!watches.contains(x)) {
                    watches.add(x);
                    timeline.stops().addWatchpoint(x.address, x.length, x.kind, WatchHit.PHYSICAL);
                }
                return "physical watchpoint " + x.describe() + "\n";
            case "translate":
                if (w.length != 2) {
                    throw new TargetException(TargetException.EINVAL, "usage: translate VIRTUAL-ADDRESS");
                }
                long va = number(w[1]);
                long pa = timeline.machine().debugView().translate(va);
                int p = timeline.machine().privilege();
                return pa == -1 ? String.format(Locale.ROOT, "0x%x is not mapped for loads in %s-mode now%n", va, mode(p))
                        : String.format(Locale.ROOT, "0x%x -> physical 0x%x (%s-mode, satp 0x%x)%n", va, pa, mode(p),
                                timeline.machine().csr(0x180).orElse(0));
            case "help":
                return "pwatch ADDR [LEN] [w|r|a]  watch physical addresses (device registers too); stops at the access\n"
                        + "pwatch -d ADDR [LEN] [w|r|a] | pwatch -d all   delete\n"
                        + "pwatch                   list the physical watchpoints\n"
                        + "translate VA             the physical address VA maps to now\n" + next.execute(commandLine);
            default:
                return next.execute(commandLine);
        }
    }

    /** The watchpoint a stop hit, described for gdb's console. */
    String describeHit(WatchHit hit) {
        return String.format(Locale.ROOT, "[rewind] physical watchpoint: %s of %d byte%s at physical 0x%x by pc 0x%x (icount %d)%n",
                hit.write() ? "write" : "read", hit.size(), hit.size() == 1 ? "" : "s", hit.address(), hit.pc(),
                hit.icount() - 1);
    }

    private boolean remove(Watch x) {
        if (!watches.remove(x)) {
            return false;
        }
        timeline.stops().removeWatchpoint(x.address, x.length, x.kind, WatchHit.PHYSICAL);
        return true;
    }

    private String list() {
        if (watches.isEmpty()) {
            return "There are no physical watchpoints.\n";
        }
        StringBuilder sb = new StringBuilder();
        for (Watch x : watches) {
            sb.append(x.describe()).append('\n');
        }
        return sb.toString();
    }

    private static Watch parse(String[] w, int at) throws TargetException {
        if (w.length <= at || w.length > at + 3) {
            throw new TargetException(TargetException.EINVAL, "usage: pwatch [-d] ADDR [LEN] [w|r|a]");
        }
        long address = number(w[at]);
        long length = 1;
        WatchKind kind = WatchKind.WRITE;
        for (int i = at + 1; i < w.length; i++) {
            switch (w[i]) {
                case "w" -> kind = WatchKind.WRITE;
                case "r" -> kind = WatchKind.READ;
                case "a" -> kind = WatchKind.ACCESS;
                default -> length = number(w[i]);
            }
        }
        if (length <= 0 || length > 4096) {
            throw new TargetException(TargetException.EINVAL, "pwatch: length must be 1..4096 bytes, not " + length);
        }
        return new Watch(address, length, kind);
    }

    private static long number(String s) throws TargetException {
        try {
            return s.startsWith("0x") || s.startsWith("0X") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new TargetException(TargetException.EINVAL, "not a number: '" + s + "'");
        }
    }

    private static String mode(int p) {
        return dev.rewind.emulator.TrapCause.privilegeName(p);
    }

}
