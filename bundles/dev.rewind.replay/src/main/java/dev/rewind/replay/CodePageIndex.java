package dev.rewind.replay;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

import dev.rewind.emulator.CodePages;
import dev.rewind.emulator.VirtMachine;

/**
 * Which virtual code pages each stretch of a recording ran ({@code RUN.rrlog.codepages}), written
 * by the recording: reverse continue to a breakpoint then replays only the stretch that holds its
 * last hit, not every instruction back to it. A stretch is one digest interval (10M instructions
 * by default); its pages are those {@link CodePages} noted, a superset of the pages of every
 * instruction a hart was about to execute in it, so a stretch without a breakpoint's page cannot
 * hold a hit and skipping it is exact.
 *
 * <p>Layout: a magic line, the format version, the key (the finished log's size and SHA-256), the
 * stretch bounds, then per page (ascending) the stretches that ran it, and a CRC-32C of all
 * before it. A file whose key or checksum does not match is not used (reverse continue then scans
 * every stretch, as without one), with the reason in {@link #whyNot}.
 */
public final class CodePageIndex {

    static final String SUFFIX = ".codepages";
    private static final byte[] MAGIC = "rewind code pages\n".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;

    /** Stretch k covers positions [bounds[k], bounds[k+1]). */
    private final long[] bounds;
    /** Page -> stretches that ran it, ascending. */
    private final Map<Long, int[]> stretches;

    private CodePageIndex(long[] bounds, Map<Long, int[]> stretches) {
        this.bounds = bounds;
        this.stretches = stretches;
    }

    /** Where the index of {@code log} is kept. */
    public static Path beside(Path log) {
        return log.resolveSibling(log.getFileName() + SUFFIX);
    }

    /** Number of stretches. */
    public int stretchCount() {
        return bounds.length - 1;
    }

    /**
     * The end of the latest stretch starting before {@code hi} in which one of {@code pages} ran,
     * capped at {@code hi}: no instruction on those pages was about to run in [result, hi). Returns
     * {@code hi} when {@code hi} lies beyond the indexed stretches, and -1 if none of the stretches
     * before {@code hi} ran one of the pages.
     */
    public long lastRunBefore(long hi, long[] pages) {
        if (hi > bounds[bounds.length - 1]) {
            return hi;
        }
        int i0 = Arrays.binarySearch(bounds, hi);
        int limit = i0 >= 0 ? i0 - 1 : -i0 - 2; // stretches 0..limit start before hi
        int best = -1;
        for (long page : pages) {
            int[] list = stretches.get(page);
            if (list == null) {
                continue;
            }
            int i = Arrays.binarySearch(list, limit);
            int k = i >= 0 ? list[i] : (-i - 2 >= 0 ? list[-i - 2] : -1);
            best = Math.max(best, k);
        }
        return best < 0 ? -1 : Math.min(hi, bounds[best + 1]);
    }

    /** Where stretch {@code k} starts (k = stretchCount(): the end of the last). */
    public long stretchStart(int k) {
        return bounds[k];
    }

    /** Visits every page with the stretches that ran it (ascending), pages in ascending order. */
    public void forEachPage(java.util.function.BiConsumer<Long, int[]> visitor) {
        for (var e : stretches.entrySet()) {
            visitor.accept(e.getKey(), e.getValue().clone());
        }
    }

    // ---- recording ----

    /** Collects the pages while a recording runs: {@link #boundary} at each stretch's end, {@link #finish} at the last. */
    static final class Builder {
        private final CodePages pages = new CodePages();
        private final VirtMachine machine;
        private long[] bounds = new long[64];
        private int n;
        private final TreeMap<Long, int[]> stretches = new TreeMap<>();

        Builder(VirtMachine machine) {
            this.machine = machine;
            machine.observeCodePages(pages);
            bounds[n++] = machine.icount();
            notePcs();
        }

        /** Harts that sit on a page since before the stretch (between turns, in WFI) count as about to run there. */
        private void notePcs() {
            for (int h = 0; h < machine.harts(); h++) {
                pages.note(machine.hart(h).pc());
            }
        }

        /** Ends the current stretch at the machine's position (if it moved). */
        void boundary() {
            long at = machine.icount();
            if (at <= bounds[n - 1]) {
                return;
            }
            int k = n - 1;
            for (long page : pages.drain()) {
                int[] list = stretches.get(page); // list[0] = count
                if (list == null) {
                    list = new int[4];
                } else if (list[0] + 1 >= list.length) {
                    list = Arrays.copyOf(list, list.length * 2);
                }
                list[++list[0]] = k;
                stretches.put(page, list);
            }
            if (n == bounds.length) {
                bounds = Arrays.copyOf(bounds, n * 2);
            }
            bounds[n++] = at;
            notePcs();
        }

