package dev.rewind.emulator;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * NS16550A UART at 0x1000_0000, register shift 0, interrupt to PLIC source 10 (as QEMU virt,
 * whose {@code hw/char/serial.c} it follows). Transmit is instantaneous (THR is always empty).
 * Receive bytes arrive only through the {@link InputPort} or from THR in loopback mode (MCR
 * bit 4). With the FIFO enabled (FCR bit 0) the receiver holds 16 bytes; with it disabled
 * (16450 mode) one. {@link #rxSpace()} tells the port how much room there is, and the port holds
 * back the rest, so typed input is never lost; only loopback can overrun (LSR.OE).
 *
 * <pre>
 * off  read            write        (DLAB=1: 0 = DLL, 1 = DLM)
 * 0    RBR             THR
 * 1    IER             IER          bit0 rx data, bit1 THR empty, bit2 line status
 * 2    IIR             FCR          IIR: 0x01 none, 0x06 line status, 0x04 rx data, 0x0c rx timeout,
 *                                   0x02 THR empty; 0xc0 FIFOs on. FCR: bit0 FIFO on, bit1/2 reset rx/tx,
 *                                   bits 6-7 rx trigger level 1/4/8/14
 * 3    LCR             LCR          bit7 DLAB
 * 4    MCR             MCR          bit4 loopback
 * 5    LSR             -            bit0 data ready, bit1 overrun, bit4 break, bit5 THR empty,
 *                                   bit6 transmitter empty; reading clears bits 1 and 4
 * 6    MSR             -
 * 7    SCR             SCR
 * </pre>
 *
 * <p>Receive interrupts: with the FIFO on, fewer bytes than the trigger level raise the
 * character-timeout interrupt (IIR 0x0c) at once instead of four character times later,
 * because this UART has no baud-rate clock; drivers treat both alike.
 */
final class Uart16550 extends MmioDevice {

    static final long BASE = 0x1000_0000L, SIZE = 0x100L;
    static final int IRQ = 10;
    static final int FIFO = 16;
    /** The UART's input clock as QEMU virt declares it in the device tree (3.6864 MHz). */
    static final int CLOCK_HZ = 0x384000;

    private static final int LSR_DR = 0x01, LSR_OE = 0x02, LSR_BI = 0x10, LSR_THRE_TEMT = 0x60;
    private static final int FCR_FE = 0x01, FCR_RFR = 0x02, FCR_XFR = 0x04;

    private final OutputStream out;
    private final Plic plic;
    private final byte[] rx = new byte[FIFO];
    private int rxHead, rxCount;
    private int ier, lcr, mcr, scr, fcr, dll = 12, dlm;
    /** The last byte read from the receiver: what RBR shows again in 16450 mode when nothing new came. */
    private int rbr;
    /** Latched line-status errors (LSR.OE, LSR.BI), cleared by reading LSR. */
    private int lineErrors;
    /** A THR-empty interrupt is owed (set by enabling it or by transmitting, cleared by reading IIR). */
    private boolean thrPending;
    private boolean irq;

    Uart16550(OutputStream out, Plic plic) {
        super("uart", BASE, SIZE);
        this.out = out;
        this.plic = plic;
    }

    private boolean fifoOn() {
        return (fcr & FCR_FE) != 0;
    }

    private int capacity() {
        return fifoOn() ? FIFO : 1;
    }

    /** Bytes the receiver can take now: free FIFO entries, or 1 if the 16450 holding register is empty. */
    int rxSpace() {
        return capacity() - rxCount;
    }

    /** A byte from the line; beyond {@link #rxSpace()} it is an overrun (kept FIFO contents, QEMU's choice). */
    void receive(int b) {
        if (rxCount < capacity()) {
            rx[(rxHead + rxCount) % FIFO] = (byte) b;
            rxCount++;
        } else {
            lineErrors |= LSR_OE;
            if (!fifoOn()) {
                rx[rxHead] = (byte) b; // 16450: the new byte overwrites the unread one
            }
        }
        update();
    }

    private int triggerLevel() {
        return switch (fcr >>> 6) {
            case 0 -> 1;
            case 1 -> 4;
            case 2 -> 8;
            default -> 14;
        };
    }

    private int iir() {
        int fifoBits = fifoOn() ? 0xc0 : 0;
        if ((ier & 4) != 0 && lineErrors != 0) {
            return 0x06 | fifoBits;
        }
        if ((ier & 1) != 0 && rxCount > 0) {
            return (!fifoOn() || rxCount >= triggerLevel() ? 0x04 : 0x0c) | fifoBits;
        }
        if ((ier & 2) != 0 && thrPending) {
            return 0x02 | fifoBits;
        }
        return 0x01 | fifoBits;
    }

    private void update() {
        boolean level = (iir() & 1) == 0;
        if (level != irq) {
            irq = level;
            plic.setLevel(IRQ, level);
        }
    }

    @Override
    public long read(long off, int size) {
        boolean dlab = (lcr & 0x80) != 0;
        int v;
        switch ((int) off) {
            case 0 -> {
                if (dlab) {
                    v = dll;
                } else if (rxCount > 0) {
                    v = rbr = rx[rxHead] & 0xff;
                    rxHead = (rxHead + 1) % FIFO;
                    rxCount--;
                } else {
                    v = fifoOn() ? 0 : rbr;
                }
            }
            case 1 -> v = dlab ? dlm : ier;
            case 2 -> {
                v = iir();
                if ((v & 0x0f) == 0x02) {
                    thrPending = false;
                }
            }
            case 3 -> v = lcr;
            case 4 -> v = mcr;
            case 5 -> {
                v = LSR_THRE_TEMT | lineErrors | (rxCount > 0 ? LSR_DR : 0);
                lineErrors = 0;
            }
            case 6 -> v = (mcr & 0x10) != 0 ? loopbackModemStatus() : 0xb0; // DCD, DSR, CTS, as QEMU with no modem
            case 7 -> v = scr;
            default -> v = 0;
        }
        update();
        return v;
    }

    /** As {@link #read} without popping the receive FIFO, acknowledging THR empty or updating the interrupt. */
    @Override
    long peek(long off, int size) {
        boolean dlab = (lcr & 0x80) != 0;
        return switch ((int) off) {
            case 0 -> dlab ? dll : rxCount > 0 ? rx[rxHead] & 0xff : fifoOn() ? 0 : rbr;
            case 1 -> dlab ? dlm : ier;
            case 2 -> iir();
            case 3 -> lcr;
            case 4 -> mcr;
            case 5 -> LSR_THRE_TEMT | lineErrors | (rxCount > 0 ? LSR_DR : 0);
            case 6 -> (mcr & 0x10) != 0 ? loopbackModemStatus() : 0xb0;
            case 7 -> scr;
            default -> 0;
        };
    }

    /** In loopback the modem outputs drive the inputs: OUT2 -> DCD, OUT1 -> RI, RTS -> CTS, DTR -> DSR. */
    private int loopbackModemStatus() {
        return (mcr & 0x0c) << 4 | (mcr & 0x02) << 3 | (mcr & 0x01) << 5;
    }

    @Override
    public void write(long off, int size, long value) {
        int v = (int) value & 0xff;
        boolean dlab = (lcr & 0x80) != 0;
        switch ((int) off) {
            case 0 -> {
                if (dlab) {
                    dll = v;
                } else if ((mcr & 0x10) != 0) {
                    receive(v); // loopback: the byte goes straight back to the receiver
                    thrPending = true;
                } else {
                    try {
                        out.write(v);
                        out.flush();
                    } catch (IOException e) {
                        // The guest cannot see host output failures, as with a real UART.
                    }
                    thrPending = true;
                }
            }
            case 1 -> {
                if (dlab) {
                    dlm = v;
                } else {
                    boolean thrNewlyEnabled = (v & 2) != 0 && (ier & 2) == 0;
                    ier = v & 0x0f;
                    if (thrNewlyEnabled) {
                        thrPending = true;
                    }
                }
            }
            case 2 -> writeFcr(v);
            case 3 -> lcr = v;
            case 4 -> mcr = v & 0x1f;
            case 7 -> scr = v;
            default -> { }
        }
        update();
    }

    private void writeFcr(int v) {
        if (v == fcr) {
            return; // QEMU ignores a rewrite of the same value: the FIFO keeps what it holds
        }
        if (((v ^ fcr) & FCR_FE) != 0) {
            v |= FCR_RFR | FCR_XFR; // switching the FIFOs on or off empties them
        }
        if ((v & FCR_RFR) != 0) {
            rxCount = 0;
            rxHead = 0;
        }
        fcr = v & 0xc9;
    }

    @Override
    public void save(DataOutputStream out) throws IOException {
        out.write(rx);
        out.writeByte(rxHead);
        out.writeByte(rxCount);
        int[] regs = {ier, lcr, mcr, scr, fcr, dll, dlm, rbr, lineErrors};
        for (int r : regs) {
            out.writeByte(r);
        }
        out.writeBoolean(thrPending);
        out.writeBoolean(irq);
    }

    @Override
    public void load(DataInputStream in) throws IOException {
        in.readFully(rx);
        rxHead = in.readUnsignedByte();
        rxCount = in.readUnsignedByte();
        ier = in.readUnsignedByte();
        lcr = in.readUnsignedByte();
        mcr = in.readUnsignedByte();
        scr = in.readUnsignedByte();
        fcr = in.readUnsignedByte();
        dll = in.readUnsignedByte();
        dlm = in.readUnsignedByte();
        rbr = in.readUnsignedByte();
        lineErrors = in.readUnsignedByte();
        thrPending = in.readBoolean();
        irq = in.readBoolean();
        if (rxHead >= FIFO || rxCount > FIFO) {
            throw new IOException("uart receive FIFO position out of range");
        }
    }
}
