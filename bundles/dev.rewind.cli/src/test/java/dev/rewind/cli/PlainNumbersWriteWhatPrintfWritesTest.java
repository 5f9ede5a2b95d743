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
        double[] values = {0, -0.0, 0.05, 0.15, 0.25, 0.5, 1.25, 2.675, 9.95, 9.96, 99.95, 999.9996, 123.456, 1e-9, 0.00049,
            0.0005, 1048575.9999, 3.0 / 7, 12345678.5, 1e7, 9.999999e6, 1.5e20, -2.5, -0.04};
        for (double v : values) {
            for (int d = 0; d <= 3; d++) {
                assertEquals(v + " with " + d, String.format(Locale.ROOT, "%." + d + "f", v), PlainNumbers.fixed(v, d));
            }
        }
        java.util.SplittableRandom r = new java.util.SplittableRandom(16);
        for (int i = 0; i < 20_000; i++) {
            double v = Math.scalb(r.nextDouble(), r.nextInt(-20, 40)) * (r.nextBoolean() ? 1 : -1);
            int d = r.nextInt(0, 4);
            assertEquals(v + " with " + d, String.format(Locale.ROOT, "%." + d + "f", v), PlainNumbers.fixed(v, d));
        }
    }
}
