package dev.rewind.emulator;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.Test;

/**
 * Guests that poll LSR.DR in a tight loop (boot loaders, monitors) get typed input, with the
 * FIFO on or off: the live port polls at absolute icounts, so a loop of MMIO reads that keeps
 * stopping the machine still reaches the poll, and bytes the receiver has no room for wait in
 * the port instead of being dropped.
 */
public class PolledUartInputTest {

    /** 200 bytes without 'q' (the guest's terminator), as one write once the guest says it is ready. */
    static final String BURST = burst();

    private static String burst() {
        StringBuilder sb = new StringBuilder();
        String alphabet = "abcdefghijklmnoprstuvwxyz0123456789";
        for (int i = 0; i < 200; i++) {
            sb.append(alphabet.charAt((i * 7 + i / 5) % alphabet.length()));
        }
        return sb.toString();
    }

    static String hashLine(String s) {
        int h = 0;
        for (char c : s.toCharArray()) {
            h = h * 31 + c;
        }
        return String.format("poll: %d bytes, hash 0x%016x, 0 overruns", s.length(), h & 0xffffffffL);
    }

    /** Nothing to read until {@code out} shows {@code marker}; then all of {@code text} at once. */
    static final class TypedAfter extends InputStream {
        private final byte[] text;
        private final ByteArrayOutputStream out;
        private final String marker;
        private int pos;

        TypedAfter(String text, ByteArrayOutputStream out, String marker) {
            this.text = text.getBytes(StandardCharsets.US_ASCII);
            this.out = out;
            this.marker = marker;
        }

        @Override
        public int available() {
            return out.toString(StandardCharsets.US_ASCII).contains(marker) ? text.length - pos : 0;
        }

        @Override
        public int read() {
            return pos < text.length ? text[pos++] & 0xff : -1;
        }
    }

    private static String runPolling(String guest) throws Exception {
        ByteArrayOutputStream uart = new ByteArrayOutputStream();
        LiveInputPort port = new LiveInputPort(new TypedAfter(BURST + "q", uart, "poll: ready\n"), null, 100_000);
        VirtMachine m = new VirtMachine(MachineConfig.builder().uartOut(uart).inputPort(port).build());
        m.load(ElfImage.read(Guests.elf(guest)));
        StopReason stop = m.run(200_000_000L);
        String out = uart.toString(StandardCharsets.US_ASCII);
        assertEquals(out, StopReason.EXIT, stop);
        assertEquals(out, 0, m.exitCode());
        return out;
    }

    @Test
    public void aGuestPollingWithTheFifoDisabledReceivesA200ByteBurstCompleteAndInOrder() throws Exception {
        String out = runPolling("uart_poll");
        assertTrue(out, out.contains(hashLine(BURST)));
    }

    @Test
    public void aGuestPollingWithTheFifoEnabledReceivesA200ByteBurstCompleteAndInOrder() throws Exception {
        String out = runPolling("uart_poll_fifo");
        assertTrue(out, out.contains(hashLine(BURST)));
    }

    @Test
    public void aTightPollingLoopSeesATypedByteWithinOnePollInterval() throws Exception {
        VirtMachine[] machine = new VirtMachine[1];
        long[] readyAt = {-1};
        ByteArrayOutputStream uart = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(int b) {
                super.write(b);
                if (readyAt[0] < 0 && toString(StandardCharsets.US_ASCII).contains("ready\n")) {
                    readyAt[0] = machine[0].icount();
                }
            }
        };
        InputStream in = new InputStream() {
            boolean given;

            @Override
            public int available() {
                return readyAt[0] >= 0 && !given ? 1 : 0;
            }

            @Override
            public int read() {
                given = true;
                return 'q';
            }
        };
        machine[0] = new VirtMachine(MachineConfig.builder().uartOut(uart)
                .inputPort(new LiveInputPort(in, null, 10_000)).build());
        machine[0].load(ElfImage.read(Guests.elf("uart_poll")));
        assertEquals(StopReason.EXIT, machine[0].run(10_000_000L));
        assertTrue("typed when the guest printed ready at icount " + readyAt[0] + ", it ended at " + machine[0].icount(),
                readyAt[0] > 0 && machine[0].icount() - readyAt[0] < 10_000 + 2_000);
    }

    @Test
    public void heldBackBytesAreOfferedLessOftenWhileTheGuestTakesNone() {
        int[] space = {0};
        java.util.List<Integer> received = new java.util.ArrayList<>();
        InputSink sink = new InputSink() {
            public int uartRxSpace() {
                return space[0];
            }

            public void uartReceive(int b) {
                received.add(b);
                space[0]--;
            }

            public void completeBlockRequest(long requestId) {
            }
        };
        LiveInputPort port = new LiveInputPort(new java.io.ByteArrayInputStream("abc".getBytes(StandardCharsets.US_ASCII)),
                null, 100_000);
        long at = port.nextDeadline(0);
        java.util.List<Long> gaps = new java.util.ArrayList<>();
        for (int i = 0; i < 9; i++) {
            port.poll(at, sink);
            long next = port.nextDeadline(at);
            gaps.add(next - at);
            at = next;
        }
        assertEquals(java.util.List.of(1000L, 2000L, 4000L, 8000L, 16000L, 32000L, 64000L, 100000L, 100000L), gaps);
        space[0] = 1;
        port.poll(at, sink);
        assertEquals(java.util.List.of((int) 'a'), received);
        assertEquals("a guest that takes a byte is offered the next one soon", at + 1000, port.nextDeadline(at));
    }
}
