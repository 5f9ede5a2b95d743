package dev.rewind.emulator;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * SiFive test finisher at 0x10_0000 (QEMU hw/misc/sifive_test.c).
 *
 * <pre>
 * 0x0  write: low 16 bits 0x5555 = pass (exit 0), 0x3333 = fail with exit code value &gt;&gt; 16,
 *             0x7777 = reset (treated as exit 0: machine reset is not emulated); reads 0
 * </pre>
 */
final class SifiveTest extends MmioDevice {

    static final long BASE = 0x10_0000L, SIZE = 0x1000L;

    interface ExitListener {
        void exit(int code);
    }

    private final ExitListener listener;

    SifiveTest(ExitListener listener) {
        super("test", BASE, SIZE);
        this.listener = listener;
    }

    @Override
    public long read(long off, int size) {
        return 0;
    }

    @Override
    long peek(long offset, int size) {
        return read(offset, size); // reads have no side effects here
    }

    @Override
    public void write(long off, int size, long value) {
        if (off != 0) {
            return;
        }
        int status = (int) value & 0xffff;
        int code = (int) (value >>> 16) & 0xffff;
        switch (status) {
            case 0x5555, 0x7777 -> listener.exit(0);
            case 0x3333 -> listener.exit(code);
            default -> { }
        }
    }

    @Override
    public void save(DataOutputStream out) {
    }

    @Override
    public void load(DataInputStream in) throws IOException {
    }
}