        /** Ends the last stretch, stops observing and writes the index beside the finished {@code log}. */
        void finish(Path log) throws IOException {
            boundary();
            machine.observeCodePages(null);
            write(beside(log), key(log), Arrays.copyOf(bounds, n), stretches);
        }
    }

    private static void write(Path file, String key, long[] bounds, TreeMap<Long, int[]> stretches) throws IOException {
        Path tmp = SidecarFile.temporary(file);
        try {
            CRC32C crc = new CRC32C();
            try (OutputStream raw = Files.newOutputStream(tmp);
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new java.util.zip.CheckedOutputStream(raw, crc), 1 << 16))) {
                out.write(MAGIC);
                out.writeInt(VERSION);
                out.writeUTF(key);
                out.writeInt(bounds.length);
                for (long b : bounds) {
                    out.writeLong(b);
                }
                out.writeInt(stretches.size());
                for (var e : stretches.entrySet()) {
                    out.writeLong(e.getKey());
                    int[] list = e.getValue();
                    out.writeInt(list[0]);
                    for (int i = 1; i <= list[0]; i++) {
                        out.writeInt(list[i]);
                    }
                }
                out.flush();
                long sum = crc.getValue();
                out.writeLong(sum);
            }
            SidecarFile.replace(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** What the index depends on: the finished log's size and SHA-256. */
    private static String key(Path log) throws IOException {
        SidecarFile.Digest d = SidecarFile.digest(log);
        return "recording-size " + d.size() + " recording-sha256 " + d.sha256();
    }

    // ---- reading ----

    /** The index of {@code log}, or why there is none that fits it. */
    public record Loaded(CodePageIndex index, String whyNot) {
    }

    /** Reads the index beside {@code log}; a missing, stale or damaged one gives a reason instead. */
    public static Loaded read(Path log, long startIcount, long endIcount) {
        Path file = beside(log);
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new Loaded(null, file.getFileName() + " does not exist (recorded before it was written, or not by rewind record)");
        } catch (IOException e) {
            return new Loaded(null, file + " cannot be read: " + e.getMessage());
        }
        try {
            if (all.length < MAGIC.length + 8 || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
                return new Loaded(null, file + " is not a code-page index");
            }
            CRC32C crc = new CRC32C();
            crc.update(all, 0, all.length - 8);
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(all));
            in.skipNBytes(all.length - 8);
            if (in.readLong() != crc.getValue()) {
                return new Loaded(null, file + " is damaged: its checksum does not match");
            }
            in = new DataInputStream(new ByteArrayInputStream(all, MAGIC.length, all.length - 8 - MAGIC.length));
            int version = in.readInt();
            if (version != VERSION) {
                return new Loaded(null, file + " has format " + version + ", not " + VERSION);
            }
            if (!in.readUTF().equals(key(log))) {
                return new Loaded(null, file + " is stale: the recording changed since it was written");
            }
            int nb = in.readInt();
            if (nb < 2 || nb > all.length / 8) {
                return new Loaded(null, file + " is damaged: bad number of stretches");
            }
            long[] bounds = new long[nb];
            for (int i = 0; i < nb; i++) {
                bounds[i] = in.readLong();
                if (i > 0 && bounds[i] <= bounds[i - 1]) {
                    return new Loaded(null, file + " is damaged: stretch bounds out of order");
                }
            }
            if (bounds[0] != startIcount || bounds[nb - 1] != endIcount) {
                return new Loaded(null, file + " covers [" + bounds[0] + ", " + bounds[nb - 1] + "), not the recording's ["
                        + startIcount + ", " + endIcount + ")");
            }
            int np = in.readInt();
            if (np < 0 || np > all.length / 12) {
                return new Loaded(null, file + " is damaged: bad number of pages");
            }
            Map<Long, int[]> stretches = new TreeMap<>();
            for (int i = 0; i < np; i++) {
                long page = in.readLong();
                int count = in.readInt();
                if (count < 1 || count > nb - 1) {
                    return new Loaded(null, file + " is damaged: bad stretch list of page 0x" + Long.toHexString(page));
                }
                int[] list = new int[count];
                for (int j = 0; j < count; j++) {
                    list[j] = in.readInt();
                    if (list[j] < 0 || list[j] >= nb - 1 || (j > 0 && list[j] <= list[j - 1])) {
                        return new Loaded(null, file + " is damaged: bad stretch in the list of page 0x" + Long.toHexString(page));
                    }
                }
                stretches.put(page, list);
            }
            if (in.available() != 0) {
                return new Loaded(null, file + " is damaged: bytes after the index");
            }
            return new Loaded(new CodePageIndex(bounds, stretches), null);
        } catch (EOFException e) {
            return new Loaded(null, file + " is damaged: it ends early");
        } catch (IOException e) {
            return new Loaded(null, file + " cannot be read: " + e.getMessage());
        }
    }
}
