package dev.rewind.replay;

import java.util.List;
import java.util.TreeSet;

import dev.rewind.emulator.InputPort;
import dev.rewind.emulator.InputSink;
import dev.rewind.replay.log.EventKind;
import dev.rewind.replay.log.ReplayEvent;

/**
 * Replays a recording: an {@link InputPort} that feeds the logged inputs at exactly their
 * icount and ignores the outside world. A request the log cannot answer (the guest went idle,
 * read the clock or completed a request where the recording did not) is a divergence.
 *
 * <p>Its position (next event, submitted requests) is part of a replay snapshot, so that a
 * restored machine and its port agree: see {@link #position()} and {@link #restore(Position)}.
 */
public final class Replayer implements InputPort {

    private final List<ReplayEvent> events;
    private int next;
    private TreeSet<Long> submitted = new TreeSet<>();
    private SubmissionObserver submissions;

    /** Sees each disk request the guest submits. */
    interface SubmissionObserver {
        void submitted(long icount, long requestId);
    }

    public Replayer(List<ReplayEvent> events) {
        this.events = events;
    }

    /** Where the replayer stands: the index of the next event and the requests in flight. */
    public record Position(int nextEvent, long[] submittedRequests) {
    }

    /** Installs (or with null removes) the observer of disk requests. */
    void observeSubmissions(SubmissionObserver observer) {
        submissions = observer;
    }

    public Position position() {
        return new Position(next, submitted.stream().mapToLong(Long::longValue).toArray());
    }

    public void restore(Position p) {
        next = p.nextEvent();
        submitted = new TreeSet<>();
        for (long id : p.submittedRequests()) {
            submitted.add(id);
        }
    }

    /** The next event that is neither a digest nor the end, or null. */
    private ReplayEvent head() {
        return next < events.size() ? events.get(next) : null;
    }

    @Override
    public long nextDeadline(long icount) {
        ReplayEvent e = head();
        if (e == null) {
            return Long.MAX_VALUE;
        }
        if (e.icount() < icount) {
            throw new ReplayDivergenceException(icount, "the machine ran past the logged " + e);
        }
        if (e.icount() == icount && !deliveredByPoll(e.kind())) {
            // The head belongs to an idle or clock call that the next instruction makes at this
            // icount; asking the machine to stop here again would never let it get there.
            return icount + 1;
        }
        return e.icount();
    }

    private static boolean deliveredByPoll(EventKind k) {
        return k == EventKind.UART_RX || k == EventKind.BLOCK_DONE || k == EventKind.DIGEST || k == EventKind.EXIT
                || k == EventKind.END;
    }

    @Override
    public void poll(long icount, InputSink sink) {
        for (ReplayEvent e = head(); e != null && e.icount() == icount; e = head()) {
            switch (e.kind()) {
                case UART_RX -> sink.uartReceive((int) e.value());
                case BLOCK_DONE -> complete(icount, e, sink);
                case DIGEST, EXIT, END -> {
                    // checked by the session, not input
                }
                default -> {
                    return; // input for an idle or clock call at this icount: it comes with that call
                }
            }
            next++;
        }
    }

    @Override
    public long idle(long icount, long nowNs, long deadlineNs, InputSink sink) {
        for (ReplayEvent e = head(); ; e = head()) {
            if (e == null || e.icount() != icount) {
                throw new ReplayDivergenceException(icount, "the guest went idle where the recording did not"
                        + (e == null ? " (no more events)" : " (next logged: " + e + ")"));
            }
            next++;
            switch (e.kind()) {
                case UART_RX_IDLE -> sink.uartReceive((int) e.value());
                case BLOCK_DONE_IDLE -> complete(icount, e, sink);
                case WARP -> {
                    return e.value();
                }
                case DIGEST -> {
                    // checked by the session
                }
                default -> throw new ReplayDivergenceException(icount,
                        "the guest went idle where the recording had " + e);
            }
        }
    }

    @Override
    public void blockSubmitted(long icount, long requestId) {
        if (submissions != null) {
            submissions.submitted(icount, requestId);
        }
        submitted.add(requestId);
    }

    @Override
    public long hostClockNs(long icount) {
        ReplayEvent e = head();
        while (e != null && e.icount() == icount && e.kind() == EventKind.DIGEST) {
            next++;
            e = head();
        }
        if (e == null || e.icount() != icount || e.kind() != EventKind.HOST_CLOCK) {
            throw new ReplayDivergenceException(icount, "the guest read the host clock where the recording did not"
                    + (e == null ? "" : " (next logged: " + e + ")"));
        }
        next++;
        return e.value();
    }

    private void complete(long icount, ReplayEvent e, InputSink sink) {
        if (!submitted.remove(e.value())) {
            throw new ReplayDivergenceException(icount, "block request " + e.value() + " completes in the log but the guest never submitted it");
        }
        sink.completeBlockRequest(e.value());
    }
}
