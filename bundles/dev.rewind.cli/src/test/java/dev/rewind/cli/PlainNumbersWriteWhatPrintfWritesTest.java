package dev.rewind.cli;

import static org.junit.Assert.assertEquals;

import java.util.Locale;

import org.junit.Test;

/** PlainNumbers writes what the JDK's printf writes for %,d and %.Nf, without loading its locale data. */
public class PlainNumbersWriteWhatPrintfWritesTest {

    @Test
    public void groupedIsPercentCommaD() {
        long[] values = {0, 7, 999, 1000, 12_345, 999_999, 1_000_000, 250_000_000, -1, -1234, Long.MAX_VALUE, Long.MIN_VALUE + 1};
        for (long v : values) {
            assertEquals(String.format(Locale.ROOT, "%,d", v), PlainNumbers.grouped(v));
        }
    }

    @Test
    public void fixedIsPercentDotNF() {
        double[] values = {0, 0.05, 0.15, 0.25, 1.25, 2.675, 9.95, 9.96, 123.456, 1e-9, 1048575.9999, 3.0 / 7, 12345678.5};
        for (double v : values) {
            for (int d = 0; d <= 3; d++) {
                assertEquals(v + " with " + d, String.format(Locale.ROOT, "%." + d + "f", v), PlainNumbers.fixed(v, d));
            }
        }
    }
}
