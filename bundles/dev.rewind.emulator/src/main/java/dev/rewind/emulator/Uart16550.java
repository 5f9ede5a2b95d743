package dev.rewind.emulator;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * NS16550A UART at 0x1000_0000, register shift 0, interrupt to PLIC source 10 (as QEMU virt).
 * Transmit is instantaneous (THR is always empty); receive bytes arrive only through the
 * {@link InputPort} into a 16-byte FIFO, or from THR in loopback mode (MCR bit 4).
 *
 * <pre>
 * off  read            write        (DLAB=1: 0 = DLL, 1 = DLM)
 * 0    RBR             THR
 * 1    IER             IER          bit0 rx data, bit1 THR empty, bit2 line status
 * 2    IIR             FCR          IIR: 0x01 none, 0x04 rx data, 0x02 THR empty; 0xc0 FIFOs on
 * 3    LCR             LCR          bit7 DLAB
 * 4    MCR             MCR
 * 5    LSR             -            bit0 data ready, bit5 THR empty, bit6 transmitter empty
 * 6    MSR             -
 * 7    SCR             SCR
 * </pre>
 */
final class Uart16550 extends MmioDevice {

    static final long BASE = 0x1000_0000L, SIZE = 0x100L;
    static final int IRQ = 10;
    static final int FIFO = 16;

    private final OutputStream out;
    private final Plic plic;
    private final byte[] rx = new byte[FIFO];
    private int rxHead, rxCount;
    private int ier, lcr, mcr, scr, fcr, dll = 12, dlm;
    /** A THR-empty interrupt is owed (set by enabling it or by transmitting, cleared by reading IIR). */
    private boolean thrPending;
    private boolean irq;

    Uart16550(OutputStream out, Plic plic) {
        super("uart", BASE, SIZE);
        this.out = out;
        this.plic = plic;
    }

    int rxSpace() {
        return FIFO - rxCount;
    }

    void receive(int b) {
        if (rxCount < FIFO) {
            rx[(rxHead + rxCount) % FIFO] = (byte) b;
            rxCount++;
            update();
        }
    }

    private int iir() {
        int fifoBits = (fcr & 1) != 0 ? 0xc0 : 0;
        if ((ier & 1) != 0 && rxCount > 0) {
            return 0x04 | fifoBits;
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
                    v = rx[rxHead] & 0xff;
                    rxHead = (rxHead + 1) % FIFO;
                    rxCount--;
                } else {
                    v = 0;
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
            case 5 -> v = 0x60 | (rxCount > 0 ? 1 : 0);
            case 6 -> v = 0xb0; // DCD, DSR, CTS asserted, as QEMU reports with no modem
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
            case 0 -> dlab ? dll : rxCount > 0 ? rx[rxHead] & 0xff : 0;
            case 1 -> dlab ? dlm : ier;
            case 2 -> iir();
            case 3 -> lcr;
            case 4 -> mcr;
            case 5 -> 0x60 | (rxCount > 0 ? 1 : 0);
            case 6 -> 0xb0;
            case 7 -> scr;
            default -> 0;
        };
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
            case 2 -> {
                fcr = v & 0xc9;
                if ((v & 2) != 0) {
                    rxCount = 0;
                    rxHead = 0;
                }
            }
            case 3 -> lcr = v;
            case 4 -> mcr = v & 0x1f;
            case 7 -> scr = v;
            default -> { }
        }
        update();
    }

    @Override
    public void save(DataOutputStream out) throws IOException {
        out.write(rx);
        out.writeByte(rxHead);
        out.writeByte(rxCount);
        int[] regs = {ier, lcr, mcr, scr, fcr, dll, dlm};
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
        thrPending = in.readBoolean();
        irq = in.readBoolean();
    }
}
