package dev.rewind.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayDeque;

/**
 * Pass-through {@link InputPort} for live runs: UART bytes come from a host stream (polled every
 * {@code pollInterval} instructions without blocking, up to {@value #IDLE_BACKOFF} times less often
 * while it has nothing, every {@value #BACKLOG_INTERVAL} while bytes
 * wait for room in the receiver, and read blocking only while the hart is idle with no timer armed), block requests complete at the next instruction boundary, idle WFI
 * warps straight to the next timer deadline, and host-clock reads come from the given clock.
 *
 * <p>This class is the nondeterminism boundary; a recorder wraps it and logs what it returns.
 */
public final class LiveInputPort implements InputPort {

    /** Instructions between polls while bytes wait for room in a receiver the guest empties (16450 mode: one byte at a time). */
    static final long BACKLOG_INTERVAL = 1000;

    private final InputStream uartIn;
    private final Clock hostClock;
    private final long pollInterval;
    private final ArrayDeque<Long> submitted = new ArrayDeque<>();
    private boolean inputEnded;
    /** The icount of the next poll of {@code uartIn}: absolute, so a guest that stops often (MMIO) still gets there. */
    private long nextPoll;
    /** Bytes the stream said it has that were not handed on yet (the receiver was full): no need to ask it again. */
    private int pending;
    /** Instructions to the next poll while bytes are held back: short while the guest takes them, growing while not. */
    private long backlogInterval = BACKLOG_INTERVAL;
    /**
     * Instructions to the next poll while the host has nothing: from {@code pollInterval} up to
     * {@value #IDLE_BACKOFF} times that, back to it when a byte comes. Each poll is 2-3 system calls
     * (FileInputStream.available: fstat, then ioctl or two lseeks): every 100,000 instructions that
     * was ~5% of a long run's CPU; 16 times fewer costs a typed key at most ~1 ms at 2,000 MIPS.
     */
    private long idleInterval;
    private final long idleCap;
    static final int IDLE_BACKOFF = 16;

    /**
     * @param uartIn       bytes for the UART receiver, or {@code null} for none
     * @param hostClock    clock for guest-visible host time reads, or {@code null} to report 0
     * @param pollInterval instructions between non-blocking polls of {@code uartIn}
     */
    public LiveInputPort(InputStream uartIn, Clock hostClock, long pollInterval) {
        if (pollInterval <= 0) {
            throw new IllegalArgumentException("pollInterval must be positive: " + pollInterval);
        }
        this.uartIn = uartIn;
        this.hostClock = hostClock;
        this.pollInterval = pollInterval;
        this.inputEnded = uartIn == null;
        this.nextPoll = pollInterval;
        this.idleInterval = pollInterval;
        this.idleCap = pollInterval <= Long.MAX_VALUE / 4 / IDLE_BACKOFF ? pollInterval * IDLE_BACKOFF : pollInterval;
    }

    /** A port with no input at all: timers still warp, block requests still complete. */
    public static LiveInputPort silent() {
        return new LiveInputPort(null, null, Long.MAX_VALUE / 4);
    }

    @Override
    public long nextDeadline(long icount) {
        if (!submitted.isEmpty()) {
            return icount;
        }
        return inputEnded ? Long.MAX_VALUE : Math.max(icount, nextPoll);
    }

    @Override
    public void poll(long icount, InputSink sink) {
        while (!submitted.isEmpty()) {
            sink.completeBlockRequest(submitted.removeFirst());
        }
        if (inputEnded) {
            return;
        }
        int ready = 0;
        try {
            if (pending == 0) {
                pending = uartIn.available();
            }
            ready = Math.min(sink.uartRxSpace(), pending);
            if (ready > 0) {
                backlogInterval = BACKLOG_INTERVAL;
            }
            for (int i = 0; i < ready; i++) {
                int b = uartIn.read();
                if (b < 0) {
                    inputEnded = true;
                    pending = 0;
                    break;
                }
                pending--;
                sink.uartReceive(b);
            }
        } catch (IOException e) {
            inputEnded = true;
        }
        // A host with nothing to say is asked less and less often; one that just said something soon again.
        // Held-back bytes go in as soon as the guest makes room, without asking the host again. A guest
        // that takes none (still booting, receiver full) is asked less and less often, so typing
        // ahead never slows it down.
        idleInterval = ready > 0 || pending > 0 ? pollInterval : idleInterval <= idleCap / 2 ? idleInterval * 2 : idleCap;
        nextPoll = icount + (pending > 0 ? Math.min(pollInterval, backlogInterval) : idleInterval);
        backlogInterval = pending > 0 ? Math.min(pollInterval, backlogInterval * 2) : BACKLOG_INTERVAL;
    }

    @Override
    public long idle(long icount, long nowNs, long deadlineNs, InputSink sink) {
        if (!submitted.isEmpty()) {
            poll(icount, sink);
            return 0;
        }
        if (deadlineNs != Long.MAX_VALUE) {
            // Input that is already waiting wins over the warp, as it would on a real machine.
            if (!inputEnded && available() > 0 && sink.uartRxSpace() > 0) {
                poll(icount, sink);
                return 0;
            }
            return Math.max(0, deadlineNs - nowNs);
        }
        if (inputEnded || sink.uartRxSpace() == 0) {
            return IDLE_FOREVER;
        }
        if (available() == 0) {
            try {
                int b = uartIn.read(); // blocks: nothing else can wake the hart
                if (b < 0) {
                    inputEnded = true;
                    return IDLE_FOREVER;
                }
                sink.uartReceive(b);
            } catch (IOException e) {
                inputEnded = true;
                return IDLE_FOREVER;
            }
        }
        poll(icount, sink);
        return 0;
    }

    private int available() {
        if (pending > 0) {
            return pending;
        }
        try {
            return pending = uartIn.available();
        } catch (IOException e) {
            inputEnded = true;
            return 0;
        }
    }

    @Override
    public void blockSubmitted(long icount, long requestId) {
        submitted.addLast(requestId);
    }

    @Override
    public long hostClockNs(long icount) {
        if (hostClock == null) {
            return 0;
        }
        java.time.Instant now = hostClock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
