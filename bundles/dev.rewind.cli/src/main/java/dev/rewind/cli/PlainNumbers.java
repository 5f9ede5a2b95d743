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

    /** {@code v} with {@code decimals} places, as {@code %.Nf} writes it (its shortest digits rounded half up). */
    static String fixed(double v, int decimals) {
        return new java.math.BigDecimal(Double.toString(v)).setScale(decimals, java.math.RoundingMode.HALF_UP).toPlainString();
    }
}
