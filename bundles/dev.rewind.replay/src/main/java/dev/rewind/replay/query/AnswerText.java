package dev.rewind.replay.query;

import java.util.List;
import java.util.Optional;

/**
 * Query answers as the lines people read, the same in {@code rewind query} and in gdb's
 * {@code monitor} commands: one line per access, change or event, position first.
 */
public final class AnswerText {

    private AnswerText() {
    }

    public static String access(Access a) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("icount %-12d hart %d  pc 0x%08x  %s  %s", a.icount(), a.hart(), a.pc(),
                Access.privilegeName(a.privilege()), a.write() ? "write" : "read "));
        sb.append(String.format(" %d @ 0x%x", a.size(), a.address()));
        if (a.write()) {
            sb.append("  ").append(Access.hex(a.before())).append(" -> ").append(Access.hex(a.after()));
        } else {
            sb.append("  = ").append(Access.hex(a.after()));
        }
        if (a.where() != null) {
            sb.append("  ").append(a.where());
        }
        return sb.toString();
    }

    public static String single(String what, Target t, Optional<Access> a, long at) {
        return a.map(x -> what + " of " + t + " " + (what.startsWith("last") ? "before" : "from") + " icount " + at
                + ":\n  " + access(x) + "\n")
                .orElse("no " + what.replace("last ", "").replace("next ", "") + " of " + t + " "
                        + (what.startsWith("last") ? "before" : "from") + " icount " + at + "\n");
    }

    public static String accesses(String what, Target t, List<Access> list) {
        StringBuilder sb = new StringBuilder(list.size() + " " + what + " of " + t + ":\n");
        for (Access a : list) {
            sb.append("  ").append(access(a)).append('\n');
        }
        return sb.toString();
    }

    public static String history(QueryEngine.History h) {
        StringBuilder sb = new StringBuilder();
        sb.append("history of ").append(h.target()).append(" over [").append(h.from()).append(", ").append(h.to())
                .append("): ").append(h.changes().size()).append(" changes in ").append(h.writes()).append(" writes\n");
        sb.append(String.format("  icount %-12d initial value %s%n", h.from(), Access.hex(h.initial())));
        for (Access a : h.changes()) {
            sb.append("  ").append(access(a)).append('\n');
        }
        return sb.toString();
    }

    public static String change(String what, Register r, Optional<QueryEngine.RegisterChange> c, long at) {
        if (c.isEmpty()) {
            return "no change of " + r.name() + (what.startsWith("last") ? " before" : " from") + " icount " + at + "\n";
        }
        QueryEngine.RegisterChange x = c.get();
        return String.format("%s of %s of hart %d %s icount %d:%n  icount %-12d pc 0x%08x  %s  0x%x -> 0x%x%s%n", what,
                r.name(), x.hart(), what.startsWith("last") ? "before" : "from", at, x.icount(), x.pc(),
                Access.privilegeName(x.privilege()), x.before(), x.after(), x.where() == null ? "" : "  " + x.where());
    }

    public static String event(QueryEvent e) {
        StringBuilder sb = new StringBuilder(String.format("icount %-12d %-12s", e.icount(), e.kind().label()));
        if (e.hart() >= 0) {
            sb.append(" hart ").append(e.hart());
        }
        if (e.pc() >= 0) {
            sb.append(String.format(" pc 0x%08x", e.pc()));
        }
        if (e.fromPrivilege() >= 0) {
            sb.append("  ").append(Access.privilegeName(e.fromPrivilege())).append(" -> ")
                    .append(Access.privilegeName(e.toPrivilege()));
        }
        if (e.detail() != null && !e.detail().isEmpty()) {
            sb.append("  ").append(e.detail());
        }
        return sb.toString();
    }

    public static String events(List<QueryEvent> list) {
        StringBuilder sb = new StringBuilder(list.size() + " events:\n");
        for (QueryEvent e : list) {
            sb.append("  ").append(event(e)).append('\n');
        }
        return sb.toString();
    }
}
