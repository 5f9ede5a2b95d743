package dev.rewind.emulator.reference;

import java.nio.charset.StandardCharsets;

/** Outcome of one complete QEMU run: what the guest printed on the UART and QEMU's exit code. */
public final class QemuRun {
    private final byte[] uart;
    private final int exitCode;

    QemuRun(byte[] uart, int exitCode) {
        this.uart = uart.clone();
        this.exitCode = exitCode;
    }

    /** UART bytes exactly as QEMU wrote them. */
    public byte[] uartBytes() {
        return uart.clone();
    }

    /** UART output decoded as UTF-8 (guests print ASCII). */
    public String uart() {
        return new String(uart, StandardCharsets.UTF_8);
    }

    /** 0 for the finisher's pass value 0x5555, the code for (code << 16) | 0x3333. */
    public int exitCode() {
        return exitCode;
    }

    @Override
    public String toString() {
        return "QemuRun[exit=" + exitCode + ", uart=" + uart.length + " bytes]";
    }
}
