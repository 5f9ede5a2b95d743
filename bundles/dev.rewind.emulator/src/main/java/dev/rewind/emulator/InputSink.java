package dev.rewind.emulator;

/** What an {@link InputPort} may do to the machine: the device-side half of the port. */
public interface InputSink {

    /** Free space in the UART receive FIFO; a port should not offer more bytes than this. */
    int uartRxSpace();

    /** Pushes one byte into the UART receive FIFO (dropped, as on hardware, if the FIFO is full). */
    void uartReceive(int b);

    /** Completes block request {@code requestId}: used ring written, interrupt raised. */
    void completeBlockRequest(long requestId);
}
