package dev.rewind.emulator;

import static org.junit.Assert.assertEquals;

import java.io.ByteArrayOutputStream;

import org.junit.Test;

/** Receiver, FIFO control and interrupt identification as QEMU 7.2's hw/char/serial.c behaves. */
public class Uart16550Test {

    private static final int RBR = 0, IER = 1, IIR = 2, FCR = 2, MCR = 4, LSR = 5;

    private final Uart16550 uart = newUart();

    private static Uart16550 newUart() {
        Bus bus = new Bus(new Memory(Hart.RAM_BASE, 1 << 20, true), new Memory(0x1000, 0x1000, false));
        Hart hart = new Hart(0, bus, new DebugHooks(bus));
        return new Uart16550(new ByteArrayOutputStream(), new Plic(new CsrFile[] {hart.csrs}));
    }

    private int r(int reg) {
        return (int) uart.read(reg, 1);
    }

    private void w(int reg, int v) {
        uart.write(reg, 1, v);
    }

    @Test
    public void withTheFifoDisabledTheReceiverHoldsOneByteAndRbrKeepsShowingIt() {
        assertEquals(1, uart.rxSpace());
        uart.receive('a');
        assertEquals(0, uart.rxSpace());
        assertEquals(0x61, r(LSR));
        assertEquals('a', r(RBR));
        assertEquals(0x60, r(LSR));
        assertEquals("16450: RBR is a register, not a queue", 'a', r(RBR));
        assertEquals(1, uart.rxSpace());
    }

    @Test
    public void enablingTheFifoGivesSixteenBytesAndReportsItInIir() {
        w(FCR, 0x01);
        assertEquals(16, uart.rxSpace());
        assertEquals(0xc1, r(IIR));
        for (int i = 0; i < 16; i++) {
            uart.receive('a' + i);
        }
        assertEquals(0, uart.rxSpace());
        for (int i = 0; i < 16; i++) {
            assertEquals('a' + i, r(RBR));
        }
        assertEquals(0x60, r(LSR));
        assertEquals("an empty FIFO reads 0", 0, r(RBR));
    }

    @Test
    public void switchingTheFifoOnOrOffEmptiesItButRewritingTheSameValueDoesNot() {
        w(FCR, 0x01);
        uart.receive('x');
        w(FCR, 0x01);
        assertEquals(0x61, r(LSR));
        w(FCR, 0x00);
        assertEquals(0x60, r(LSR));
        uart.receive('y');
        w(FCR, 0x01);
        assertEquals(0x60, r(LSR));
        uart.receive('z');
        w(FCR, 0x03); // receiver reset bit
        assertEquals(0x60, r(LSR));
    }

    @Test
    public void belowTheTriggerLevelTheReceiverRaisesTheTimeoutInterruptAtOnce() {
        w(FCR, 0x81); // FIFO on, trigger level 8
        w(IER, 0x01);
        assertEquals(0xc1, r(IIR));
        uart.receive('1');
        assertEquals(0xcc, r(IIR));
        for (int i = 0; i < 7; i++) {
            uart.receive('2');
        }
        assertEquals(0xc4, r(IIR));
    }

    @Test
    public void aLoopbackOverrunSetsLsrOeOnceAndRaisesTheLineStatusInterrupt() {
        w(MCR, 0x10);
        w(IER, 0x05);
        w(RBR, 'a');
        w(RBR, 'b'); // the 16450 holding register was full
        assertEquals(0x06, r(IIR));
        assertEquals(0x63, r(LSR));
        assertEquals(0x61, r(LSR));
        assertEquals("the new byte overwrote the unread one", 'b', r(RBR));
        assertEquals(0x01, r(IIR));
    }
}
