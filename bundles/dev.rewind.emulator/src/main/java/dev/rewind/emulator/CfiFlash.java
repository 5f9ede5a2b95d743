package dev.rewind.emulator;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * One CFI parallel flash bank of QEMU virt (hw/block/pflash_cfi01.c as in Debian's QEMU 7.2, with
 * its block-write update buffer): 32 MiB at 0x2000_0000 (bank 0) or 0x2200_0000 (bank 1), bank
 * width 4 bytes made of two x16 devices (device width 2), 256 KiB erase sectors, Intel/Sharp
 * command set (CFI primary command set 0x0001; JEDEC JESD68 "Common Flash Interface" for the
 * query table, Intel's "Basic Command Set" for the commands), manufacturer 0x89, device 0x18.
 *
 * <pre>
 * write cycle 1 (byte = command)       then                          reads afterwards
 * 0xff / 0xf0 / 0x00  read array                                      array data
 * 0x70  read status register                                          status
 * 0x90  read identifier                                               id at offset/4: 0 = 0x89, 1 = 0x18
 * 0x98  CFI query                                                     table byte at offset/4
 * 0x10 / 0x40  program                  data write (1, 2 or 4 bytes)  status
 * 0x20  block erase (sector -> 0xff at once)  0xd0 confirm            status
 * 0xe8  write to buffer                 count-1, count+1 data writes
 *                                       into a 4 KiB buffer, 0xd0     status
 * 0x50  clear status                                                  array data
 * 0x60  lock setup                      0xd0 / 0x01 (accepted, no effect)
 * status: bit7 ready (always), bit5 erase error, bit4 program error
 * </pre>
 * Identifier and query answers of one x16 device are repeated in both halves of the 32-bit bank,
 * as are status reads of 4 bytes. An 8-byte access is two 4-byte accesses, low half first
 * (QEMU's memory core splits it). Program writes the value as given (bits are not AND-ed into
 * the array, as on QEMU). Operations complete at once: status is never busy.
 *
 * <p>Reads in read-array mode return the array; QEMU serves them from its ROM-device mapping,
 * which it leaves at the first command write and re-enters only through read array, so the
 * answers here are the same.
 */
final class CfiFlash extends MmioDevice {

    static final long BASE = 0x2000_0000L;
    static final long SECTOR = 256 << 10;
    static final int WRITE_BUFFER = 4096;
    private static final int BANK_WIDTH = 4;
    private static final int ID_MANUFACTURER = 0x89, ID_DEVICE = 0x18;
    private static final int READY = 0x80, ERASE_ERROR = 0x20, PROGRAM_ERROR = 0x10;
    private static final byte[] CFI = cfiTable();

    private final FlashPages array;
    private int cmd;
    private int wcycle;
    private int status = READY;
    private long counter;
    /** Start of the block being written through the update buffer, or -1. */
    private long bufferOffset = -1;
    private final byte[] buffer = new byte[WRITE_BUFFER];
    /** A copy of the array that instructions are fetched from, made when code first runs from flash. */
    private Memory code;

    /** Bank {@code unit} (0 or 1) starting with {@code image}'s contents, or all zero if null (QEMU without a drive). */
    CfiFlash(int unit, FlashImage image) {
        super("flash" + unit, BASE + unit * FlashImage.BANK_SIZE, FlashImage.BANK_SIZE);
        this.array = new FlashPages(image);
    }

    /**
     * The query table of one x16 device: a 16 MiB device of 128 blocks of 128 KiB (each bank
     * sector spans both devices), 2 KiB write buffer per device, "PRI" extended table at 0x31.
     */
    private static byte[] cfiTable() {
        byte[] t = new byte[0x52];
        int[][] entries = {
            {0x10, 'Q'}, {0x11, 'R'}, {0x12, 'Y'}, {0x13, 0x01}, {0x15, 0x31},
            {0x1b, 0x45}, {0x1c, 0x55}, {0x1f, 0x07}, {0x20, 0x07}, {0x21, 0x0a},
            {0x23, 0x04}, {0x24, 0x04}, {0x25, 0x04},
            {0x27, 24}, {0x28, 0x02}, {0x2a, 0x0b}, {0x2c, 0x01},
            {0x2d, 127}, {0x2f, (int) ((SECTOR / 2) >> 8) & 0xff}, {0x30, (int) ((SECTOR / 2) >> 16)},
            {0x31, 'P'}, {0x32, 'R'}, {0x33, 'I'}, {0x34, '1'}, {0x35, '0'}, {0x3f, 0x01},
        };
        for (int[] e : entries) {
            t[e[0]] = (byte) e[1];
        }
        return t;
    }

    /**
     * Firmware can run from flash (QEMU 7.2 jumps to bank 0 when it has a file): fetches read this
     * copy of the array, kept equal to it page by page. They read the array in any command mode
     * (QEMU would fetch status or query bytes then; no firmware executes the bank it is programming).
     */
    @Override
    Memory code() {
        if (code == null) {
            code = new Memory(base(), (int) size(), false);
            for (int pg = 0; pg < FlashImage.PAGES; pg++) {
                copyToCode(pg);
            }
            array.listen(pg -> {
                copyToCode(pg);
                code.forgetDecoded(pg);
            });
        }
        return code;
    }

    private void copyToCode(int pg) {
        byte[] p = array.page(pg);
        if (p == null) {
            java.util.Arrays.fill(code.data, pg * FlashPages.PAGE, (pg + 1) * FlashPages.PAGE, (byte) 0);
        } else {
            System.arraycopy(p, 0, code.data, pg * FlashPages.PAGE, FlashPages.PAGE);
        }
    }

    @Override
    long read(long offset, int size) {
        if (size == 8) {
            return read32(offset) | read32(offset + 4) << 32;
        }
        long v = switch (cmd) {
            case 0x00 -> array.read(offset, size);
            case 0x90 -> replicate(identifier((int) (offset >>> 2) & 0xff));
            case 0x98 -> replicate(offset >>> 2 < CFI.length ? CFI[(int) (offset >>> 2)] & 0xff : 0);
            default -> size == 4 ? status | status << 16 : status;
        };
        return v & (-1L >>> (64 - 8 * size));
    }

    @Override
    long peek(long offset, int size) {
        return read(offset, size); // reads have no side effects here
    }

    /** Identifier codes repeat every 256 addresses (the others would be block lock bits, not emulated). */
    private static int identifier(int index) {
        return index == 0 ? ID_MANUFACTURER : index == 1 ? ID_DEVICE : 0;
    }

    private long read32(long offset) {
        return read(offset, 4) & 0xffffffffL;
    }

    /** One x16 device's answer repeated for the second device of the bank. */
    private static long replicate(int deviceAnswer) {
        long v = deviceAnswer & 0xffff;
        return v | v << 16;
    }

    @Override
    void write(long offset, int size, long value) {
        if (size == 8) {
            write(offset, 4, value & 0xffffffffL);
            write(offset + 4, 4, value >>> 32);
            return;
        }
        int c = (int) value & 0xff;
        switch (wcycle) {
            case 0 -> firstCycle(offset, c);
            case 1 -> secondCycle(offset, size, value, c);
            case 2 -> bufferData(offset, size, value);
            case 3 -> {
                if (c == 0xd0 && (status & PROGRAM_ERROR) == 0) {
                    array.copyIn(bufferOffset, buffer, WRITE_BUFFER);
                    array.writeBack(bufferOffset, WRITE_BUFFER);
                    bufferOffset = -1;
                    wcycle = 0;
                    status |= READY;
                } else {
                    bufferOffset = -1;
                    readArray();
                }
            }
            default -> readArray();
        }
    }

    private void firstCycle(long offset, int c) {
        switch (c) {
            case 0x00, 0xf0, 0xff -> readArray();
            case 0x50 -> {
                status = 0;
                readArray();
            }
            case 0x70, 0x90 -> cmd = c;
            case 0x20 -> {
                long sector = offset & ~(SECTOR - 1);
                array.erase(sector, SECTOR);
                array.writeBack(sector, SECTOR);
                status |= READY;
                next(c);
            }
            case 0xe8 -> {
                status |= READY;
                next(c);
            }
            case 0x10, 0x40, 0x60, 0x98 -> next(c);
            default -> readArray(); // QEMU logs an unimplemented sequence and returns to read array
        }
    }

    private void next(int c) {
        wcycle = 1;
        cmd = c;
    }

    private void secondCycle(long offset, int size, long value, int c) {
        switch (cmd) {
            case 0x10, 0x40 -> {
                dataWrite(offset, size, value);
                array.writeBack(offset, size);
                status |= READY;
                wcycle = 0;
            }
            case 0x20 -> {
                if (c == 0xd0) {
                    wcycle = 0;
                    status |= READY;
                } else {
                    readArray();
                }
            }
            case 0xe8 -> {
                counter = value & 0xffff; // the count is read as one device's width
                wcycle = 2;
                bufferOffset = offset & ~(long) (WRITE_BUFFER - 1);
                array.copyOut(bufferOffset, buffer, WRITE_BUFFER);
            }
            case 0x60 -> {
                if (c == 0xd0 || c == 0x01) {
                    wcycle = 0;
                    status |= READY;
                } else {
                    readArray();
                }
            }
            case 0x98 -> {
                if (c == 0xff) {
                    readArray();
                } // any other write leaves query mode on QEMU's trace only: the state stays
            }
            default -> readArray();
        }
    }

    private void bufferData(long offset, int size, long value) {
        if (cmd != 0xe8) {
            readArray();
            return;
        }
        if (bufferOffset >= 0) {
            dataWrite(offset, size, value);
        } else {
            status |= PROGRAM_ERROR;
        }
        status |= READY;
        if (counter == 0) {
            wcycle = 3;
        }
        counter--;
    }

    /** A program write: into the update buffer while a buffered write is open, else into the array. */
    private void dataWrite(long offset, int size, long value) {
        if (bufferOffset >= 0) {
            if (offset < bufferOffset || offset + size > bufferOffset + WRITE_BUFFER) {
                status |= PROGRAM_ERROR;
                return;
            }
            for (int i = 0; i < size; i++) {
                buffer[(int) (offset - bufferOffset) + i] = (byte) (value >>> (8 * i));
            }
        } else {
            array.write(offset, size, value);
        }
    }

    private void readArray() {
        wcycle = 0;
        cmd = 0;
    }

    @Override
    void save(DataOutputStream out) throws IOException {
        out.writeByte(cmd);
        out.writeByte(wcycle);
        out.writeByte(status);
        out.writeLong(counter);
        out.writeLong(bufferOffset);
        if (bufferOffset >= 0) {
            out.write(buffer);
        }
        array.save(out);
    }

    @Override
    void load(DataInputStream in) throws IOException {
        cmd = in.readUnsignedByte();
        wcycle = in.readUnsignedByte();
        status = in.readUnsignedByte();
        counter = in.readLong();
        bufferOffset = in.readLong();
        if (bufferOffset >= 0) {
            if (bufferOffset > size() - WRITE_BUFFER || (bufferOffset & (WRITE_BUFFER - 1)) != 0) {
                throw new IOException("bad flash write buffer offset " + bufferOffset);
            }
            in.readFully(buffer);
        }
        array.load(in);
    }
}
