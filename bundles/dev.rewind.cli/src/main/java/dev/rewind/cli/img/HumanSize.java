package dev.rewind.cli.img;

import dev.rewind.cli.CliException;
import java.util.Locale;

/** Sizes as qemu-img writes and reads them ("1 GiB", "64M", "1.5G"). */
final class HumanSize {

    private static final String[] SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

    private HumanSize() {
    }

    /** QEMU's size_to_str: three significant digits and a binary unit. */
    static String format(long bytes) {
        double v = bytes;
        int i = 0;
        // QEMU picks the unit with frexp(val / (1000/1024)); this is the same threshold.
        while (i < SUFFIXES.length - 1 && v / 1024 >= 1000.0 / 1024) {
            v /= 1024;
            i++;
        }
        return threeDigits(v) + " " + SUFFIXES[i] + "B";
    }

    /** C's "%0.3g" for values below 1000. */
    private static String threeDigits(double v) {
        String s;
        if (v >= 100 || v == 0) {
            s = String.format(Locale.ROOT, "%.0f", v);
        } else if (v >= 10) {
            s = String.format(Locale.ROOT, "%.1f", v);
        } else {
            s = String.format(Locale.ROOT, "%.2f", v);
        }
        if (s.contains(".")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s;
    }

    /** Parses "1048576", "512k", "64M", "1.5G", "2T" (binary units, as qemu-img). */
    static long parse(String text) throws CliException {
        String t = text.trim();
        long mult = 1;
        if (!t.isEmpty()) {
            char c = Character.toUpperCase(t.charAt(t.length() - 1));
            int shift = "BKMGTPE".indexOf(c);
            if (shift >= 0 && !Character.isDigit(t.charAt(t.length() - 1))) {
                mult = 1L << (10 * shift);
                t = t.substring(0, t.length() - 1);
            }
        }
        try {
            java.math.BigDecimal d = new java.math.BigDecimal(t).multiply(java.math.BigDecimal.valueOf(mult));
            if (d.signum() < 0 || d.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                throw new NumberFormatException();
            }
            return d.longValue();
        } catch (NumberFormatException e) {
            throw new CliException("invalid size '" + text + "' (use a number with an optional k, M, G or T suffix)");
        }
    }
}
