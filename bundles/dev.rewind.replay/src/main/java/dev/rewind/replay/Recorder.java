package dev.rewind.replay;

import java.io.IOException;
import java.io.UncheckedIOException;

import dev.rewind.emulator.InputPort;
import dev.rewind.emulator.InputSink;
import dev.rewind.replay.log.EventKind;
import dev.rewind.replay.log.ReplayLogWriter;

/**
 * Records a run: an {@link InputPort} that passes the live port's input through and writes
 * every input, with the icount at which it took effect, to the replay log. Record and replay
 * share the machine's call sites; only the port differs.
 */
public final class Recorder implements InputPort {

    /** Instructions after which buffered events are written out even if the block is not full. */
    private static final long FLUSH_INTERVAL = 50_000_000L;

    private final InputPort live;
    private final ReplayLogWriter log;
    private final LoggingSink loggingSink = new LoggingSink();
    private long lastFlushIcount;
    /** Block requests submitted and not yet completed; a snapshot waits until there are none. */
    private final java.util.TreeSet<Long> inFlight = new java.util.TreeSet<>();

    public Recorder(InputPort live, ReplayLogWriter log) {
        this.live = live;
        this.log = log;
    }

    @Override
    public long nextDeadline(long icount) {
        return live.nextDeadline(icount);
    }

    @Override
    public void poll(long icount, InputSink sink) {
        live.poll(icount, loggingSink.around(sink, icount, false));
        if (icount - lastFlushIcount >= FLUSH_INTERVAL) {
            flush(icount);
        }
    }

    @Override
    public long idle(long icount, long nowNs, long deadlineNs, InputSink sink) {
        // The live port may block for user input: make what was logged so far durable first.
        flush(icount);
        long warp = live.idle(icount, nowNs, deadlineNs, loggingSink.around(sink, icount, true));
        append(icount, EventKind.WARP, warp);
        // The guest is waiting: whatever the user typed so far must survive a crash.
        flush(icount);
        return warp;
    }

    @Override
    public void blockSubmitted(long icount, long requestId) {
        inFlight.add(requestId);
        live.blockSubmitted(icount, requestId);
    }

    /** True when a snapshot taken now is complete: no block request is half done (QEMU: replay_can_snapshot). */
    public boolean canSnapshot() {
        return inFlight.isEmpty();
    }

    @Override
    public long hostClockNs(long icount) {
        long ns = live.hostClockNs(icount);
        append(icount, EventKind.HOST_CLOCK, ns);
        return ns;
    }

    /** Logs a hart digest, which a replay compares to detect divergence. */
    public void digest(long icount, byte[] sha256) {
        try {
            log.append(icount, EventKind.DIGEST, 0, sha256);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the replay log", e);
        }
    }

    /** Logs the guest's exit with the digest of the full final state. */
    public void exit(long icount, int code, byte[] stateSha256) {
        try {
            log.append(icount, EventKind.EXIT, code, stateSha256);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the replay log", e);
        }
    }

    /** Ends the recording at {@code icount} and closes the log. */
    public void end(long icount) throws IOException {
        log.append(icount, EventKind.END, 0);
        log.close();
    }

    /** Number of events logged so far. */
    public long events() {
        return log.events();
    }

    private void append(long icount, EventKind kind, long value) {
        try {
            log.append(icount, kind, value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the replay log", e);
        }
    }

    private void flush(long icount) {
        try {
            log.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the replay log", e);
        }
        lastFlushIcount = icount;
    }

    /** Logs what the live port hands to the devices; one instance, re-aimed per call (no allocation). */
    private final class LoggingSink implements InputSink {
        private InputSink target;
        private long icount;
        private boolean idle;

        InputSink around(InputSink target, long icount, boolean idle) {
            this.target = target;
            this.icount = icount;
            this.idle = idle;
            return this;
        }

        @Override
        public int uartRxSpace() {
            return target.uartRxSpace();
        }

        @Override
        public void uartReceive(int b) {
            append(icount, idle ? EventKind.UART_RX_IDLE : EventKind.UART_RX, b & 0xff);
            target.uartReceive(b);
        }

        @Override
        public void completeBlockRequest(long requestId) {
            append(icount, idle ? EventKind.BLOCK_DONE_IDLE : EventKind.BLOCK_DONE, requestId);
            inFlight.remove(requestId);
            target.completeBlockRequest(requestId);
        }
    }
}
