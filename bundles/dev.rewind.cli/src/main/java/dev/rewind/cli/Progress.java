package dev.rewind.cli;

import java.io.PrintStream;

/**
 * A one-line progress report on a terminal (icount, percent, MIPS), redrawn at most twice a
 * second; silent when stderr is not a terminal, so logs and tests stay clean.
 */
final class Progress implements AutoCloseable {

    private final PrintStream err;
    private final long total;
    private final long startNs = System.nanoTime();
    /**
     * Whether stderr is a terminal, asked at the first redraw: since Java 22 {@link System#console()}
     * starts the JDK's line editor (~10 ms), which a command shorter than the first redraw never needs.
     */
    private Boolean tty;
    private long lastDraw;
    private boolean drawn;

    Progress(PrintStream err, long total) {
        this.err = err;
        this.total = total;
    }

    void update(long icount) {
        long now = System.nanoTime();
        if (now - startNs < 500_000_000L || now - lastDraw < 500_000_000L) {
            return;
        }
        if (tty == null) {
            tty = System.console() != null;
        }
        if (!tty) {
            return;
        }
        lastDraw = now;
        drawn = true;
        double secs = (now - startNs) / 1e9;
        err.printf("\r  icount %,d / %,d (%d%%), %.0f MIPS   ", icount, total, total > 0 ? icount * 100 / total : 100,
                icount / secs / 1e6);
        err.flush();
    }

    /** Instructions per second since this progress started. */
    double mips(long instructions) {
        double secs = (System.nanoTime() - startNs) / 1e9;
        return instructions / Math.max(secs, 1e-9) / 1e6;
    }

    void done(long icount) {
        if (drawn) {
            err.print("\r" + " ".repeat(70) + "\r");
            err.flush();
        }
    }

    @Override
    public void close() {
        done(0);
    }
}
