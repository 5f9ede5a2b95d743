package dev.rewind.emulator;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The 32 MiB array of one flash bank as 4 KiB pages over its starting {@link FlashImage}. A page
 * the guest changes becomes a private copy and is marked changed; only changed pages go into the
 * machine state, so a snapshot of a bank the guest never wrote costs a few bytes, and the state
 * of a bank is its image plus the saved pages.
 */
final class FlashPages {

    static final int PAGE = FlashImage.PAGE;
    private static final int PAGES = FlashImage.PAGES;
    private static final int KIND_ZERO = 0, KIND_ERASED = 1, KIND_DATA = 2;

    /** Told of every page whose contents may have changed (after the change). */
    interface Listener {
        void pageChanged(int page);
    }

    private final FlashImage image;
    private Listener listener = page -> { };
    /** Current contents; null = zero. Arrays not {@link #owned} are shared and never modified. */
    private final byte[][] pages = new byte[PAGES][];
    private final boolean[] owned = new boolean[PAGES];
    /** Pages touched since the image was loaded (they are what {@link #save} writes). */
    private final boolean[] changed = new boolean[PAGES];
    /**
     * How many pages {@link #changed} marks: a machine without flash writes (nearly all) saves
     * and loads its banks without visiting their 8,192 pages at every snapshot.
     */
    private int changedCount;

    /** @param image the starting contents, or null for a bank without a file (all zero, as QEMU) */
    FlashPages(FlashImage image) {
        this.image = image;
        for (int pg = 0; pg < PAGES; pg++) {
            pages[pg] = image == null ? null : image.page(pg);
        }
    }

    void listen(Listener l) {
        listener = l;
    }

    /** Current contents of page {@code pg}; null = zero. Must not be modified. */
    byte[] page(int pg) {
        return pages[pg];
    }

    int get(long off) {
        byte[] p = pages[(int) (off >>> 12)];
        return p == null ? 0 : p[(int) off & (PAGE - 1)] & 0xff;
    }

    /** Little-endian read of {@code size} bytes (QEMU's ldn_le_p). */
    long read(long off, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = v << 8 | get(off + i);
        }
        return v;
    }

    /** Little-endian write of {@code size} bytes (QEMU's stn_le_p). */
    void write(long off, int size, long value) {
        for (int i = 0; i < size; i++) {
            writable(off + i)[(int) (off + i) & (PAGE - 1)] = (byte) (value >>> (8 * i));
        }
        changed(off, size);
    }

    private void changed(long off, long len) {
        for (long pg = off >>> 12; pg <= (off + len - 1) >>> 12; pg++) {
            listener.pageChanged((int) pg);
        }
    }

    void copyOut(long off, byte[] dst, int len) {
        for (int i = 0; i < len; i++) {
            dst[i] = (byte) get(off + i);
        }
    }

    void copyIn(long off, byte[] src, int len) {
        for (int i = 0; i < len; i++) {
            writable(off + i)[(int) (off + i) & (PAGE - 1)] = src[i];
        }
        changed(off, len);
    }

    /** Sets [off, off + len) to 0xff; whole pages share the erased page instead of being copied. */
    void erase(long off, long len) {
        for (long a = off; a < off + len; ) {
            int pg = (int) (a >>> 12);
            if ((a & (PAGE - 1)) == 0 && a + PAGE <= off + len) {
                pages[pg] = FlashImage.ERASED_PAGE;
                owned[pg] = false;
                markChanged(pg);
                a += PAGE;
            } else {
                writable(a)[(int) a & (PAGE - 1)] = (byte) 0xff;
                a++;
            }
        }
        changed(off, len);
    }

    private void markChanged(int pg) {
        if (!changed[pg]) {
            changed[pg] = true;
            changedCount++;
        }
    }

    private byte[] writable(long off) {
        int pg = (int) (off >>> 12);
        if (!owned[pg]) {
            byte[] p = pages[pg];
            pages[pg] = p == null ? new byte[PAGE] : p.clone();
            owned[pg] = true;
            markChanged(pg);
        }
        return pages[pg];
    }

    /**
     * Writes the bytes of [off, off + len) back to the image's file, widened to 512-byte sectors
     * as QEMU's pflash_update does (output only; see {@link FlashImage#writeBack}).
     */
    void writeBack(long off, long len) {
        if (image == null || !image.writesThrough()) {
            return;
        }
        long from = off & ~511L;
        long to = (off + len + 511) & ~511L;
        byte[] buf = new byte[PAGE];
        for (long a = from; a < to; ) {
            int n = (int) Math.min(to - a, PAGE - (a & (PAGE - 1)));
            copyOut(a, buf, n);
            image.writeBack(a, buf, n);
            a += n;
        }
    }

    /** Changed pages in ascending order, each as index, kind and (for data) its bytes: canonical. */
    void save(DataOutputStream out) throws IOException {
        out.writeInt(changedCount);
        for (int pg = 0; pg < PAGES && changedCount > 0; pg++) {
            if (!changed[pg]) {
                continue;
            }
            byte[] p = pages[pg];
            out.writeInt(pg);
            if (p == null || FlashImage.isFilled(p, (byte) 0)) {
                out.writeByte(KIND_ZERO);
            } else if (FlashImage.isFilled(p, (byte) 0xff)) {
                out.writeByte(KIND_ERASED);
            } else {
                out.writeByte(KIND_DATA);
                out.write(p);
            }
        }
    }

    void load(DataInputStream in) throws IOException {
        for (int pg = 0; pg < PAGES && changedCount > 0; pg++) {
            if (changed[pg]) {
                pages[pg] = image == null ? null : image.page(pg);
                owned[pg] = false;
                changed[pg] = false;
                changedCount--;
                listener.pageChanged(pg);
            }
        }
        int count = in.readInt();
        if (count < 0 || count > PAGES) {
            throw new IOException("bad flash page count " + count);
        }
        for (int i = 0; i < count; i++) {
            int pg = in.readInt();
            if (pg < 0 || pg >= PAGES) {
                throw new IOException("flash page " + pg + " lies outside the bank");
            }
            int kind = in.readUnsignedByte();
            switch (kind) {
                case KIND_ZERO -> {
                    pages[pg] = null;
                    owned[pg] = false;
                }
                case KIND_ERASED -> {
                    pages[pg] = FlashImage.ERASED_PAGE;
                    owned[pg] = false;
                }
                case KIND_DATA -> {
                    byte[] p = new byte[PAGE];
                    in.readFully(p);
                    pages[pg] = p;
                    owned[pg] = true;
                }
                default -> throw new IOException("bad flash page kind " + kind);
            }
            markChanged(pg);
            listener.pageChanged(pg);
        }
    }
}
