package dev.rewind.replay.query;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

import dev.rewind.replay.SidecarFile;
import dev.rewind.replay.Timeline;

/**
 * A {@link RecordingIndex} saved beside its recording ({@code RUN.rrlog.qindex}), so that the next
 * process that queries the recording reads it instead of replaying the whole recording again.
 *
 * <p>Layout: a magic line, the format version, the key (the recording log's size and SHA-256, which
 * also covers the boot files and program whose SHA-256 the log's header holds and the replay checks;
 * the engine's snapshot interval and write-log budget), the index, and a CRC-32C of everything
 * before it. A file whose key differs is stale, one that does not read back whole and consistent is
 * damaged: either way {@link #read} says why and the engine builds the index again by replaying and
 * replaces the file. The file is written to a temporary name and moved over the old one, so a
 * reader never sees half of it; the recording itself is only read.
 */
final class IndexFile {

    static final String SUFFIX = ".qindex";
    private static final byte[] MAGIC = "rewind query index\n".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 2;

    /** Why a saved index cannot be used: stale or damaged, in words. */
    static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;

        Unusable(String why) {
            super(why);
        }
    }

    private IndexFile() {
    }

    /** Where the index of {@code log} is kept. */
    static Path beside(Path log) {
        return log.resolveSibling(log.getFileName() + SUFFIX);
    }

    /** What an index depends on, as text (one "name value" per line). */
    static String key(Path log, long interval, WriteLog.Budget budget) throws IOException {
        SidecarFile.Digest d = SidecarFile.digest(log);
        return "recording-size " + d.size() + "\nrecording-sha256 " + d.sha256()
                + "\nsnapshot-interval " + interval + "\nwrite-log-budget " + budget.perPage() + "/" + budget.perInterval()
                + "/" + budget.maxBackoff() + "/" + budget.capacity() + "\n";
    }

    static void write(Path file, String key, RecordingIndex index) throws IOException {
        Path tmp = SidecarFile.temporary(file);
        try {
            CRC32C crc = new CRC32C();
            try (OutputStream raw = Files.newOutputStream(tmp);
                    CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(raw, 1 << 16), crc);
                    Out out = new Out(checked)) {
                out.write(MAGIC);
                out.writeInt(VERSION);
                out.writeString(key);
                index.writeTo(out);
                out.flush();
                out.writeLong(crc.getValue());
            }
            SidecarFile.replace(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads the index saved in {@code file} for {@code session}; Unusable if stale or damaged. */
    static RecordingIndex read(Path file, String key, Timeline session, WriteLog.Budget budget)
            throws IOException, Unusable {
        ByteBuffer all;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new Unusable("is too large");
            }
            all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        } catch (IOException e) {
            if (!Files.exists(file)) {
                throw e;
            }
            throw new Unusable("cannot be read: " + e.getMessage());
        }
        try {
            byte[] magic = new byte[Math.min(MAGIC.length, all.limit())];
            all.get(0, magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new Unusable("is not a query index");
            }
            if (all.limit() < MAGIC.length + 12) {
                throw new Unusable("is damaged: it ends early");
            }
            int end = all.limit() - 8;
            CRC32C crc = new CRC32C();
            crc.update(all.duplicate().position(0).limit(end));
            if (all.getLong(end) != crc.getValue()) {
                throw new Unusable("is damaged: its checksum does not match");
            }
            In in = new In(all.duplicate().position(MAGIC.length).limit(end));
            int version = in.readInt();
            if (version != VERSION) {
                throw new Unusable("has format " + version + ", not " + VERSION);
            }
            String saved = in.readString();
            if (!saved.equals(key)) {
                throw new Unusable("is stale: " + difference(saved, key));
            }
            RecordingIndex index = RecordingIndex.readFrom(in, session, budget);
            in.expect(!in.buf.hasRemaining(), "length");
            return index;
        } catch (BufferUnderflowException e) {
            throw new Unusable("is damaged: it ends early");
        } catch (Damaged e) {
            throw new Unusable("is damaged: " + e.getMessage());
        } catch (OutOfMemoryError | RuntimeException e) {
            throw new Unusable("is damaged: " + e);
        }
    }

    /** The first line that differs, as "NAME was A, is B". */
    private static String difference(String saved, String now) {
        String[] a = saved.split("\n");
        String[] b = now.split("\n");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "";
            String y = i < b.length ? b[i] : "";
            if (!x.equals(y)) {
                String name = y.contains(" ") ? y.substring(0, y.indexOf(' ')) : x;
                return name + " was " + x.substring(x.indexOf(' ') + 1) + ", is " + y.substring(y.indexOf(' ') + 1);
            }
        }
        return "its key differs";
    }

    /** A value that cannot be right. */
    private static final class Damaged extends IOException {
        private static final long serialVersionUID = 1L;

        Damaged(String what) {
            super(what);
        }
    }

    /** The writing side: DataOutput plus arrays in bulk. */
    static final class Out extends DataOutputStream {
        private final ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.BIG_ENDIAN);

        Out(OutputStream out) {
            super(out);
        }

        /** Length and UTF-8 bytes. */
        void writeString(String v) throws IOException {
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            writeInt(b.length);
            write(b);
        }

        void writeLongs(long[] a, int n) throws IOException {
            writeInt(n);
            for (int i = 0; i < n;) {
                chunk.clear();
                int m = Math.min(n - i, chunk.capacity() / 8);
                chunk.asLongBuffer().put(a, i, m);
                write(chunk.array(), 0, m * 8);
                i += m;
            }
        }

        void writeInts(int[] a, int n) throws IOException {
            writeInt(n);
            for (int i = 0; i < n;) {
                chunk.clear();
                int m = Math.min(n - i, chunk.capacity() / 4);
                chunk.asIntBuffer().put(a, i, m);
                write(chunk.array(), 0, m * 4);
                i += m;
            }
        }
    }

    /** The reading side, over the mapped file: values, arrays in bulk, consistency checks. */
    static final class In {
        final ByteBuffer buf;

        In(ByteBuffer buf) {
            this.buf = buf.order(ByteOrder.BIG_ENDIAN);
        }

        /** Damaged unless {@code ok}. */
        void expect(boolean ok, String what) throws IOException {
            if (!ok) {
                throw new Damaged("bad " + what);
            }
        }

        int readInt() {
            return buf.getInt();
        }

        long readLong() {
            return buf.getLong();
        }

        boolean readBoolean() {
            return buf.get() != 0;
        }

        String readString() throws IOException {
            int n = buf.getInt();
            expect(n >= 0 && n <= buf.remaining(), "string length");
            byte[] b = new byte[n];
            buf.get(b);
            return new String(b, StandardCharsets.UTF_8);
        }

        long[] readLongs(int expected) throws IOException {
            return readLongs(expected, expected);
        }

        /** An array of at most {@code bound} longs. */
        long[] readLongsUpTo(int bound) throws IOException {
            return readLongs(-1, bound);
        }

        private long[] readLongs(int expected, int bound) throws IOException {
            int n = buf.getInt();
            expect((expected < 0 ? n >= 0 && n <= bound : n == expected) && (long) n * 8 <= buf.remaining(), "array length");
            long[] a = new long[n];
            buf.asLongBuffer().get(a);
            buf.position(buf.position() + n * 8);
            return a;
        }

        int[] readInts(int expected) throws IOException {
            int n = buf.getInt();
            expect(n == expected && (long) n * 4 <= buf.remaining(), "array length");
            int[] a = new int[n];
            buf.asIntBuffer().get(a);
            buf.position(buf.position() + n * 4);
            return a;
        }
    }
}
