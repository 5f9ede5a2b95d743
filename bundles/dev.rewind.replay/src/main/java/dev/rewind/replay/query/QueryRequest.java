package dev.rewind.replay.query;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One query as typed after {@code rewind query RUN.rrlog} or gdb's {@code monitor}: a verb,
 * its operand and options {@code --at N}, {@code --from N}, {@code --to N}, {@code --kind a,b},
 * {@code --break PC,...}, {@code --hart N} (whose registers; whose events; whose page tables map a
 * virtual address), {@code --phys} (the address is physical). {@link #answer} runs it and renders the
 * answer as text.
 */
public record QueryRequest(String verb, String operand, Long at, Long from, Long to, Set<QueryEvent.Kind> kinds,
        long[] breakpoints, Integer hart, boolean physical) {

    public static final List<String> VERBS = List.of("last-write", "next-write", "writes", "last-read", "next-read",
            "reads", "history", "last-change", "next-change", "events");

    public static final String USAGE = String.join("\n",
            "  last-write ADDR[:LEN]|VAR [--at N]   the last write before position N (default: here / the end)",
            "  next-write ADDR[:LEN]|VAR [--at N]   the first write from position N (default: here / the start)",
            "  writes ADDR[:LEN]|VAR [--from N] [--to N]   every write",
            "  last-read, next-read, reads         the same for reads",
            "  history VAR|ADDR[:LEN] [--from N] [--to N]   the value and every change of it",
            "         with address translation on, ADDR is virtual as hart H's page tables map it (--hart H;",
            "         default: the hart running at the position), followed through every change of the",
            "         mapping; --phys: ADDR is a physical address (RAM through any mapping, device registers)",
            "  last-change REG [--at N] [--hart H], next-change REG [--at N] [--hart H]",
            "         a register (a0, sp, x5) or CSR (mstatus, csr:0x300) of hart H (default: the selected one / 0)",
            "  events [--kind trap,interrupt,exception,return,privilege,uart,disk,snapshot,breakpoint]",
            "         [--break PC,...] [--from N] [--to N] [--hart H]   (--hart: only what hart H did)");

    public static boolean isVerb(String word) {
        return VERBS.contains(word);
    }

    /** Parses {@code verb [operand] [options]}; IllegalArgumentException with a sentence when wrong. */
    public static QueryRequest parse(List<String> words) {
        if (words.isEmpty() || !isVerb(words.get(0))) {
            throw new IllegalArgumentException("expected one of " + String.join(", ", VERBS)
                    + (words.isEmpty() ? "" : ", not '" + words.get(0) + "'"));
        }
        String verb = words.get(0);
        String operand = null;
        Long at = null;
        Long from = null;
        Long to = null;
        Set<QueryEvent.Kind> kinds = EnumSet.noneOf(QueryEvent.Kind.class);
        List<Long> breaks = new ArrayList<>();
        Integer hart = null;
        boolean physical = false;
        for (int i = 1; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals("--phys")) {
                physical = true;
            } else if (w.startsWith("--")) {
                if (i + 1 >= words.size()) {
                    throw new IllegalArgumentException(w + " needs a value");
                }
                String v = words.get(++i);
                switch (w) {
                    case "--at" -> at = Target.number(v, w + " " + v);
                    case "--from" -> from = Target.number(v, w + " " + v);
                    case "--to" -> to = Target.number(v, w + " " + v);
                    case "--hart" -> {
                        long h = Target.number(v, w + " " + v);
                        if (h < 0 || h > 255) {
                            throw new IllegalArgumentException("--hart must be a hart number, not " + v);
                        }
                        hart = (int) h;
                    }
                    case "--kind" -> {
                        for (String k : v.split(",")) {
                            kinds.addAll(QueryEvent.kindsNamed(k));
                        }
                    }
                    case "--break" -> {
                        for (String b : v.split(",")) {
                            breaks.add(Target.number(b, w + " " + v));
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown option " + w);
                }
            } else if (operand == null && !verb.equals("events")) {
                operand = w;
            } else {
                throw new IllegalArgumentException("unexpected '" + w + "'");
            }
        }
        if (operand == null && !verb.equals("events")) {
            throw new IllegalArgumentException(verb + " needs " + (verb.endsWith("change") ? "a register" : "an address or variable"));
        }
        if (verb.equals("events") && kinds.isEmpty() && breaks.isEmpty()) {
            kinds = EnumSet.complementOf(EnumSet.of(QueryEvent.Kind.BREAKPOINT));
        }
        return new QueryRequest(verb, operand, at, from, to, kinds,
                breaks.stream().mapToLong(Long::longValue).toArray(), hart, physical);
    }

    /**
     * The range a memory query watches: the operand, physical with {@code --phys}, else virtual as
     * hart {@code --hart} (else {@code selected}, else the one running at the position) maps it.
     */
    public Target target(QueryEngine q, Integer selected) {
        Target t = q.target(operand);
        if (physical) {
            return t.asPhysical();
        }
        return hart != null ? t.inHart(hart) : selected != null ? t.inHart(selected) : t;
    }

    private static String mapping(QueryEngine q) {
        StringBuilder sb = new StringBuilder();
        for (String line : q.mappingLines()) {
            sb.append("  ").append(line).append('\n');
        }
        return sb.toString();
    }

    /** The hart whose registers a change query follows: {@code --hart}, else {@code selected}, else 0. */
    public int hartOr(Integer selected) {
        return hart != null ? hart : selected != null ? selected : 0;
    }

    /** The answer as text for the CLI: default positions are the recording's ends, the default hart 0. */
    public String answer(QueryEngine q, Progress progress) {
        return answer(q, null, null, progress);
    }

    /**
     * The answer as text; {@code here} is the default position and {@code selected} the default
     * hart (a debugger's; null: the recording's ends, hart 0).
     */
    public String answer(QueryEngine q, Long here, Integer selected, Progress progress) {
        long start = q.startIcount();
        long end = q.endIcount();
        long f = from != null ? from : start;
        long t = to != null ? to : end;
        switch (verb) {
            case "last-write", "last-read" -> {
                Target target = target(q, selected);
                long p = at != null ? at : here != null ? here : end;
                return AnswerText.single(verb.replace('-', ' '), target,
                        verb.equals("last-write") ? q.lastWrite(target, p, progress) : q.lastRead(target, p, progress), p)
                        + mapping(q);
            }
            case "next-write", "next-read" -> {
                Target target = target(q, selected);
                long p = at != null ? at : here != null ? here : start;
                return AnswerText.single(verb.replace('-', ' '), target,
                        verb.equals("next-write") ? q.nextWrite(target, p, progress) : q.nextRead(target, p, progress), p)
                        + mapping(q);
            }
            case "writes" -> {
                Target target = target(q, selected);
                return AnswerText.accesses("writes", target, q.writes(target, f, t, progress)) + mapping(q);
            }
            case "reads" -> {
                Target target = target(q, selected);
                return AnswerText.accesses("reads", target, q.reads(target, f, t, progress)) + mapping(q);
            }
            case "history" -> {
                return AnswerText.history(q.history(target(q, selected), f, t, progress)) + mapping(q);
            }
            case "last-change" -> {
                Register r = Register.parse(operand);
                long p = at != null ? at : here != null ? here : end;
                return AnswerText.change("last change", r, q.lastChange(r, hartOr(selected), p, progress), p);
            }
            case "next-change" -> {
                Register r = Register.parse(operand);
                long p = at != null ? at : here != null ? here : start;
                return AnswerText.change("next change", r, q.nextChange(r, hartOr(selected), p, progress), p);
            }
            default -> {
                return AnswerText.events(events(q, f, t, progress));
            }
        }
    }

    /**
     * The events this request asks for (indexed kinds, plus breakpoint hits when {@code --break}
     * is given; with {@code --hart}, only that hart's).
     */
    public List<QueryEvent> events(QueryEngine q, long f, long t, Progress progress) {
        List<QueryEvent> out = new ArrayList<>(q.events(kinds, f, t, progress));
        if (breakpoints.length > 0) {
            out.addAll(q.breakpointHits(breakpoints, f, t, progress));
            out.sort((a, b) -> Long.compare(a.icount(), b.icount()));
        }
        if (hart != null) {
            out.removeIf(e -> e.hart() != hart);
        }
        return out;
    }
}
