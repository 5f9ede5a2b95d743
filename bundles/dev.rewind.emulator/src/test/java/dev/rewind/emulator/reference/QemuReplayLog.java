package dev.rewind.emulator.reference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a QEMU 7.2 record/replay log (-icount rr=record) far enough to add up its
 * instruction events. The sum is the icount at the last logged event; the monitor
 * confirms it by replay (see QemuReference.icountAtExit).
 * Event codes follow QEMU 7.1–8.0's replay-internal.h (log version 0xe0200c).
 */
final class QemuReplayLog {
    static final int VERSION_7_2 = 0xe0200c;
    private static final int HEADER = 12;

    private QemuReplayLog() {
    }

    /** Total of all INSTRUCTION event deltas in the log. */
    static long instructionCount(Path log) {
        byte[] d;
        try {
            d = Files.readAllBytes(log);
        } catch (IOException e) {
            throw new QemuReferenceException("cannot read replay log " + log + ": " + e.getMessage(), e);
        }
        if (d.length < HEADER) {
            throw new QemuReferenceException("replay log " + log + " is shorter than its header");
        }
        int version = (int) be(d, 0, 4);
        if (version != VERSION_7_2) {
            throw new QemuReferenceException(String.format(
                    "replay log %s has version 0x%x, expected 0x%x (QEMU 7.1-8.0)", log, version, VERSION_7_2));
        }
        long total = 0;
        int i = HEADER;
        while (i < d.length) {
            int at = i;
            int kind = d[i++] & 0xff;
            try {
                if (kind == 0) {                                  // INSTRUCTION: u32 delta
                    total += be(d, i, 4);
                    i += 4;
                } else if (kind == 1 || kind == 2 || kind == 6
                        || (kind >= 10 && kind <= 21) || (kind >= 30 && kind <= 38)) {
                    // INTERRUPT, EXCEPTION, INPUT_SYNC, SHUTDOWN+cause, CHECKPOINT+id: no payload
                } else if (kind == 3 || kind == 4 || kind == 8 || kind == 25 || kind == 28 || kind == 29) {
                    i += 8;                                       // BH ids, BLOCK id, AUDIO_OUT, CLOCK value
                } else if (kind == 7) {
                    i = skipArray(d, i + 1);                      // CHAR_READ: u8 backend + array
                } else if (kind == 9) {
                    i = skipArray(d, i + 5);                      // NET: u8 filter + u32 flags + array
                } else if (kind == 22) {
                    i += 8;                                       // CHAR_WRITE: u32 result + u32 offset
                } else if (kind == 23) {
                    i = skipArray(d, i);                          // CHAR_READ_ALL
                } else if (kind == 24) {
                    i += 4;                                       // CHAR_READ_ALL_ERROR
                } else if (kind == 27) {
                    i = skipArray(d, i + 4);                      // RANDOM: u32 ret + array
                } else if (kind == 39) {
                    return total;                                 // END
                } else {
                    throw new QemuReferenceException(String.format(
                            "replay log %s: event kind %d at offset %d is not understood", log, kind, at));
                }
            } catch (ArrayIndexOutOfBoundsException e) {
                break;
            }
            if (i > d.length) {
                break;
            }
        }
        throw new QemuReferenceException("replay log " + log + " ends without an END event");
    }

    private static int skipArray(byte[] d, int i) {
        return i + 4 + (int) be(d, i, 4);
    }

    private static long be(byte[] d, int at, int n) {
        if (at + n > d.length) {
            throw new ArrayIndexOutOfBoundsException(at + n);
        }
        long v = 0;
        for (int k = 0; k < n; k++) {
            v = v << 8 | (d[at + k] & 0xff);
        }
        return v;
    }
}
