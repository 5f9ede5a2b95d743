package dev.rewind.replay;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;

import dev.rewind.emulator.InputPort;
import dev.rewind.emulator.InputSink;

/**
 * {@code sleep=on} for a live or recorded run: when the hart idles until a timer, really wait
 * (waking early for UART input) and warp virtual time by the real time that passed, as QEMU's
 * icount warp timer does. The answer goes through the recorder, so a replay warps identically,
 * and instantly.
 */
final class SleepingIdlePort implements InputPort {

    private static final long MAX_WAIT_NS = 10_000_000_000L;

    private final InputPort live;
    private final Clock clock;
    private final InputStream uartIn;

    SleepingIdlePort(InputPort live, Clock clock, InputStream uartIn) {
        this.live = live;
        this.clock = clock;
        this.uartIn = uartIn;
    }

    @Override
    public long nextDeadline(long icount) {
        return live.nextDeadline(icount);
    }

    @Override
    public void poll(long icount, InputSink sink) {
        live.poll(icount, sink);
    }

    @Override
    public long idle(long icount, long nowNs, long deadlineNs, InputSink sink) {
        if (deadlineNs == Long.MAX_VALUE) {
            return live.idle(icount, nowNs, deadlineNs, sink);
        }
        long want = Math.min(deadlineNs - nowNs, MAX_WAIT_NS);
        long start = nanos();
        while (true) {
            long elapsed = nanos() - start;
            if (elapsed >= want) {
                return Math.max(0, deadlineNs - nowNs);
            }
            if (inputWaiting() && sink.uartRxSpace() > 0) {
                live.poll(icount, sink);
                return Math.max(0, elapsed);
            }
            try {
                Thread.sleep(Math.max(0, Math.min(1, (want - elapsed) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Math.max(0, deadlineNs - nowNs);
            }
        }
    }

    private boolean inputWaiting() {
        try {
            return uartIn != null && uartIn.available() > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private long nanos() {
        java.time.Instant t = clock.instant();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    @Override
    public void blockSubmitted(long icount, long requestId) {
        live.blockSubmitted(icount, requestId);
    }

    @Override
    public long hostClockNs(long icount) {
        return live.hostClockNs(icount);
    }
}
