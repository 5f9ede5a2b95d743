package dev.rewind.emulator;

import static org.junit.Assert.assertEquals;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

public class LiveInputPortPollingTest {

    /** Has {@code ready} bytes when asked; counts how often it was asked. */
    static final class Host extends InputStream {
        int ready;
        int asked;

        @Override
        public int available() {
            asked++;
            return ready;
        }

        @Override
        public int read() {
            if (ready == 0) {
                throw new AssertionError("read without available bytes");
            }
            ready--;
            return 'k';
        }
    }

    static final class Guest implements InputSink {
        final List<Long> received = new ArrayList<>();
        long now;

        public int uartRxSpace() {
            return 16;
        }

        public void uartReceive(int b) {
            received.add(now);
        }

        public void completeBlockRequest(long requestId) {
        }
    }

    /** Polls at each deadline the port names, up to {@code until}; returns the gaps between polls. */
    private static List<Long> pollUntil(LiveInputPort port, Guest guest, long until) {
        List<Long> gaps = new ArrayList<>();
        long last = guest.now;
        while (true) {
            long at = port.nextDeadline(guest.now);
            if (at > until) {
                return gaps;
            }
            guest.now = at;
            port.poll(at, guest);
            gaps.add(at - last);
            last = at;
        }
    }

    @Test
    public void anIdleHostIsAskedLessAndLessOftenUpToSixteenTimesTheIntervalAndATypedKeyBringsItBack() {
        Host host = new Host();
        Guest guest = new Guest();
        LiveInputPort port = new LiveInputPort(host, null, 100);
        assertEquals(List.of(100L, 200L, 400L, 800L, 1600L, 1600L), pollUntil(port, guest, 4800));
        assertEquals(6, host.asked);

        host.ready = 1; // a key is typed: it arrives at the next poll, at most 16 intervals later
        assertEquals(List.of(1600L, 100L, 200L, 400L), pollUntil(port, guest, 7200));
        assertEquals(List.of(6300L), guest.received);
    }
}
