package dev.rewind.cli;

/**
 * Numbers as the command line prints them, without {@link java.util.Formatter}: printf's first
 * use loads the JDK's locale data, ~20 ms of a command's start-up. Digits are ASCII and the
 * grouping separator a comma, as printf's {@code %,d} writes them in the C and English locales.
 */
final class PlainNumbers {
    private PlainNumbers() {
    }

    /** {@code n} with a comma every three digits, e.g. 250,000,000. */
    static String grouped(long n) {
        String digits = Long.toString(Math.abs(n));
        StringBuilder b = new StringBuilder(digits.length() + digits.length() / 3 + 1);
        if (n < 0) {
            b.append('-');
        }
        for (int i = 0; i < digits.length(); i++) {
            if (i > 0 && (digits.length() - i) % 3 == 0) {
                b.append(',');
            }
            b.append(digits.charAt(i));
        }
        return b.toString();
    }

    /**
     * {@code v} (finite) with {@code decimals} places, as {@code %.Nf} writes it: the shortest
     * decimal digits of {@code v} (those of {@link Double#toString}) rounded half up. Not through
     * BigDecimal, whose arithmetic the JIT would compile at the end of every command.
     */
    static String fixed(double v, int decimals) {
        String s = Double.toString(Math.abs(v));
        int e = s.indexOf('E');
        String mantissa = e < 0 ? s : s.substring(0, e);
        int dot = mantissa.indexOf('.');
        StringBuilder digits = new StringBuilder(mantissa.length() + decimals + 2)
                .append(mantissa, 0, dot).append(mantissa, dot + 1, mantissa.length());
        int point = dot + (e < 0 ? 0 : Integer.parseInt(s.substring(e + 1))); // digits before the point
        if (point < 1) {
            digits.insert(0, "0".repeat(1 - point));
            point = 1;
        }
        int keep = point + decimals;
        while (digits.length() < keep) {
            digits.append('0');
        }
        boolean up = digits.length() > keep && digits.charAt(keep) >= '5';
        digits.setLength(keep);
        for (int i = keep - 1; up && i >= 0; i--) {
            char c = digits.charAt(i);
            digits.setCharAt(i, c == '9' ? '0' : (char) (c + 1));
            up = c == '9';
        }
        if (up) {
            digits.insert(0, '1');
            point++;
        }
        int lead = 0;
        while (lead < point - 1 && digits.charAt(lead) == '0') {
            lead++;
        }
        String sign = Double.doubleToRawLongBits(v) < 0 ? "-" : "";
        return sign + digits.substring(lead, point) + (decimals > 0 ? "." + digits.substring(point) : "");
    }
}
