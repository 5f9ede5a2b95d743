package dev.rewind.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Command-line options of one verb: {@code --name value} or {@code --name=value} options,
 * boolean {@code --flags} and positional arguments. Unknown options and missing values are
 * {@link CliException}s that name the option.
 */
public final class Args {

    private final TreeMap<String, String> values = new TreeMap<>();
    /** Every value of each option, in order (for options given more than once, e.g. --pflash). */
    private final TreeMap<String, List<String>> repeated = new TreeMap<>();
    private final List<String> positional = new ArrayList<>();

    /**
     * @param withValue options that take a value (e.g. {@code "--disk"})
     * @param flags     options without a value (e.g. {@code "--stats"})
     */
    public Args(String[] args, Set<String> withValue, Set<String> flags) throws CliException {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--") && a.length() > 2) {
                String name = a;
                String value = null;
                int eq = a.indexOf('=');
                if (eq > 0) {
                    name = a.substring(0, eq);
                    value = a.substring(eq + 1);
                }
                if (withValue.contains(name)) {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new CliException("option " + name + " needs a value");
                        }
                        value = args[++i];
                    }
                    values.put(name, value);
                    repeated.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                } else if (flags.contains(name) && value == null) {
                    values.put(name, "");
                } else {
                    throw new CliException("unknown option " + name);
                }
            } else {
                positional.add(a);
            }
        }
    }

    /** {@code -o FILE} as {@code --output FILE}, for the verbs that take it (pack, coverage). */
    public static String[] shortOutput(String[] args) {
        String[] out = args.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i].equals("-o")) {
                out[i] = "--output";
            }
        }
        return out;
    }

    public List<String> positional() {
        return positional;
    }

    /** The single positional argument, named {@code what} in the error if missing or doubled. */
    public String onlyPositional(String what) throws CliException {
        if (positional.isEmpty()) {
            throw new CliException("missing " + what);
        }
        if (positional.size() > 1) {
            throw new CliException("unexpected argument '" + positional.get(1) + "' (only one " + what + " is taken)");
        }
        return positional.get(0);
    }

    public boolean has(String option) {
        return values.containsKey(option);
    }

    public String value(String option, String fallback) {
        return values.getOrDefault(option, fallback);
    }

    /** All values of an option given several times, in order (empty if absent); {@link #value} is the last. */
    public List<String> values(String option) {
        return List.copyOf(repeated.getOrDefault(option, List.of()));
    }

    /** A count like {@code 1000}, {@code 10M} or {@code 2G} (decimal: k=1e3, M=1e6, G=1e9). */
    public long count(String option, long fallback) throws CliException {
        String v = values.get(option);
        return v == null ? fallback : parse(option, v, 1000);
    }

    /** A size like {@code 4096}, {@code 64K}, {@code 128M}, {@code 1G} (binary: K=2^10 ...). */
    public long bytes(String option, long fallback) throws CliException {
        String v = values.get(option);
        return v == null ? fallback : parse(option, v, 1024);
    }

    public int integer(String option, int fallback, int min, int max) throws CliException {
        String v = values.get(option);
        if (v == null) {
            return fallback;
        }
        long n;
        try {
            n = parse(option, v, 1000);
        } catch (CliException notANumber) {
            n = Long.MIN_VALUE; // a small range says more than "a number like 64K"
        }
        if (n < min || n > max) {
            throw new CliException(option + " must be between " + min + " and " + max + ", got " + v);
        }
        return (int) n;
    }

    /** {@code on}/{@code off} (also yes/no, true/false). */
    public boolean onOff(String option, boolean fallback) throws CliException {
        String v = values.get(option);
        if (v == null) {
            return fallback;
        }
        return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "on", "yes", "true" -> true;
            case "off", "no", "false" -> false;
            default -> throw new CliException(option + " takes on or off, got '" + v + "'");
        };
    }

    static long parse(String option, String v, long unit) throws CliException {
        String s = v.trim();
        long mult = 1;
        if (!s.isEmpty()) {
            char c = Character.toUpperCase(s.charAt(s.length() - 1));
            int power = switch (c) {
                case 'K' -> 1;
                case 'M' -> 2;
                case 'G' -> 3;
                case 'T' -> 4;
                default -> 0;
            };
            if (power > 0) {
                s = s.substring(0, s.length() - 1);
                for (int i = 0; i < power; i++) {
                    mult *= unit;
                }
            }
        }
        try {
            long n = Long.parseLong(s);
            if (n < 0) {
                throw new CliException(option + " must not be negative, got " + v);
            }
            return Math.multiplyExact(n, mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new CliException(option + " takes a number like 1000, 64K or 10M, got '" + v + "'");
        }
    }
}
