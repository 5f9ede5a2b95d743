package dev.rewind.qcow2;

import java.io.IOException;
import java.util.Arrays;

/** Compares two disk images' contents as {@code qemu-img compare} does (512-byte granularity). */
public final class ImageComparison {

    /** No difference found. */
    public static final long IDENTICAL = -1;

    private static final int CHUNK = 4 << 20;

    private ImageComparison() {
    }

    /**
     * Returns the offset of the first 512-byte sector that differs, or {@link #IDENTICAL}. A
     * size difference counts only where the larger image holds non-zero data.
     */
    public static long firstDifference(DiskImage a, DiskImage b) throws IOException {
        long common = Math.min(a.size(), b.size());
        byte[] ba = new byte[CHUNK];
        byte[] bb = new byte[CHUNK];
        long off = 0;
        while (off < common) {
            long sa = a.status(off, Math.min(CHUNK, common - off));
            long sb = b.status(off, Math.min(CHUNK, common - off));
            int len = (int) Math.min(Math.abs(sa), Math.abs(sb));
            if (sa < 0 && sb < 0) {
                off += len;
                continue;
            }
            a.read(off, ba, 0, len);
            b.read(off, bb, 0, len);
            int m = Arrays.mismatch(ba, 0, len, bb, 0, len);
            if (m >= 0) {
                return (off + m) & ~511L;
            }
            off += len;
        }
        DiskImage larger = a.size() > b.size() ? a : b;
        byte[] zero = new byte[CHUNK];
        while (off < larger.size()) {
            long st = larger.status(off, Math.min(CHUNK, larger.size() - off));
            int len = (int) Math.abs(st);
            if (st > 0) {
                larger.read(off, ba, 0, len);
                int m = Arrays.mismatch(ba, 0, len, zero, 0, len);
                if (m >= 0) {
                    return (off + m) & ~511L;
                }
            }
            off += len;
        }
        return IDENTICAL;
    }
}
