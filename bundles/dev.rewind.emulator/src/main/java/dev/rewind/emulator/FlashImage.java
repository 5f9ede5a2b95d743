package dev.rewind.emulator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What one CFI flash bank of the virt machine starts with: the 32 MiB of a raw file, read whole
 * when the machine is built (as QEMU's pflash_cfi01 reads its drive), and optionally the file
 * the guest's program and erase operations are written back to.
 *
 * <p>{@link #read} never writes the file: the bank's changes live in the machine state only, which
 * is what recording and replay need (the file stays the recording's starting contents, checked by
 * its SHA-256). {@link #writeThrough} writes every change back as QEMU does, for plain runs.
 * Writing back is output only: what the guest sees never depends on it.
 */
public final class FlashImage implements AutoCloseable {

    /** Size of one bank on QEMU 7.2 virt: the 64 MiB flash window at 0x2000_0000 split in two. */
    public static final long BANK_SIZE = 32L << 20;
    static final int PAGE = 4096;
    static final int PAGES = (int) (BANK_SIZE / PAGE);
    /** Shared contents of pages that hold only 0xff (erased flash). Never modified. */
    static final byte[] ERASED_PAGE = filled((byte) 0xff);

    private final Path file;
    private final String sha256;
    /** Page contents; null = all zero. Never modified (the bank copies a page before changing it). */
    private final byte[][] pages;
    private final FileChannel writeBack;
    private IOException writeError;

    private FlashImage(Path file, String sha256, byte[][] pages, FileChannel writeBack) {
        this.file = file;
        this.sha256 = sha256;
        this.pages = pages;
        this.writeBack = writeBack;
    }

    /** The file's contents; the file itself is never written. */
    public static FlashImage read(Path file) throws IOException {
        return open(file, false);
    }

    /** The file's contents; program and erase operations are written back to the file, as on QEMU. */
    public static FlashImage writeThrough(Path file) throws IOException {
        return open(file, true);
    }

    /**
     * The images of the banks named by {@code files} (unit order, null = no file); the array is
     * {@link MachineConfig#PFLASH_BANKS} long. On a failure the images opened so far are closed.
     */
    public static FlashImage[] banks(java.util.List<Path> files, boolean writeThrough) throws IOException {
        FlashImage[] out = new FlashImage[MachineConfig.PFLASH_BANKS];
        try {
            for (int unit = 0; unit < files.size(); unit++) {
                if (files.get(unit) != null) {
                    out[unit] = open(files.get(unit), writeThrough);
                }
            }
            return out;
        } catch (IOException e) {
            closeAll(out);
            throw e;
        }
    }

    /** Closes each image (writing back what is pending), keeping the first failure. */
    public static void closeAll(FlashImage[] images) throws IOException {
        IOException first = null;
        for (FlashImage f : images) {
            try {
                if (f != null) {
                    f.close();
                }
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static FlashImage open(Path file, boolean writeBack) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("pflash " + file + ": no such file");
        }
        long size = Files.size(file);
        if (size != BANK_SIZE) {
            throw new IOException("pflash " + file + ": " + size + " bytes; a virt flash bank is exactly " + BANK_SIZE
                    + " bytes (32 MiB), as on QEMU (pad it with 'truncate -s 32M " + file + "')");
        }
        FileChannel ch = writeBack ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(file, StandardOpenOption.READ);
        try {
            MessageDigest sha = sha256();
            byte[][] pages = new byte[PAGES][];
            ByteBuffer buf = ByteBuffer.allocate(PAGE);
            for (int pg = 0; pg < PAGES; pg++) {
                buf.clear();
                while (buf.hasRemaining()) {
                    if (ch.read(buf, (long) pg * PAGE + buf.position()) < 0) {
                        throw new IOException("pflash " + file + ": shrank while being read");
                    }
                }
                byte[] b = buf.array();
                sha.update(b);
                pages[pg] = shared(b);
            }
            String hex = HexFormat.of().formatHex(sha.digest());
            if (!writeBack) {
                ch.close();
                ch = null;
            }
            return new FlashImage(file, hex, pages, ch);
        } catch (IOException e) {
            if (ch != null) {
                ch.close();
            }
            throw e;
        }
    }

    /** The page as stored: null for zeros, the shared erased page for 0xff, else a copy. */
    private static byte[] shared(byte[] page) {
        if (isFilled(page, (byte) 0)) {
            return null;
        }
        if (isFilled(page, (byte) 0xff)) {
            return ERASED_PAGE;
        }
        return page.clone();
    }

    static boolean isFilled(byte[] page, byte value) {
        for (byte b : page) {
            if (b != value) {
                return false;
            }
        }
        return true;
    }

    private static byte[] filled(byte v) {
        byte[] b = new byte[PAGE];
        java.util.Arrays.fill(b, v);
        return b;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    public Path file() {
        return file;
    }

    /** SHA-256 of the starting contents (lower-case hex). */
    public String sha256Hex() {
        return sha256;
    }

    /** True if the guest's changes are written back to {@link #file()}. */
    public boolean writesThrough() {
        return writeBack != null;
    }

    /** Starting contents of page {@code pg} (null = zero). The array must not be modified. */
    byte[] page(int pg) {
        return pages[pg];
    }

    /**
     * Writes back bytes the guest changed, widened to 512-byte sectors as QEMU's pflash_update does.
     * A failure is kept (see {@link #writeError()}); the machine runs on with its own copy.
     */
    void writeBack(long offset, byte[] data, int len) {
        if (writeBack == null || writeError != null) {
            return;
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(data, 0, len);
            while (b.hasRemaining()) {
                writeBack.write(b, offset + b.position());
            }
        } catch (IOException e) {
            writeError = e;
        }
    }

    /** The first failure to write the guest's changes back to the file, or null. */
    public IOException writeError() {
        return writeError;
    }

    /** Forces written-back changes to the file and closes it (a no-op for {@link #read} images). */
    @Override
    public void close() throws IOException {
        if (writeBack != null && writeBack.isOpen()) {
            try {
                writeBack.force(false);
            } finally {
                writeBack.close();
            }
        }
    }
}
